//! The form that adds or changes an image pointer: a live preview of the
//! address as Berth will store it (with the way out when a web page's
//! address was pasted), a credential picker that can add a credential in
//! place, and the message that says it was saved.

use berth_shared::names::OBJECT_NAME_RULE;
use berth_shared::{
    ImagePointer, ImageReference, RegistryCredential, RegistryKind, SaveImagePointer,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::{Breakable, CredentialForm, FormState, TextField, aria_bool, focus_by_id};
use crate::i18n::{self, t};

const NAME_ID: &str = "image-name";
pub const REFERENCE_ID: &str = "image-reference";
const CREDENTIAL_ID: &str = "image-credential";
const CREDENTIAL_NOTE_ID: &str = "image-credential-note";
const DESCRIPTION_ID: &str = "image-description";
const FORM_ERROR_ID: &str = "image-form-error";
const SAVED_ID: &str = "image-saved";
const FIELDS: &[(&str, &str)] = &[
    ("name", NAME_ID),
    ("reference", REFERENCE_ID),
    ("credential", CREDENTIAL_ID),
    ("description", DESCRIPTION_ID),
];

/// What a person calls each kind of registry, in their language.
fn kind_label(kind: RegistryKind) -> &'static str {
    match kind {
        RegistryKind::DockerHub => t!("Docker Hub"),
        RegistryKind::Icr => t!("IBM Cloud Container Registry"),
        RegistryKind::Other => t!("Another registry"),
    }
}

