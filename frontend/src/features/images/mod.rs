//! The images page (`/projects/:name/images`): the project's image pointers
//! (addresses of images, never the images), the registry check, and
//! deleting with a confirmation. The form that adds or changes one is in
//! `form.rs`.

mod form;

use berth_shared::{ImagePointer, RegistryCredential};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::{
    Breakable, EmptyState, ListWords, Loader, ProjectHeader, Remote, RowActions, Time, focus_by_id,
    remote_list, set_page_title,
};
use crate::i18n::{self, t};
use crate::router::use_project_name;
use form::{ImageForm, REFERENCE_ID};

const CHECK_ERROR_ID: &str = "image-check-error";
const DONE_ID: &str = "images-done";
const CONFIRM_BUTTON_ID: &str = "confirm-delete-image";

/// What the list says after an action: the words, and whether it is done
/// (success) or still on its way (information).
#[derive(Clone)]
struct Said {
    text: String,
    done: bool,
}

/// Why the last check of `p` failed, in the reader's language (the
/// server's English when it sent no code, or one this console does not
/// know).
fn check_failure(p: &ImagePointer) -> Option<String> {
    let english = p.last_error.as_deref()?;
    Some(match p.last_error_code.as_deref() {
        Some(code) => i18n::message(code, &p.last_error_params, english),
        None => english.to_owned(),
    })
}

/// Why a check was refused: the field errors when there are some (the
/// credential it names is gone), else the message.
fn failure(error: &ApiError) -> String {
    match error.problem() {
        Some(p) if !p.errors.is_empty() => {
            let each: Vec<String> = p.errors.iter().map(i18n::field_error).collect();
            each.join(" ")
        }
        _ => error.message(),
    }
}

/// `template` cut where `{place}` goes, the other places filled: for a
/// sentence with an element (a date, an address) in it.
fn around(
    template: &'static str,
    place: &str,
    args: &[(&str, &dyn std::fmt::Display)],
) -> (String, String) {
    let marker = format!("{{{place}}}");
    let (before, after) = template.split_once(&marker).unwrap_or((template, ""));
    (i18n::fill(before, args), i18n::fill(after, args))
}

