//! "How your data is stored" (`/data-storage`): what Berth keeps, what it
//! never keeps, where, and how to delete it, in plain words; how it maps
//! onto Kubernetes only under "Technical details", for administrators.

use leptos::prelude::*;

use crate::components::set_page_title;
use crate::i18n::t;

#[component]
pub fn DataStoragePage() -> impl IntoView {
    set_page_title(t!("How your data is stored"));
    // What Berth keeps: a name and what it covers, one per kind of data.
    let kept = [
        (
            t!("Images."),
            t!("Only the address of each container image you use, such as docker.io/library/nginx, and which registry credential reaches it."),
        ),
        (
            t!("Registry credentials."),
            t!("The user name and password, access token or API key that let Berth reach a private registry, such as Docker Hub or IBM Cloud Container Registry. Once saved, no page ever shows them again."),
        ),
        (
            t!("Job templates."),
            t!("How to run a batch job: image, command, settings. Settings you mark as secret are kept apart, like credentials."),
        ),
        (
            t!("Job runs."),
            t!("Each run of a job, with its logs and a copy of its secret settings, until the run is deleted. Finished runs are deleted after a time your administrator sets."),
        ),
        (
            t!("Your projects."),
            t!("Their names and descriptions, and who created them."),
        ),
        (
            t!("Activity log."),
            t!("For each project, its latest changes: who made them, when, from which network address, and whether they succeeded. Never a password or other secret value. Deleting it from the Data page clears it."),
        ),
    ]
    .into_iter()
    .map(|(name, text)| view! { <li><strong>{name}</strong>" "{text}</li> })
    .collect_view();

    view! {
        <h1>{t!("How your data is stored")}</h1>
        <p class="lead">
            {t!("Berth runs your containers; it is not a place to keep data. Here is everything it keeps for you, where, and how to remove it.")}
        </p>
        <section class="panel prose" aria-labelledby="what-heading">
            <h2 id="what-heading">{t!("What Berth keeps")}</h2>
            <ul>{kept}</ul>
        </section>
        <section class="panel prose" aria-labelledby="never-heading">
            <h2 id="never-heading">{t!("What Berth never keeps")}</h2>
            <p>{t!("Your container images. They stay in their registry; Berth only remembers where they are. Protecting and deleting what is inside an image is done in that registry.")}</p>
        </section>
        <section class="panel prose" aria-labelledby="where-heading">
            <h2 id="where-heading">{t!("Where it is kept")}</h2>
            <p>{t!("Each project has its own space, apart from every other project. Everything of a project is kept there and nowhere else. Passwords and other secret values are kept apart from the rest, in storage meant for secrets.")}</p>
            <p>{t!("Whether the stored data is encrypted depends on how Berth was set up: ask your administrator. The Data page of each project lists every item.")}</p>
            <details class="tech-details">
                <summary>{t!("Technical details")}</summary>
                <p>{t!("Berth keeps everything in the Kubernetes cluster it runs on: each project is a namespace of its own. Credentials and secret settings are Kubernetes Secrets; images and job templates are Berth's own resources beside them; job runs are Jobs; the activity log is kept in ConfigMaps.")}</p>
                <p>{t!("Encryption at rest is a setting of the cluster: ask the people who run it whether it is turned on. The Data page shows exactly where each item lives.")}</p>
            </details>
        </section>
        <section class="panel prose" aria-labelledby="delete-heading">
            <h2 id="delete-heading">{t!("How to delete it")}</h2>
            <ul>
                <li>{t!("One item: open the project's Data page and choose Delete next to it.")}</li>
                <li>{t!("Everything: open the project's Settings and delete the project. This removes the project's space with all it holds.")}</li>
                <li>
                    {t!("If your administrator turned it on, you can first delete with a restore window: the project is hidden and locked at once, can be brought back until the window ends, and is then deleted for good.")}" "
                    <a href="/deleted-projects">{t!("Restore a deleted project")}</a>
                </li>
                <li>
                    {t!("From a terminal, this command deletes the project myproject:")}" "<code>"berth project delete --name myproject"</code>" "
                    {t!("It answers:")}" "<code>"Deleted project myproject"</code>
                </li>
            </ul>
        </section>
    }
}
