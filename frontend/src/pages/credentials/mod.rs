//! The registry credentials page (`/projects/:name/credentials`): the
//! project's credentials (metadata only), the masked form that adds or
//! replaces one, and deleting with a confirmation that names the images
//! that use it.

pub mod form;

use crate::router::use_project_name;
use berth_shared::RegistryCredential;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::{
    Breakable, ErrorPanel, Loading, ProjectHeader, Remote, RowActions, aria_bool, focus_by_id,
    load_for_project, set_page_title,
};
use crate::format;
use form::CredentialForm;

const SAVED_ID: &str = "credential-saved";

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let project = use_project_name();
    let state = RwSignal::new(Remote::<Vec<RegistryCredential>>::Loading);
    let announcement = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<RegistryCredential>);
    let confirming = RwSignal::new(None::<RegistryCredential>);
    let delete_error = RwSignal::new(None::<String>);

    let load = move || {
        state.set(Remote::Loading);
        load_for_project(project, state, |p| async move {
            api::list_credentials(&p).await
        });
    };
    Effect::new(move |_| {
        set_page_title(&format!("Registry credentials · {}", project.get()));
        load();
    });

    // Said at the form, where the person is looking, and focused so it is
    // in view and read out; the form itself is empty again.
    let saved_message = RwSignal::new(String::new());
    let on_saved = Callback::new(move |saved: RegistryCredential| {
        announcement.set(String::new());
        saved_message.set(format!("Credential {} saved.", saved.name));
        load();
        focus_by_id(SAVED_ID);
    });

    let delete = move |credential: RegistryCredential| {
        let force = !credential.used_by.is_empty();
        let project = project.get_untracked();
        spawn_local(async move {
            match api::delete_credential(&project, &credential.name, force).await {
                Ok(()) => {
                    confirming.set(None);
                    delete_error.set(None);
                    saved_message.set(String::new());
                    announcement.set(format!("Credential {} deleted.", credential.name));
                    load();
                    focus_by_id("credentials-heading");
                }
                Err(e) => delete_error.set(Some(e.message())),
            }
        });
    };

    let row = move |c: RegistryCredential| {
        let for_edit = c.clone();
        let for_delete = c.clone();
        let used_by = if c.used_by.is_empty() {
            view! { <span class="muted">"No images"</span> }.into_any()
        } else {
            view! { <span>{c.used_by.join(", ")}</span> }.into_any()
        };
        let changed = c.stamps.changed_at().to_owned();
        view! {
            <tr>
                <th scope="row">{c.name.clone()}</th>
                <td data-label="Registry">{c.kind.label()}</td>
                <td data-label="Server"><code><Breakable text=c.server.clone()/></code></td>
                <td data-label="User name"><Breakable text=c.username.clone()/></td>
                <td data-label="Used by">{used_by}</td>
                <td data-label="Last changed">
                    <time datetime=changed.clone()>{format::date_time(&changed)}</time>
                    {c.stamps.updated_by.clone().map(|who| format!(" by {who}"))}
                </td>
                <td><RowActions label=c.name.clone()>
                    <button type="button" class="button button--secondary"
                        aria-label=format!("Replace {}", c.name)
                        on:click=move |_| editing.set(Some(for_edit.clone()))>"Replace"</button>
                    <button type="button" class="button button--secondary"
                        aria-label=format!("Delete {}", c.name)
                        on:click=move |_| {
                            delete_error.set(None);
                            confirming.set(Some(for_delete.clone()));
                            focus_by_id("confirm-delete-credential");
                        }>"Delete"</button>
                </RowActions></td>
            </tr>
        }
    };

    let list_view = move || {
        match state.get() {
        Remote::Loading => view! { <Loading message="Loading the credentials…"/> }.into_any(),
        Remote::Failed(error) => view! {
            <ErrorPanel heading="The credentials could not be loaded." error=error
                on_retry=Callback::new(move |()| load())/>
        }
        .into_any(),
        Remote::Loaded(items) if items.is_empty() => view! {
            <p class="empty-state__title">"This project has no registry credentials yet."</p>
            <p>"Public images need none. For private images, add the credential their registry asks for below."</p>
        }
        .into_any(),
        Remote::Loaded(items) => view! {
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">"Registry credentials"</caption>
                    <thead><tr>
                        <th scope="col">"Name"</th><th scope="col">"Registry"</th>
                        <th scope="col">"Server"</th><th scope="col">"User name"</th>
                        <th scope="col">"Used by"</th><th scope="col">"Last changed"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>{items.into_iter().map(|c| row(c).into_any()).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any(),
    }
    };

    let confirm_view = move || {
        confirming.get().map(|c| {
            let target = c.clone();
            let used = (!c.used_by.is_empty()).then(|| view! {
                <p>
                    <strong>"Used by: "</strong>{c.used_by.join(", ")}
                    ". These images will no longer have a credential: checking them, or running them from a private registry, will fail until you choose another one."
                </p>
            });
            view! {
                <div class="confirm" role="group" aria-labelledby="confirm-delete-heading">
                    <h3 id="confirm-delete-heading">{format!("Delete the credential {}?", c.name)}</h3>
                    {used}
                    <p>"The stored secret is erased; this cannot be undone."</p>
                    <p class="form-error" role="alert">{move || delete_error.get()}</p>
                    <div class="actions">
                        <button id="confirm-delete-credential" type="button" class="button button--danger"
                            on:click=move |_| delete(target.clone())>
                            {if c.used_by.is_empty() { "Delete credential" } else { "Delete it anyway" }}
                        </button>
                        <button type="button" class="button button--secondary"
                            on:click=move |_| confirming.set(None)>"Cancel"</button>
                    </div>
                </div>
            }
        })
    };

    let busy = move || aria_bool(state.with(Remote::is_loading));
    view! {
        <ProjectHeader project=project title="Registry credentials"/>
        <p class="banner">
            "Credentials let Berth and your jobs read images from private registries. "
            "They are write-only: once saved, no page shows the password, token or API key again."
        </p>
        <p class="status-message" role="status" aria-live="polite">{move || announcement.get()}</p>
        <section class="panel" aria-labelledby="credentials-heading" aria-busy=busy>
            <h2 id="credentials-heading" tabindex="-1">"Your credentials"</h2>
            {list_view}
            {confirm_view}
        </section>
        <section class="panel" aria-labelledby="credential-form-heading">
            <h2 id="credential-form-heading">
                {move || if editing.with(Option::is_some) { "Replace a credential" } else { "Add a credential" }}
            </h2>
            <p id=SAVED_ID class="status-message" role="status" tabindex="-1">{move || saved_message.get()}</p>
            <CredentialForm project=project on_saved=on_saved editing=editing/>
        </section>
    }
}
