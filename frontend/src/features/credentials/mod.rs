//! The registry credentials page (`/projects/:name/credentials`): the
//! project's credentials (metadata only), the masked form that adds or
//! replaces one, and deleting with a confirmation that names the images
//! that use it.

use berth_shared::{RegistryCredential, RegistryKind};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::{
    Breakable, CredentialForm, EmptyState, ListWords, Loader, ProjectHeader, RowActions, Time,
    focus_by_id, remote_list, set_page_title,
};
use crate::i18n::{self, t, tn};
use crate::router::use_project_name;

const SAVED_ID: &str = "credential-saved";
const DONE_ID: &str = "credentials-done";
const CONFIRM_BUTTON_ID: &str = "confirm-delete-credential";

/// What a person calls each kind of registry, in their language.
fn kind_label(kind: RegistryKind) -> &'static str {
    match kind {
        RegistryKind::DockerHub => t!("Docker Hub"),
        RegistryKind::Icr => t!("IBM Cloud Container Registry"),
        RegistryKind::Other => t!("Another registry"),
    }
}

/// Names of images as a list in the reader's language.
fn names(list: &[String]) -> String {
    list.join(t!(", "))
}

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let project = use_project_name();
    let list = Loader::new(project, |p| async move { api::list_credentials(&p).await });
    // What the last deletion did, said at the list.
    let done = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<RegistryCredential>);
    let confirming = RwSignal::new(None::<RegistryCredential>);
    let delete_error = RwSignal::new(None::<String>);
    let deleting = RwSignal::new(false);

    Effect::new(move |_| {
        set_page_title(&format!(
            "{} · {}",
            t!("Registry credentials"),
            project.get()
        ));
    });

    // Said at the form, where the person is looking, and focused so it is
    // in view and read out; the form itself is empty again.
    let saved_message = RwSignal::new(String::new());
    let on_saved = Callback::new(move |saved: RegistryCredential| {
        done.set(String::new());
        saved_message.set(t!("Credential {name} saved.", name = saved.name));
        list.reload();
        focus_by_id(SAVED_ID);
    });

    let delete = move |credential: RegistryCredential| {
        if deleting.get_untracked() {
            return;
        }
        let force = !credential.used_by.is_empty();
        let project = project.get_untracked();
        deleting.set(true);
        delete_error.set(None);
        spawn_local(async move {
            let result = api::delete_credential(&project, &credential.name, force).await;
            deleting.set(false);
            match result {
                Ok(()) => {
                    confirming.set(None);
                    saved_message.set(String::new());
                    done.set(t!("Credential {name} deleted.", name = credential.name));
                    list.reload();
                    focus_by_id(DONE_ID);
                }
                Err(e) => delete_error.set(Some(e.message())),
            }
        });
    };

    let row = move |c: RegistryCredential| {
        let for_edit = c.clone();
        let for_delete = c.clone();
        let used_by = if c.used_by.is_empty() {
            view! { <span class="muted">{t!("No images")}</span> }.into_any()
        } else {
            view! { <span>{names(&c.used_by)}</span> }.into_any()
        };
        let changed = c.stamps.changed_at().to_owned();
        // "{when} by {name}" with the date as a <time>: the sentence is one
        // template, cut where the date goes.
        let by = c.stamps.updated_by.clone().map(|who| {
            let template = t!("{when} by {name}");
            let (before, after) = template.split_once("{when}").unwrap_or(("", template));
            let fill = |part: &str| i18n::fill(part, &[("name", &who)]);
            (fill(before), fill(after))
        });
        let last_changed = match by {
            Some((before, after)) => view! { {before}<Time at=changed/>{after} }.into_any(),
            None => view! { <Time at=changed/> }.into_any(),
        };
        view! {
            <tr>
                <th scope="row">{c.name.clone()}</th>
                <td data-label=t!("Registry")>{kind_label(c.kind)}</td>
                <td data-label=t!("Server")><code><Breakable text=c.server.clone()/></code></td>
                <td data-label=t!("User name")><Breakable text=c.username.clone()/></td>
                <td data-label=t!("Used by")>{used_by}</td>
                <td data-label=t!("Last changed")>{last_changed}</td>
                <td><RowActions label=c.name.clone()>
                    <button type="button" class="button button--secondary"
                        aria-label=t!("Replace {name}", name = c.name)
                        on:click=move |_| {
                            saved_message.set(String::new());
                            editing.set(Some(for_edit.clone()));
                        }>{t!("Replace")}</button>
                    <button type="button" class="button button--secondary"
                        aria-label=t!("Delete {name}", name = c.name)
                        on:click=move |_| {
                            delete_error.set(None);
                            confirming.set(Some(for_delete.clone()));
                            focus_by_id(CONFIRM_BUTTON_ID);
                        }>{t!("Delete")}</button>
                </RowActions></td>
            </tr>
        }
    };

    let words = ListWords {
        loading: t!("Loading the credentials…"),
        failed: t!("The credentials could not be loaded."),
    };
    let list_view = move || {
        remote_list(
            list.state.get(),
            words,
            Callback::new(move |()| list.reload()),
            || {
                view! {
                    <EmptyState title=t!("This project has no registry credentials yet.")>
                        <p>{t!("Public images need none. For private images, add the credential their registry asks for below.")}</p>
                    </EmptyState>
                }
                .into_any()
            },
            move |items| {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <caption class="visually-hidden">{t!("Registry credentials")}</caption>
                            <thead><tr>
                                <th scope="col">{t!("Name")}</th><th scope="col">{t!("Registry")}</th>
                                <th scope="col">{t!("Server")}</th><th scope="col">{t!("User name")}</th>
                                <th scope="col">{t!("Used by")}</th><th scope="col">{t!("Last changed")}</th>
                                <th scope="col"><span class="visually-hidden">{t!("Actions")}</span></th>
                            </tr></thead>
                            <tbody>{items.into_iter().map(|c| row(c).into_any()).collect_view()}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            },
        )
    };

    let confirm_view = move || {
        confirming.get().map(|c| {
            let target = c.clone();
            let in_use = !c.used_by.is_empty();
            let used = in_use.then(|| view! {
                <p><strong>{t!("Used by: {images}", images = names(&c.used_by))}</strong></p>
                <p>{tn!(
                    "This image will no longer have a credential: checking it, or running it from a private registry, will fail until you choose another one.",
                    "These images will no longer have a credential: checking them, or running them from a private registry, will fail until you choose another one.",
                    c.used_by.len()
                )}</p>
            });
            view! {
                <div class="confirm" role="group" aria-labelledby="confirm-delete-heading">
                    <h3 id="confirm-delete-heading">{t!("Delete the credential {name}?", name = c.name)}</h3>
                    {used}
                    <p>{t!("The stored secret is erased; this cannot be undone.")}</p>
                    <p class="form-error banner banner--error" role="alert">{move || delete_error.get()}</p>
                    <div class="actions">
                        <button id=CONFIRM_BUTTON_ID type="button" class="button button--danger"
                            disabled=move || deleting.get()
                            on:click=move |_| delete(target.clone())>
                            {move || match (deleting.get(), in_use) {
                                (true, _) => t!("Deleting…"),
                                (false, false) => t!("Delete credential"),
                                (false, true) => t!("Delete it anyway"),
                            }}
                        </button>
                        <button type="button" class="button button--secondary"
                            on:click=move |_| confirming.set(None)>{t!("Cancel")}</button>
                    </div>
                </div>
            }
        })
    };

    view! {
        <ProjectHeader project=project title=t!("Registry credentials")
            intro=t!("The user names and passwords, tokens or API keys that let Berth and your jobs read images from private registries.")/>
        <p class="banner banner--info">
            {t!("Credentials are write-only: once saved, no page shows the password, token or API key again.")}
        </p>
        <section class="panel" aria-labelledby="credentials-heading" aria-busy=list.aria_busy()>
            <h2 id="credentials-heading">{t!("Your credentials")}</h2>
            <p id=DONE_ID role="status" tabindex="-1"
                class="status-message banner banner--success">
                {move || done.get()}
            </p>
            {list_view}
            {confirm_view}
        </section>
        <section class="panel" aria-labelledby="credential-form-heading">
            <h2 id="credential-form-heading">
                {move || if editing.with(Option::is_some) { t!("Replace a credential") } else { t!("Add a credential") }}
            </h2>
            <p id=SAVED_ID role="status" tabindex="-1"
                class="status-message banner banner--success">
                {move || saved_message.get()}
            </p>
            <CredentialForm project=project on_saved=on_saved editing=editing/>
        </section>
    }
}