#[component]
pub fn ImagesPage() -> impl IntoView {
    let project = use_project_name();
    let list = Loader::new(project, |p| async move { api::list_images(&p).await });
    let credentials = Loader::new(project, |p| async move { api::list_credentials(&p).await });
    let editing = RwSignal::new(None::<ImagePointer>);
    let confirming = RwSignal::new(None::<ImagePointer>);
    let delete_error = RwSignal::new(None::<String>);
    let deleting = RwSignal::new(false);
    let checking = RwSignal::new(None::<String>);
    let said = RwSignal::new(None::<Said>);
    // The last failed check (image name, why), said once, in the error
    // banner above the list rather than in the status line.
    let check_error = RwSignal::new(None::<(String, String)>);

    Effect::new(move |_| {
        set_page_title(&format!("{} · {}", t!("Images"), project.get()));
    });

    let verify = move |name: String| {
        let project = project.get_untracked();
        checking.set(Some(name.clone()));
        check_error.set(None);
        said.set(Some(Said {
            text: t!("Checking {name} with its registry…", name = name),
            done: false,
        }));
        spawn_local(async move {
            let result = api::verify_image(&project, &name).await;
            checking.set(None);
            match result {
                Ok(p) => {
                    said.set(Some(Said {
                        text: t!(
                            "{name} exists in its registry. Digest {digest}.",
                            name = name,
                            digest = p.digest.unwrap_or_default()
                        ),
                        done: true,
                    }));
                    focus_by_id(DONE_ID);
                }
                Err(e) => {
                    said.set(None);
                    check_error.set(Some((name, failure(&e))));
                    focus_by_id(CHECK_ERROR_ID);
                }
            }
            list.reload();
        });
    };

    let delete = move |pointer: ImagePointer| {
        if deleting.get_untracked() {
            return;
        }
        let project = project.get_untracked();
        deleting.set(true);
        delete_error.set(None);
        spawn_local(async move {
            let result = api::delete_image(&project, &pointer.name).await;
            deleting.set(false);
            match result {
                Ok(()) => {
                    confirming.set(None);
                    if check_error
                        .with_untracked(|e| e.as_ref().is_some_and(|(n, _)| *n == pointer.name))
                    {
                        check_error.set(None);
                    }
                    said.set(Some(Said {
                        text: t!("Image pointer {name} deleted.", name = pointer.name),
                        done: true,
                    }));
                    list.reload();
                    credentials.reload();
                    focus_by_id(DONE_ID);
                }
                Err(e) => delete_error.set(Some(e.message())),
            }
        });
    };

    let row = move |p: ImagePointer| {
        let (for_edit, for_delete, name) = (p.clone(), p.clone(), p.name.clone());
        let check = match (&p.digest, check_failure(&p)) {
            (_, Some(error)) => {
                // Said in full once: in the banner while it shows this image's failure.
                let failed_name = p.name.clone();
                let in_banner = move || {
                    check_error.with(|e| e.as_ref().is_some_and(|(n, _)| *n == failed_name))
                };
                view! {
                    <span class="check check--failed">
                        {move || if in_banner() { t!("Check failed (see above)").to_owned() } else { error.clone() }}
                    </span>
                }
                .into_any()
            }
            (Some(digest), None) => view! {
                <code class="digest"><Breakable text=digest.clone()/></code>
            }
            .into_any(),
            (None, None) => view! { <span class="muted">{t!("Not checked yet")}</span> }.into_any(),
        };
        let when = p.verified_at.clone().map(|at| {
            let (before, after) = around(t!("Checked {when}"), "when", &[]);
            view! { <br/><span class="muted">{before}<Time at=at/>{after}</span> }
        });
        let busy_name = name.clone();
        let is_checking = move || checking.get().as_deref() == Some(busy_name.as_str());
        let label_checking = is_checking.clone();
        view! {
            <tr>
                <th scope="row">{p.name.clone()}
                    {(!p.description.is_empty()).then(|| view! { <br/><span class="muted">{p.description.clone()}</span> })}
                </th>
                <td data-label=t!("Image")><code><Breakable text=p.reference.clone()/></code></td>
                <td data-label=t!("Credential")>
                    {match p.credential.clone() {
                        Some(c) => c.into_any(),
                        None => view! { <span class="muted">{t!("No credential")}</span> }.into_any(),
                    }}
                </td>
                <td data-label=t!("Last check")>{check}{when}</td>
                <td><RowActions label=p.name.clone()>
                    <button type="button" class="button"
                        aria-label=t!("Verify {name}", name = p.name)
                        disabled=is_checking
                        on:click=move |_| verify(name.clone())>
                        {move || if label_checking() { t!("Checking…") } else { t!("Verify") }}
                    </button>
                    <button type="button" class="button button--secondary"
                        aria-label=t!("Edit {name}", name = p.name)
                        on:click=move |_| {
                            editing.set(Some(for_edit.clone()));
                            focus_by_id(REFERENCE_ID);
                        }>{t!("Edit")}</button>
                    <button type="button" class="button button--secondary"
                        aria-label=t!("Delete {name}", name = p.name)
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
        loading: t!("Loading the images…"),
        failed: t!("The images could not be loaded."),
    };
    let list_view = move || {
        remote_list(
            list.state.get(),
            words,
            Callback::new(move |()| list.reload()),
            || {
                view! {
                    <EmptyState title=t!("This project points at no images yet.")>
                        <p>{t!("Add the address of an image below, for example nginx or us.icr.io/team/app:1.0.")}</p>
                    </EmptyState>
                }
                .into_any()
            },
            move |items| {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <caption class="visually-hidden">{t!("Image pointers")}</caption>
                            <thead><tr>
                                <th scope="col">{t!("Name")}</th><th scope="col">{t!("Image")}</th>
                                <th scope="col">{t!("Credential")}</th><th scope="col">{t!("Last check")}</th>
                                <th scope="col"><span class="visually-hidden">{t!("Actions")}</span></th>
                            </tr></thead>
                            <tbody>{items.into_iter().map(|p| row(p).into_any()).collect_view()}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            },
        )
    };

    let confirm_view = move || {
        confirming.get().map(|p| {
            let target = p.clone();
            let (before, after) = around(
                t!("Berth forgets the address {address}. The image itself stays in its registry."),
                "address",
                &[],
            );
            view! {
                <div class="confirm" role="group" aria-labelledby="confirm-image-heading">
                    <h3 id="confirm-image-heading">{t!("Delete the image pointer {name}?", name = p.name)}</h3>
                    <p>{before}<code><Breakable text=p.reference.clone()/></code>{after}</p>
                    <p class="form-error banner banner--error" role="alert">{move || delete_error.get()}</p>
                    <div class="actions">
                        <button id=CONFIRM_BUTTON_ID type="button" class="button button--danger"
                            disabled=move || deleting.get()
                            on:click=move |_| delete(target.clone())>
                            {move || if deleting.get() { t!("Deleting…") } else { t!("Delete image pointer") }}
                        </button>
                        <button type="button" class="button button--secondary"
                            on:click=move |_| confirming.set(None)>{t!("Cancel")}</button>
                    </div>
                </div>
            }
        })
    };

    let on_saved = Callback::new(move |_: ImagePointer| {
        said.set(None);
        list.reload();
        credentials.reload();
    });
    // The credentials to choose from; none while they load or when they
    // cannot be read (the form still works without one).
    let credential_choices = Signal::derive(move || list_of(credentials).unwrap_or_default());
    let credential_added = Callback::new(move |saved: RegistryCredential| {
        credentials.state.update(|state| {
            let mut items = match state {
                Remote::Loaded(items) => std::mem::take(items),
                _ => Vec::new(),
            };
            items.retain(|c| c.name != saved.name);
            items.push(saved);
            items.sort_unstable_by(|a, b| a.name.cmp(&b.name));
            *state = Remote::Loaded(items);
        });
    });

    view! {
        <ProjectHeader project=project title=t!("Images")
            intro=t!("The container images this project's jobs run, each by its address in a registry.")/>
        <p class="banner banner--info">
            {t!("Berth keeps the address of each image, never the image itself. Your images stay in their registry; Berth only asks the registry whether they are there.")}
        </p>
        <section class="panel" aria-labelledby="images-heading" aria-busy=list.aria_busy()>
            <h2 id="images-heading">{t!("Your images")}</h2>
            <p id=DONE_ID role="status" tabindex="-1"
                class=move || match said.with(|s| s.as_ref().map(|s| s.done)) {
                    Some(true) => "status-message banner banner--success",
                    _ => "status-message banner banner--info",
                }>
                {move || said.with(|s| s.as_ref().map(|s| s.text.clone()))}
            </p>
            {move || check_error.get().map(|(name, why)| view! {
                <div id=CHECK_ERROR_ID class="banner banner--error" role="alert" tabindex="-1">
                    {t!("{name} could not be checked. {reason}", name = name, reason = why)}
                </div>
            })}
            {list_view}
            {confirm_view}
        </section>
        <section class="panel" aria-labelledby="image-form-heading">
            <h2 id="image-form-heading">
                {move || if editing.with(Option::is_some) { t!("Change an image pointer") } else { t!("Add an image") }}
            </h2>
            <ImageForm project=project credentials=credential_choices editing=editing
                on_saved=on_saved on_credential_added=credential_added/>
        </section>
    }
}

/// The loaded items of `loader`, if they are in.
fn list_of<T: Clone + Send + Sync + 'static>(loader: Loader<Vec<T>>) -> Option<Vec<T>> {
    loader.state.with(|state| match state {
        Remote::Loaded(items) => Some(items.clone()),
        _ => None,
    })
}