/// Creates or changes an image pointer.
#[component]
pub fn ImageForm(
    #[prop(into)] project: Signal<String>,
    /// The project's credentials to choose from.
    credentials: Signal<Vec<RegistryCredential>>,
    editing: RwSignal<Option<ImagePointer>>,
    on_saved: Callback<ImagePointer>,
    /// A credential was added in place (it is then chosen here).
    on_credential_added: Callback<RegistryCredential>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let credential = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let adding_credential = RwSignal::new(false);
    let saved_message = RwSignal::new(String::new());
    let credential_note = RwSignal::new(String::new());

    let request = move || SaveImagePointer {
        name: name.get(),
        reference: reference.get(),
        credential: Some(credential.get()).filter(|c| !c.is_empty()),
        description: description.get(),
    };
    let own_errors = Memo::new(move |_| request().validate());
    let form = FormState::new(FIELDS, FORM_ERROR_ID, own_errors);

    Effect::new(move |_| {
        if let Some(p) = editing.get() {
            name.set(p.name.clone());
            reference.set(p.reference.clone());
            credential.set(p.credential.clone().unwrap_or_default());
            description.set(p.description.clone());
            saved_message.set(String::new());
            credential_note.set(String::new());
            form.reset();
        }
    });

    // Empty again: after a save, or when a change is cancelled.
    let clear = move || {
        name.set(String::new());
        reference.set(String::new());
        credential.set(String::new());
        description.set(String::new());
        credential_note.set(String::new());
        form.reset();
        editing.set(None);
    };

    // The live preview: what Berth will store, in its parts. An address
    // that is wrong shows nothing here: its field says why.
    let preview = move || {
        let typed = reference.get();
        if typed.trim().is_empty() {
            return None;
        }
        let not_given = || view! { <span class="muted">{t!("not given")}</span> }.into_any();
        Some(match ImageReference::parse(&typed) {
            Ok(r) => view! {
                <dl class="ref-preview">
                    <div><dt>{t!("Stored as")}</dt><dd><code><Breakable text=r.normalized()/></code></dd></div>
                    <div><dt>{t!("Registry")}</dt><dd><code><Breakable text=r.registry.clone()/></code></dd></div>
                    <div><dt>{t!("Repository")}</dt><dd><code><Breakable text=r.repository.clone()/></code></dd></div>
                    <div><dt>{t!("Tag")}</dt><dd>{r.tag.clone().map_or_else(not_given,
                        |t| view! { <code><Breakable text=t/></code> }.into_any())}</dd></div>
                    <div><dt>{t!("Digest")}</dt><dd>{r.digest.clone().map_or_else(not_given,
                        |d| view! { <code><Breakable text=d/></code> }.into_any())}</dd></div>
                </dl>
            }
            .into_any(),
            // A web page's address pasted: the field's error asks "Did you
            // mean …?"; here only the way out.
            Err(e) => {
                let suggestion = e.suggestion()?.to_owned();
                let label = t!("Use {suggestion}", suggestion = suggestion);
                view! {
                    <button type="button" class="button button--secondary button--small"
                        on:click=move |_| {
                            reference.set(suggestion.clone());
                            form.mark("reference").run(());
                            focus_by_id(REFERENCE_ID);
                        }>{label}</button>
                }
                .into_any()
            }
        })
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.begin() {
            return;
        }
        saved_message.set(String::new());
        let body = untrack(request);
        let project = project.get_untracked();
        let changing = editing.get_untracked();
        spawn_local(async move {
            let result = match &changing {
                Some(old) => {
                    api::replace_image(&project, &old.name, &old.stamps.version, &body).await
                }
                None => api::create_image(&project, &body).await,
            };
            match result {
                Ok(saved) => {
                    clear();
                    saved_message.set(t!("Image pointer {name} saved.", name = saved.name));
                    on_saved.run(saved);
                    focus_by_id(SAVED_ID);
                }
                Err(error) => form.fail(&error),
            }
        });
    };

    let credential_added = Callback::new(move |saved: RegistryCredential| {
        credential.set(saved.name.clone());
        form.mark("credential").run(());
        adding_credential.set(false);
        credential_note.set(t!(
            "Credential {name} saved and chosen for this image.",
            name = saved.name
        ));
        on_credential_added.run(saved);
        focus_by_id(CREDENTIAL_NOTE_ID);
    });

    let credential_error = form.error_for("credential");
    let changing = move || editing.with(Option::is_some);
    view! {
        <p id=SAVED_ID role="status" tabindex="-1"
            class="status-message banner banner--success">
            {move || saved_message.get()}
        </p>
        <form class="form" novalidate on:submit=on_submit>
            {move || if changing() {
                view! {
                    <p class="fixed-value">
                        {move || t!("Changing the image pointer {name}.", name = name.get())}
                    </p>
                }.into_any()
            } else {
                view! {
                    <TextField id=NAME_ID label=t!("Name")
                        hint=i18n::coded("hint.object_name", OBJECT_NAME_RULE)
                        value=name error=form.error_for("name") required=true on_edit=form.mark("name")/>
                }.into_any()
            }}
            <TextField id=REFERENCE_ID label=t!("Image address")
                hint=t!("The image's name in its registry, for example nginx, bitnami/redis:7 or us.icr.io/team/app:1.0. A Docker Hub page's address works too.")
                value=reference error=form.error_for("reference") required=true on_edit=form.mark("reference")/>
            <div class="ref-preview-wrap" aria-live="polite">{preview}</div>
            <div class="field" class:field--invalid=move || credential_error.with(Option::is_some)>
                <label for=CREDENTIAL_ID class="field__label">{t!("Registry credential")}
                    <span class="field__optional">{t!(" (optional)")}</span></label>
                <p id="image-credential-hint" class="field__hint">{t!("Public images need none.")}</p>
                <p id="image-credential-error" class="field__error" hidden=move || credential_error.with(Option::is_none)>
                    <span class="visually-hidden">{t!("Error: ")}</span>
                    {move || credential_error.get()}
                </p>
                <select id=CREDENTIAL_ID
                    aria-invalid=move || aria_bool(credential_error.with(Option::is_some))
                    aria-describedby=move || if credential_error.with(Option::is_some) {
                        "image-credential-hint image-credential-error"
                    } else {
                        "image-credential-hint"
                    }
                    prop:value=move || credential.get()
                    on:change=move |ev| {
                        credential.set(event_target_value(&ev));
                        credential_note.set(String::new());
                        form.mark("credential").run(());
                    }>
                    <option value="">{t!("None (public image)")}</option>
                    {move || {
                        let current = credential.get_untracked();
                        credentials.get().into_iter().map(|c| {
                            let selected = c.name == current;
                            view! {
                                <option value=c.name.clone() selected=selected>
                                    {format!("{} — {}", c.name, kind_label(c.kind))}
                                </option>
                            }
                            .into_any()
                        }).collect_view()
                    }}
                </select>
                <p id=CREDENTIAL_NOTE_ID role="status" tabindex="-1"
                    class="status-message banner banner--success">
                    {move || credential_note.get()}
                </p>
                <button type="button" class="button button--secondary add-credential"
                    aria-expanded=move || aria_bool(adding_credential.get())
                    aria-controls="add-credential-panel"
                    on:click=move |_| adding_credential.update(|v| *v = !*v)>
                    {t!("Add a credential")}
                </button>
            </div>
            <TextField id=DESCRIPTION_ID label=t!("Description") value=description
                error=form.error_for("description") multiline=true on_edit=form.mark("description")/>
            <div id=form.form_error_id() class="form-error banner banner--error" role="alert" tabindex="-1">
                {move || form.form_error().get()}
            </div>
            <div class="actions">
                <button type="submit" class="button" disabled=move || form.pending().get()>
                    {move || match (form.pending().get(), changing()) {
                        (true, _) => t!("Saving…"),
                        (false, true) => t!("Save changes"),
                        (false, false) => t!("Add image"),
                    }}
                </button>
                {move || changing().then(|| view! {
                    <button type="button" class="button button--secondary" on:click=move |_| clear()>
                        {t!("Cancel")}
                    </button>
                })}
            </div>
        </form>
        // Outside the image form: a form may not hold another.
        <div id="add-credential-panel" class="inline-panel" hidden=move || !adding_credential.get()>
            <h3>{t!("Add a registry credential")}</h3>
            {move || adding_credential.get().then(|| view! {
                <CredentialForm project=project on_saved=credential_added/>
            })}
        </div>
    }
}
