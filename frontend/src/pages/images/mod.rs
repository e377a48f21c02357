//! The images page (`/projects/:name/images`): the project's image pointers
//! (addresses of images, never the images), a form with a live preview of
//! the normalised address, a credential picker that can add a credential in
//! place, the registry check, and deleting with a confirmation.

use crate::router::use_project_name;
use berth_shared::names::OBJECT_NAME_RULE;
use berth_shared::{
    FieldError, ImagePointer, ImageReference, RegistryCredential, SaveImagePointer,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::{
    Breakable, ErrorPanel, Loading, ProjectHeader, Remote, RowActions, TextField, aria_bool,
    focus_by_id, load_for_project, message_for, set_page_title,
};
use crate::format;
use crate::pages::credentials::form::CredentialForm;

const NAME_ID: &str = "image-name";
const REFERENCE_ID: &str = "image-reference";
const CREDENTIAL_ID: &str = "image-credential";
const DESCRIPTION_ID: &str = "image-description";
const FORM_ERROR_ID: &str = "image-form-error";
const CHECK_ERROR_ID: &str = "image-check-error";
const FIELDS: [(&str, &str); 4] = [
    ("name", NAME_ID),
    ("reference", REFERENCE_ID),
    ("credential", CREDENTIAL_ID),
    ("description", DESCRIPTION_ID),
];

#[component]
pub fn ImagesPage() -> impl IntoView {
    let project = use_project_name();
    let state = RwSignal::new(Remote::<Vec<ImagePointer>>::Loading);
    let credentials = RwSignal::new(Vec::<RegistryCredential>::new());
    let announcement = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<ImagePointer>);
    let confirming = RwSignal::new(None::<ImagePointer>);
    let delete_error = RwSignal::new(None::<String>);
    let checking = RwSignal::new(None::<String>);
    // The last failed check (image name, why), shown once, in the error
    // banner above the list rather than in the green status line.
    let check_error = RwSignal::new(None::<(String, String)>);

    let load = move || {
        state.set(Remote::Loading);
        load_for_project(
            project,
            state,
            |p| async move { api::list_images(&p).await },
        );
    };
    let load_credentials = move || {
        let wanted = project.get_untracked();
        spawn_local(async move {
            if let Ok(items) = api::list_credentials(&wanted).await {
                credentials.set(items);
            }
        });
    };
    Effect::new(move |_| {
        set_page_title(&format!("Images · {}", project.get()));
        load();
        load_credentials();
    });

    let verify = move |name: String| {
        let project = project.get_untracked();
        checking.set(Some(name.clone()));
        check_error.set(None);
        announcement.set(format!("Checking {name} with its registry…"));
        spawn_local(async move {
            let result = api::verify_image(&project, &name).await;
            checking.set(None);
            match result {
                Ok(p) => announcement.set(format!(
                    "{name} exists in its registry. Digest {}.",
                    p.digest.unwrap_or_default()
                )),
                Err(e) => {
                    announcement.set(String::new());
                    check_error.set(Some((name, e.message())));
                    focus_by_id(CHECK_ERROR_ID);
                }
            }
            load();
        });
    };

    let delete = move |pointer: ImagePointer| {
        let project = project.get_untracked();
        spawn_local(async move {
            match api::delete_image(&project, &pointer.name).await {
                Ok(()) => {
                    confirming.set(None);
                    delete_error.set(None);
                    announcement.set(format!("Image pointer {} deleted.", pointer.name));
                    load();
                    load_credentials();
                    focus_by_id("images-heading");
                }
                Err(e) => delete_error.set(Some(e.message())),
            }
        });
    };

    let row = move |p: ImagePointer| {
        let (for_edit, for_delete, name) = (p.clone(), p.clone(), p.name.clone());
        let check = match (&p.digest, &p.last_error) {
            (_, Some(error)) => {
                // Said in full once: in the banner while it shows this image's failure.
                let error = error.clone();
                let failed_name = p.name.clone();
                let in_banner = move || {
                    check_error.with(|e| e.as_ref().is_some_and(|(n, _)| *n == failed_name))
                };
                view! {
                    <span class="check check--failed">
                        {move || if in_banner() { "Check failed (see above)".to_owned() } else { error.clone() }}
                    </span>
                }
                .into_any()
            }
            (Some(digest), None) => view! {
                <code class="digest"><Breakable text=digest.clone()/></code>
            }
            .into_any(),
            (None, None) => view! { <span class="muted">"Not checked yet"</span> }.into_any(),
        };
        let when = p.verified_at.clone().map(|t| {
            view! { <br/><span class="muted">"Checked " <time datetime=t.clone()>{format::date_time(&t)}</time></span> }
        });
        let busy_name = name.clone();
        let is_checking = move || checking.get().as_deref() == Some(busy_name.as_str());
        let is_checking2 = is_checking.clone();
        view! {
            <tr>
                <th scope="row">{p.name.clone()}
                    {(!p.description.is_empty()).then(|| view! { <br/><span class="muted">{p.description.clone()}</span> })}
                </th>
                <td data-label="Image"><code><Breakable text=p.reference.clone()/></code></td>
                <td data-label="Credential">{p.credential.clone().unwrap_or_else(|| "None".to_owned())}</td>
                <td data-label="Last check">{check}{when}</td>
                <td><RowActions label=p.name.clone()>
                    <button type="button" class="button"
                        aria-label=format!("Verify {}", p.name)
                        disabled=is_checking
                        on:click=move |_| verify(name.clone())>
                        {move || if is_checking2() { "Checking…" } else { "Verify" }}
                    </button>
                    <button type="button" class="button button--secondary"
                        aria-label=format!("Edit {}", p.name)
                        on:click=move |_| {
                            editing.set(Some(for_edit.clone()));
                            focus_by_id(REFERENCE_ID);
                        }>"Edit"</button>
                    <button type="button" class="button button--secondary"
                        aria-label=format!("Delete {}", p.name)
                        on:click=move |_| {
                            delete_error.set(None);
                            confirming.set(Some(for_delete.clone()));
                            focus_by_id("confirm-delete-image");
                        }>"Delete"</button>
                </RowActions></td>
            </tr>
        }
    };

    let list_view = move || match state.get() {
        Remote::Loading => view! { <Loading message="Loading the images…"/> }.into_any(),
        Remote::Failed(error) => view! {
            <ErrorPanel heading="The images could not be loaded." error=error
                on_retry=Callback::new(move |()| load())/>
        }
        .into_any(),
        Remote::Loaded(items) if items.is_empty() => view! {
            <p class="empty-state__title">"This project points at no images yet."</p>
            <p>"Add the address of an image below, for example nginx or us.icr.io/team/app:1.0."</p>
        }
        .into_any(),
        Remote::Loaded(items) => view! {
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">"Image pointers"</caption>
                    <thead><tr>
                        <th scope="col">"Name"</th><th scope="col">"Image"</th>
                        <th scope="col">"Credential"</th><th scope="col">"Last check"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>{items.into_iter().map(|p| row(p).into_any()).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any(),
    };

    let confirm_view = move || {
        confirming.get().map(|p| {
            let target = p.clone();
            view! {
                <div class="confirm" role="group" aria-labelledby="confirm-image-heading">
                    <h3 id="confirm-image-heading">{format!("Delete the image pointer {}?", p.name)}</h3>
                    <p>"Berth forgets the address "<code><Breakable text=p.reference.clone()/></code>
                        ". The image itself stays in its registry."</p>
                    <p class="form-error" role="alert">{move || delete_error.get()}</p>
                    <div class="actions">
                        <button id="confirm-delete-image" type="button" class="button button--danger"
                            on:click=move |_| delete(target.clone())>"Delete image pointer"</button>
                        <button type="button" class="button button--secondary"
                            on:click=move |_| confirming.set(None)>"Cancel"</button>
                    </div>
                </div>
            }
        })
    };

    let on_saved = Callback::new(move |saved: ImagePointer| {
        announcement.set(format!("Image pointer {} saved.", saved.name));
        load();
        load_credentials();
    });

    let busy = move || aria_bool(state.with(Remote::is_loading));
    view! {
        <ProjectHeader project=project title="Images"/>
        <p class="banner">
            "Berth keeps the address of each image, never the image itself. "
            "Your images stay in their registry; Berth only asks it whether they are there."
        </p>
        <p class="status-message" role="status" aria-live="polite">{move || announcement.get()}</p>
        <section class="panel" aria-labelledby="images-heading" aria-busy=busy>
            <h2 id="images-heading" tabindex="-1">"Your images"</h2>
            <div id=CHECK_ERROR_ID class="form-error" role="alert" tabindex="-1">
                {move || check_error.get().map(|(name, why)| format!("{name} could not be checked. {why}"))}
            </div>
            {list_view}
            {confirm_view}
        </section>
        <section class="panel" aria-labelledby="image-form-heading">
            <h2 id="image-form-heading">
                {move || if editing.with(Option::is_some) { "Change an image pointer" } else { "Add an image" }}
            </h2>
            <ImageForm project=project credentials=credentials editing=editing
                on_saved=on_saved on_credential_added=Callback::new(move |()| load_credentials())/>
        </section>
    }
}

/// Creates or changes an image pointer.
#[component]
fn ImageForm(
    #[prop(into)] project: Signal<String>,
    credentials: RwSignal<Vec<RegistryCredential>>,
    editing: RwSignal<Option<ImagePointer>>,
    on_saved: Callback<ImagePointer>,
    on_credential_added: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let credential = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let edited = RwSignal::new(Vec::<&'static str>::new());
    let submitted = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let adding_credential = RwSignal::new(false);

    Effect::new(move |_| {
        if let Some(p) = editing.get() {
            name.set(p.name.clone());
            reference.set(p.reference.clone());
            credential.set(p.credential.clone().unwrap_or_default());
            description.set(p.description.clone());
            edited.set(Vec::new());
            server_errors.set(Vec::new());
        }
    });

    let request = move || SaveImagePointer {
        name: name.get(),
        reference: reference.get(),
        credential: Some(credential.get()).filter(|c| !c.is_empty()),
        description: description.get(),
    };
    let client_errors = Memo::new(move |_| request().validate());
    let error_for = move |field: &'static str| {
        Signal::derive(move || {
            let own = (submitted.get() || edited.with(|e| e.contains(&field)))
                .then(|| message_for(&client_errors.read(), field))
                .flatten();
            own.or_else(|| message_for(&server_errors.read(), field))
        })
    };
    let mark = move |field: &'static str| {
        Callback::new(move |()| {
            edited.update(|e| {
                if !e.contains(&field) {
                    e.push(field);
                }
            });
            server_errors.update(|errors| errors.retain(|e| e.field != field));
        })
    };
    let reset = move || {
        name.set(String::new());
        reference.set(String::new());
        credential.set(String::new());
        description.set(String::new());
        edited.set(Vec::new());
        submitted.set(false);
        editing.set(None);
    };

    // The live preview: what Berth will store, in its parts.
    let preview = move || {
        let typed = reference.get();
        if typed.trim().is_empty() {
            return None;
        }
        Some(match ImageReference::parse(&typed) {
            Ok(r) => view! {
                <dl class="ref-preview">
                    <div><dt>"Stored as"</dt><dd><code><Breakable text=r.normalized()/></code></dd></div>
                    <div><dt>"Registry"</dt><dd><code><Breakable text=r.registry.clone()/></code></dd></div>
                    <div><dt>"Repository"</dt><dd><code><Breakable text=r.repository.clone()/></code></dd></div>
                    <div><dt>"Tag"</dt><dd>{r.tag.clone().map_or_else(
                        || view! { <span class="muted">"none"</span> }.into_any(),
                        |t| view! { <code><Breakable text=t/></code> }.into_any())}</dd></div>
                    <div><dt>"Digest"</dt><dd>{r.digest.clone().map_or_else(
                        || view! { <span class="muted">"none"</span> }.into_any(),
                        |d| view! { <code><Breakable text=d/></code> }.into_any())}</dd></div>
                </dl>
            }
            .into_any(),
            // A web page's URL pasted: offer the address it stands for.
            Err(e) if e.suggestion().is_some() => {
                let suggestion = e.suggestion().unwrap_or_default().to_owned();
                let label = format!("Use {suggestion}");
                // The field's error says why; here only the way out.
                view! {
                    <button type="button" class="button button--secondary button--small"
                        on:click=move |_| {
                            reference.set(suggestion.clone());
                            mark("reference").run(());
                            focus_by_id(REFERENCE_ID);
                        }>{label}</button>
                }
                .into_any()
            }
            Err(e) => {
                view! { <p class="muted">{format!("Not an image address yet: {e}")}</p> }.into_any()
            }
        })
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        let body = request();
        let errors = body.validate();
        if let Some(first) = first_field_id(&errors) {
            focus_by_id(first);
            return;
        }
        server_errors.set(Vec::new());
        form_error.set(None);
        pending.set(true);
        let project = project.get_untracked();
        let changing = editing.get_untracked();
        spawn_local(async move {
            let result = match &changing {
                Some(old) => {
                    api::replace_image(&project, &old.name, &old.stamps.version, &body).await
                }
                None => api::create_image(&project, &body).await,
            };
            pending.set(false);
            match result {
                Ok(saved) => {
                    reset();
                    on_saved.run(saved);
                    focus_by_id(NAME_ID);
                }
                Err(error) => {
                    let (fields, other) = split_errors(&error);
                    let target = first_field_id(&fields).unwrap_or(FORM_ERROR_ID);
                    server_errors.set(fields);
                    form_error.set(other);
                    focus_by_id(target);
                }
            }
        });
    };

    let credential_added = Callback::new(move |saved: RegistryCredential| {
        credentials.update(|list| {
            list.retain(|c| c.name != saved.name);
            list.push(saved.clone());
            list.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        });
        credential.set(saved.name.clone());
        adding_credential.set(false);
        on_credential_added.run(());
        focus_by_id(CREDENTIAL_ID);
    });

    let credential_error = error_for("credential");
    view! {
        <form class="form" novalidate on:submit=on_submit>
            {move || if editing.with(Option::is_some) {
                view! { <p class="fixed-value">"Changing " <strong>{move || name.get()}</strong></p> }.into_any()
            } else {
                view! {
                    <TextField id=NAME_ID label="Name"
                        hint=OBJECT_NAME_RULE
                        value=name error=error_for("name") required=true on_edit=mark("name")/>
                }.into_any()
            }}
            <TextField id=REFERENCE_ID label="Image address"
                hint="The image's name in its registry, for example nginx, bitnami/redis:7 or us.icr.io/team/app:1.0. A Docker Hub page's address works too."
                value=reference error=error_for("reference") required=true on_edit=mark("reference")/>
            <div class="ref-preview-wrap" aria-live="polite">{preview}</div>
            <div class="field" class:field--invalid=move || credential_error.with(Option::is_some)>
                <label for=CREDENTIAL_ID class="field__label">"Registry credential"
                    <span class="field__optional">" (optional)"</span></label>
                <p id="image-credential-hint" class="field__hint">"Public images need none."</p>
                <p id="image-credential-error" class="field__error" hidden=move || credential_error.with(Option::is_none)>
                    {move || credential_error.get()}
                </p>
                <select id=CREDENTIAL_ID
                    aria-describedby=move || if credential_error.with(Option::is_some) {
                        "image-credential-hint image-credential-error"
                    } else {
                        "image-credential-hint"
                    }
                    prop:value=move || credential.get()
                    on:change=move |ev| {
                        credential.set(event_target_value(&ev));
                        mark("credential").run(());
                    }>
                    <option value="">"None (public image)"</option>
                    {move || {
                        let current = credential.get_untracked();
                        credentials.get().into_iter().map(|c| {
                            let selected = c.name == current;
                            view! {
                                <option value=c.name.clone() selected=selected>
                                    {format!("{} — {} ({})", c.name, c.kind.label(), c.server)}
                                </option>
                            }
                            .into_any()
                        }).collect_view()
                    }}
                </select>
                <button type="button" class="button button--secondary add-credential"
                    aria-expanded=move || aria_bool(adding_credential.get())
                    aria-controls="add-credential-panel"
                    on:click=move |_| adding_credential.update(|v| *v = !*v)>
                    "Add a credential"
                </button>
            </div>
            <TextField id=DESCRIPTION_ID label="Description" value=description
                error=error_for("description") multiline=true on_edit=mark("description")/>
            <div id=FORM_ERROR_ID class="form-error" role="alert" tabindex="-1">
                {move || form_error.get()}
            </div>
            <div class="actions">
                <button type="submit" class="button" disabled=move || pending.get()>
                    {move || match (pending.get(), editing.with(Option::is_some)) {
                        (true, _) => "Saving…",
                        (false, true) => "Save changes",
                        (false, false) => "Add image",
                    }}
                </button>
                {move || editing.with(Option::is_some).then(|| view! {
                    <button type="button" class="button button--secondary" on:click=move |_| reset()>"Cancel"</button>
                })}
            </div>
        </form>
        <div id="add-credential-panel" class="inline-panel" hidden=move || !adding_credential.get()>
            <h3>"Add a registry credential"</h3>
            {move || adding_credential.get().then(|| view! {
                <CredentialForm project=project on_saved=credential_added/>
            })}
        </div>
    }
}

fn first_field_id(errors: &[FieldError]) -> Option<&'static str> {
    FIELDS
        .iter()
        .find(|(field, _)| errors.iter().any(|e| e.field == *field))
        .map(|(_, id)| *id)
}

fn split_errors(error: &ApiError) -> (Vec<FieldError>, Option<String>) {
    let Some(problem) = error.problem() else {
        return (Vec::new(), Some(error.message()));
    };
    let known = |e: &&FieldError| FIELDS.iter().any(|(f, _)| *f == e.field);
    let mut fields: Vec<FieldError> = problem.errors.iter().filter(known).cloned().collect();
    if problem.status == 409 && fields.is_empty() && !problem.kind.contains("stale") {
        fields.push(FieldError::new("name", problem.message()));
    }
    let other = fields.is_empty().then(|| error.message());
    (fields, other)
}
