//! The registry credential form: one form, three kinds (Docker Hub, IBM
//! Container Registry, any other registry), each showing only what it needs.
//! Validates with the server's own rules as the person types; the secret is
//! typed into a masked input and cleared as soon as it was saved.

use berth_shared::credentials::{DOCKER_HUB_SERVER, ICR_SERVERS, ICR_USERNAME};
use berth_shared::names::OBJECT_NAME_RULE;
use berth_shared::{FieldError, RegistryCredential, RegistryKind, SaveRegistryCredential};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::{SecretInput, TextField, focus_by_id, message_for};

const NAME_ID: &str = "credential-name";
const SERVER_ID: &str = "credential-server";
const USERNAME_ID: &str = "credential-username";
const SECRET_ID: &str = "credential-secret";
const FILE_ID: &str = "credential-apikey-file";
const FORM_ERROR_ID: &str = "credential-form-error";
const FIELDS: [(&str, &str); 4] = [
    ("name", NAME_ID),
    ("server", SERVER_ID),
    ("username", USERNAME_ID),
    ("secret", SECRET_ID),
];

/// Creates a credential, or replaces `editing` when it holds one.
#[component]
pub fn CredentialForm(
    #[prop(into)] project: Signal<String>,
    on_saved: Callback<RegistryCredential>,
    /// The credential being replaced; `None` creates a new one.
    #[prop(optional)]
    editing: Option<RwSignal<Option<RegistryCredential>>>,
) -> impl IntoView {
    let editing = editing.unwrap_or_else(|| RwSignal::new(None));
    let kind = RwSignal::new(RegistryKind::DockerHub);
    let name = RwSignal::new(String::new());
    let server = RwSignal::new(String::new());
    let icr_server = RwSignal::new(ICR_SERVERS[0].0.to_owned());
    let username = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let edited = RwSignal::new(Vec::<&'static str>::new());
    let submitted = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let file_note = RwSignal::new(String::new());
    let file_error = RwSignal::new(None::<String>);

    // Replacing: start from the stored (non-secret) fields.
    Effect::new(move |_| {
        if let Some(c) = editing.get() {
            kind.set(c.kind);
            name.set(c.name.clone());
            username.set(c.username.clone());
            match c.kind {
                RegistryKind::Icr => icr_server.set(c.server.clone()),
                RegistryKind::Other => server.set(c.server.clone()),
                RegistryKind::DockerHub => {}
            }
            secret.set(String::new());
            focus_by_id(SECRET_ID);
        }
    });

    let request = move || SaveRegistryCredential {
        name: name.get(),
        kind: kind.get(),
        server: match kind.get() {
            RegistryKind::DockerHub => DOCKER_HUB_SERVER.to_owned(),
            RegistryKind::Icr => icr_server.get(),
            RegistryKind::Other => server.get(),
        },
        username: match kind.get() {
            RegistryKind::Icr => ICR_USERNAME.to_owned(),
            _ => username.get(),
        },
        secret: secret.get(),
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
        server.set(String::new());
        username.set(String::new());
        secret.set(String::new());
        edited.set(Vec::new());
        submitted.set(false);
        file_note.set(String::new());
        editing.set(None);
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
        let replacing = editing.get_untracked();
        spawn_local(async move {
            let result = match &replacing {
                Some(old) => {
                    api::replace_credential(&project, &old.name, &old.stamps.version, &body).await
                }
                None => api::create_credential(&project, &body).await,
            };
            drop(body);
            pending.set(false);
            match result {
                Ok(saved) => {
                    reset();
                    on_saved.run(saved);
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

    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        file_error.set(None);
        file_note.set(String::new());
        spawn_local(async move {
            // Read here, in the browser; the file itself is never sent.
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|t| t.as_string());
            // The browser's JSON parser: no JSON code of ours in the bundle.
            let key = text
                .as_deref()
                .and_then(|t| js_sys::JSON::parse(t).ok())
                .filter(|v| v.is_object())
                .and_then(|v| js_sys::Reflect::get(&v, &"apikey".into()).ok())
                .and_then(|k| k.as_string())
                .filter(|k| !k.is_empty());
            input.set_value("");
            match key {
                Some(key) => {
                    secret.set(key);
                    mark("secret").run(());
                    file_note.set(format!("The API key was read from {}.", file.name()));
                }
                None => file_error.set(Some(format!(
                    "{} has no API key in it. Choose the apikey.json file you downloaded when you created the key.",
                    file.name()
                ))),
            }
        });
    };

    let kind_choice = move |value: RegistryKind, hint: &'static str| {
        let id = format!("credential-kind-{}", value.as_str());
        view! {
            <div class="choice">
                <input
                    type="radio"
                    id=id.clone()
                    name="credential-kind"
                    value=value.as_str()
                    prop:checked=move || kind.get() == value
                    disabled=move || editing.with(Option::is_some)
                    on:change=move |_| {
                        kind.set(value);
                        server_errors.set(Vec::new());
                    }
                />
                <label for=id>{value.label()} <span class="field__hint">{hint}</span></label>
            </div>
        }
    };

    let kind_fields = move || {
        match kind.get() {
        RegistryKind::DockerHub => view! {
            <p class="fixed-value">"Server: " <code>{DOCKER_HUB_SERVER}</code></p>
            <TextField id=USERNAME_ID label="Docker ID" value=username
                error=error_for("username") required=true on_edit=mark("username")/>
            <SecretInput id=SECRET_ID label="Access token or password"
                hint="We recommend a personal access token (Docker Hub: Account settings → Personal access tokens) \
                      instead of your password: it can be limited to reading images and revoked on its own, \
                      without changing your password."
                value=secret error=error_for("secret") on_edit=mark("secret")/>
        }
        .into_any(),
        RegistryKind::Icr => {
            let current = icr_server.get_untracked();
            view! {
            <div class="field" class:field--invalid=move || error_for("server").with(Option::is_some)>
                <label for=SERVER_ID class="field__label">"Location"</label>
                <p class="field__error" hidden=move || error_for("server").with(Option::is_none)>
                    {move || error_for("server").get()}
                </p>
                <select id=SERVER_ID prop:value=move || icr_server.get()
                    on:change=move |ev| icr_server.set(event_target_value(&ev))>
                    // Static options, type-erased: lists of views are costly in
                    // the bundle per item type, `AnyView` items share one copy.
                    {ICR_SERVERS.iter().map(|&(host, place)| view! {
                        <option value=host selected=host == current>{host}" — "{place}</option>
                    }.into_any()).collect_view()}
                </select>
            </div>
            <p class="fixed-value">"User name: " <code>{ICR_USERNAME}</code> " (always, for API keys)"</p>
            <SecretInput id=SECRET_ID label="API key"
                hint="Type or paste the API key, or read it from the apikey.json file below."
                value=secret error=error_for("secret") on_edit=mark("secret")/>
            <div class="field" class:field--invalid=move || file_error.with(Option::is_some)>
                <label for=FILE_ID class="field__label">"Read the API key from apikey.json"</label>
                <p id="credential-apikey-file-hint" class="field__hint">
                    "The file stays on your computer: only the key in it is put into the field above."
                </p>
                <p class="field__error" hidden=move || file_error.with(Option::is_none)>
                    {move || file_error.get()}
                </p>
                <input id=FILE_ID type="file" accept=".json,application/json"
                    aria-describedby="credential-apikey-file-hint" on:change=on_file/>
                <p class="status-message" role="status" aria-live="polite">{move || file_note.get()}</p>
            </div>
            }
            .into_any()
        }
        RegistryKind::Other => view! {
            <TextField id=SERVER_ID label="Registry server"
                hint="Host name and, if needed, port: registry.example.com or registry.example.com:5000. No https://."
                value=server error=error_for("server") required=true on_edit=mark("server")/>
            <TextField id=USERNAME_ID label="User name" value=username
                error=error_for("username") required=true on_edit=mark("username")/>
            <SecretInput id=SECRET_ID label="Password" value=secret
                error=error_for("secret") on_edit=mark("secret")/>
        }
        .into_any(),
    }
    };

    view! {
        <form class="form" novalidate on:submit=on_submit>
            <fieldset class="choices">
                <legend class="field__label">"Registry"</legend>
                {kind_choice(RegistryKind::DockerHub, "hub.docker.com")}
                {kind_choice(RegistryKind::Icr, "icr.io and its regions")}
                {kind_choice(RegistryKind::Other, "any other registry")}
            </fieldset>
            {move || if editing.with(Option::is_some) {
                view! {
                    <p class="fixed-value">"Replacing " <strong>{move || name.get()}</strong>
                        ": type the secret again; Berth never shows the saved one."</p>
                }.into_any()
            } else {
                view! {
                    <TextField id=NAME_ID label="Credential name"
                        hint=OBJECT_NAME_RULE
                        value=name error=error_for("name") required=true on_edit=mark("name")/>
                }.into_any()
            }}
            {kind_fields}
            <div id=FORM_ERROR_ID class="form-error" role="alert" tabindex="-1">
                {move || form_error.get()}
            </div>
            <div class="actions">
                <button type="submit" class="button" disabled=move || pending.get()>
                    {move || match (pending.get(), editing.with(Option::is_some)) {
                        (true, _) => "Saving…",
                        (false, true) => "Replace credential",
                        (false, false) => "Save credential",
                    }}
                </button>
                {move || editing.with(Option::is_some).then(|| view! {
                    <button type="button" class="button button--secondary" on:click=move |_| reset()>
                        "Cancel"
                    </button>
                })}
            </div>
        </form>
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
    let fields: Vec<FieldError> = problem.errors.iter().filter(known).cloned().collect();
    let other = if fields.is_empty() {
        Some(error.message())
    } else {
        None
    };
    (fields, other)
}
