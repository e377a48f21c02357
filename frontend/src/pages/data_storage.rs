//! "How your data is stored" (`/data-storage`): what Berth keeps, what it
//! never keeps, where, and how to delete it, in plain words.

use leptos::prelude::*;

use crate::components::set_page_title;

/// The page's words. Static, written here, so it is set as HTML in one go:
/// a few hundred bytes of text instead of a view tree compiled to wasm.
const CONTENT: &str = r#"
<h1>How your data is stored</h1>
<p class="lead">Berth runs your containers; it is not a place to keep data. Here is everything it keeps for you, where, and how to remove it.</p>
<section class="panel prose" aria-labelledby="what-heading">
<h2 id="what-heading">What Berth keeps</h2>
<ul>
<li><strong>Image pointers.</strong> The address of each container image you use, such as docker.io/library/nginx, and which credential reaches it.</li>
<li><strong>Registry credentials.</strong> The user name and password, access token or API key that let Berth reach a private registry, such as Docker Hub or IBM Container Registry. Once saved, no page ever shows them again.</li>
<li><strong>Job templates.</strong> How to run a batch job: image, command, settings. Settings you mark as secret are kept apart, like credentials.</li>
<li><strong>Your projects.</strong> Their names and descriptions, and who created them.</li>
<li><strong>Activity log.</strong> For each project, its latest changes: who made them, when, from which address, and whether they succeeded. Never a password or other secret value. Deleting it from the Data page clears it.</li>
</ul>
</section>
<section class="panel prose" aria-labelledby="never-heading">
<h2 id="never-heading">What Berth never keeps</h2>
<p>Your container images. They stay in their registry; Berth only remembers where they are. Protecting and deleting what is inside an image is done in that registry.</p>
</section>
<section class="panel prose" aria-labelledby="where-heading">
<h2 id="where-heading">Where it is kept</h2>
<p>Each project has its own space in the Kubernetes cluster Berth runs on, called a namespace. Everything of a project lives there and nowhere else. Credentials and secret settings are kept as Kubernetes Secrets; the other items as Berth's own records beside them.</p>
<p>Encryption of this stored data is provided by the cluster: ask the people who run it whether encryption at rest is turned on. The Data page of each project lists every item and exactly where it lives.</p>
</section>
<section class="panel prose" aria-labelledby="delete-heading">
<h2 id="delete-heading">How to delete it</h2>
<ul>
<li>One item: open the project's Data page and choose Delete next to it.</li>
<li>Everything: open the project's Settings and delete the project. This removes the project's namespace with all it holds.</li>
<li>If your administrator turned it on, you can first delete with a restore window: the project is hidden and locked at once, can be brought back from <a href="/deleted-projects">Deleted projects</a>, and is deleted for good when the window ends.</li>
<li>From a terminal: <code>berth project delete --name myproject</code> answers <code>Deleted project myproject</code>.</li>
</ul>
</section>
"#;

#[component]
pub fn DataStoragePage() -> impl IntoView {
    set_page_title("How your data is stored");
    // The router still handles the link inside: it intercepts clicks on
    // same-origin anchors wherever they are.
    view! { <div inner_html=CONTENT></div> }
}
