//! The registry credential form: one form, three kinds (Docker Hub, IBM
//! Cloud Container Registry, any other registry), each showing only what it
//! needs. Validates with the server's own rules as the person types; the
//! secret is typed into a masked input and cleared as soon as it was saved.
//! Shared: the credentials page uses it, and the images page to add a
//! credential in place.

use berth_shared::credentials::{DOCKER_HUB_SERVER, ICR_SERVERS, ICR_USERNAME};
use berth_shared::names::OBJECT_NAME_RULE;
use berth_shared::{RegistryCredential, RegistryKind, SaveRegistryCredential};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::{FormState, SecretInput, TextField, aria_bool, focus_by_id};
use crate::i18n::{self, t};

const NAME_ID: &str = "credential-name";
const SERVER_ID: &str = "credential-server";
const USERNAME_ID: &str = "credential-username";
const SECRET_ID: &str = "credential-secret";
const FILE_ID: &str = "credential-apikey-file";
const FORM_ERROR_ID: &str = "credential-form-error";
const FIELDS: &[(&str, &str)] = &[
    ("name", NAME_ID),
    ("server", SERVER_ID),
    ("username", USERNAME_ID),
    ("secret", SECRET_ID),
];

/// What a person calls each kind of registry, in their language.
fn kind_label(kind: RegistryKind) -> &'static str {
    match kind {
        RegistryKind::DockerHub => t!("Docker Hub"),
        RegistryKind::Icr => t!("IBM Cloud Container Registry"),
        RegistryKind::Other => t!("Another registry"),
    }
}

/// The line under each kind: where it is.
fn kind_hint(kind: RegistryKind) -> &'static str {
    match kind {
        // A host name: the same in every language.
        RegistryKind::DockerHub => "hub.docker.com",
        RegistryKind::Icr => t!("icr.io and its regional servers, such as de.icr.io"),
        RegistryKind::Other => t!("Any registry by its server name, such as registry.example.com"),
    }
}

/// An IBM Cloud Container Registry location in the reader's language
/// (`ICR_SERVERS` has the English names; the region codes stay as IBM
/// writes them).
fn icr_place(host: &str, english: &'static str) -> &'static str {
    match host {
        "icr.io" => t!("Global"),
        "us.icr.io" => t!("Dallas (us-south)"),
        "ca.icr.io" => t!("Toronto (ca-tor)"),
        "br.icr.io" => t!("São Paulo (br-sao)"),
        "uk.icr.io" => t!("London (uk-south)"),
        "de.icr.io" => t!("Frankfurt (eu-central)"),
        "fr2.icr.io" => t!("Paris (eu-fr2)"),
        "es.icr.io" => t!("Madrid (eu-es)"),
        "jp.icr.io" => t!("Tokyo (ap-north)"),
        "jp2.icr.io" => t!("Osaka (jp-osa)"),
        "au.icr.io" => t!("Sydney (ap-south)"),
        _ => english,
    }
}

/// Creates a credential, or replaces `editing` when it holds one.
#[component]
pub fn CredentialForm(
    #[prop(into)] project: Signal<String>,
    /// Runs after a save, once the form is empty again; the caller says
    /// so where the person is looking.
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
    let file_note = RwSignal::new(String::new());
    let file_error = RwSignal::new(None::<String>);

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
    let own_errors = Memo::new(move |_| request().validate());
    let form = FormState::new(FIELDS, FORM_ERROR_ID, own_errors);

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
            form.reset();
            focus_by_id(SECRET_ID);
        }
    });

    // Empty again: after a save, or when replacing is cancelled.
    let clear = move || {
        name.set(String::new());
        server.set(String::new());
        username.set(String::new());
        secret.set(String::new());
        file_note.set(String::new());
        file_error.set(None);
        form.reset();
        editing.set(None);
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.begin() {
            return;
        }
        let body = untrack(request);
        let project = project.get_untracked();
        let replacing = editing.get_untracked();
        spawn_local(async move {
            let result = match &replacing {
                Some(old) => {
                    api::replace_credential(&project, &old.name, &old.stamps.version, &body).await
                }
                None => api::create_credential(&project, &body).await,
            };
            // The secret leaves memory as soon as it was sent.
            drop(body);
            match result {
                Ok(saved) => {
                    clear();
                    on_saved.run(saved);
                }
                Err(error) => form.fail(&error),
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
                    form.mark("secret").run(());
                    file_note.set(t!("The API key was read from {file}.", file = file.name()));
                }
                None => file_error.set(Some(t!(
                    "{file} has no API key in it. Choose the apikey.json file you downloaded when you created the key.",
                    file = file.name()
                ))),
            }
        });
    };

    // The label is the kind alone; where it is goes on a line of its own
    // that describes the choice (not part of its name).
    let kind_choice = move |value: RegistryKind| {
        let id = format!("credential-kind-{}", value.as_str());
        let hint_id = format!("{id}-hint");
        view! {
            <div class="choice">
                <input
                    type="radio"
                    id=id.clone()
                    name="credential-kind"
                    value=value.as_str()
                    aria-describedby=hint_id.clone()
                    prop:checked=move || kind.get() == value
                    disabled=move || editing.with(Option::is_some)
                    on:change=move |_| {
                        kind.set(value);
                        // The other kind's refusals are about fields no
                        // longer shown.
                        if !form.pending().get_untracked() {
                            form.reset();
                        }
                    }
                />
                <div>
                    <label for=id>{kind_label(value)}</label>
                    <span id=hint_id class="choice__hint">{kind_hint(value)}</span>
                </div>
            </div>
        }
    };

    let server_error = form.error_for("server");
    let kind_fields = move || {
        match kind.get() {
        RegistryKind::DockerHub => view! {
            <p class="fixed-value">{t!("Server:")} " " <code>{DOCKER_HUB_SERVER}</code></p>
            <TextField id=USERNAME_ID label=t!("Docker ID") value=username
                error=form.error_for("username") required=true on_edit=form.mark("username")/>
            <SecretInput id=SECRET_ID label=t!("Access token or password")
                hint=t!("We recommend a personal access token (Docker Hub: Account settings → Personal access tokens) instead of your password: it can be limited to reading images and revoked on its own, without changing your password.")
                value=secret error=form.error_for("secret") on_edit=form.mark("secret")
                show=t!("Show access token or password") hide=t!("Hide access token or password")
                visible_note=t!("The access token or password is visible.")
                hidden_note=t!("The access token or password is hidden.")/>
        }
        .into_any(),
        RegistryKind::Icr => {
            let current = icr_server.get_untracked();
            view! {
                <div class="field" class:field--invalid=move || server_error.with(Option::is_some)>
                    <label for=SERVER_ID class="field__label">{t!("Location")}</label>
                    <p id="credential-server-error" class="field__error"
                        hidden=move || server_error.with(Option::is_none)>
                        <span class="visually-hidden">{t!("Error: ")}</span>
                        {move || server_error.get()}
                    </p>
                    <select id=SERVER_ID
                        aria-invalid=move || aria_bool(server_error.with(Option::is_some))
                        aria-describedby=move || server_error.with(Option::is_some).then_some("credential-server-error")
                        prop:value=move || icr_server.get()
                        on:change=move |ev| {
                            icr_server.set(event_target_value(&ev));
                            form.mark("server").run(());
                        }>
                        // Static options, type-erased: lists of views are costly in
                        // the bundle per item type, `AnyView` items share one copy.
                        {ICR_SERVERS.iter().map(|&(host, place)| view! {
                            <option value=host selected=host == current>
                                {format!("{host} — {}", icr_place(host, place))}
                            </option>
                        }.into_any()).collect_view()}
                    </select>
                </div>
                <div class="fixed-value">
                    <p>{t!("User name:")} " " <code>{ICR_USERNAME}</code></p>
                    <p class="field__hint">{t!("IBM Cloud uses this user name for every API key.")}</p>
                </div>
                <SecretInput id=SECRET_ID label=t!("API key")
                    hint=t!("Type or paste the API key, or read it from the apikey.json file below.")
                    value=secret error=form.error_for("secret") on_edit=form.mark("secret")
                    show=t!("Show API key") hide=t!("Hide API key")
                    visible_note=t!("The API key is visible.")
                    hidden_note=t!("The API key is hidden.")/>
                <div class="field" class:field--invalid=move || file_error.with(Option::is_some)>
                    <label for=FILE_ID class="field__label">{t!("Read the API key from apikey.json")}</label>
                    <p id="credential-apikey-file-hint" class="field__hint">
                        {t!("The file stays on your computer: only the key in it is put into the field above.")}
                    </p>
                    <p id="credential-apikey-file-error" class="field__error"
                        hidden=move || file_error.with(Option::is_none)>
                        <span class="visually-hidden">{t!("Error: ")}</span>
                        {move || file_error.get()}
                    </p>
                    <input id=FILE_ID type="file" accept=".json,application/json"
                        aria-describedby=move || if file_error.with(Option::is_some) {
                            "credential-apikey-file-hint credential-apikey-file-error"
                        } else {
                            "credential-apikey-file-hint"
                        }
                        on:change=on_file/>
                    <p class="status-message banner banner--success" role="status" aria-live="polite">
                        {move || file_note.get()}
                    </p>
                </div>
            }
            .into_any()
        }
        RegistryKind::Other => view! {
            <TextField id=SERVER_ID label=t!("Registry server")
                hint=t!("Host name and, if needed, port: registry.example.com or registry.example.com:5000. No https://.")
                value=server error=server_error required=true on_edit=form.mark("server")/>
            <TextField id=USERNAME_ID label=t!("User name") value=username
                error=form.error_for("username") required=true on_edit=form.mark("username")/>
            <SecretInput id=SECRET_ID label=t!("Password") value=secret
                error=form.error_for("secret") on_edit=form.mark("secret")
                show=t!("Show password") hide=t!("Hide password")
                visible_note=t!("The password is visible.")
                hidden_note=t!("The password is hidden.")/>
        }
        .into_any(),
    }
    };

    let replacing = move || editing.with(Option::is_some);
    view! {
        <form class="form" novalidate on:submit=on_submit>
            <fieldset class="choices">
                <legend class="field__label">{t!("Registry")}</legend>
                {kind_choice(RegistryKind::DockerHub)}
                {kind_choice(RegistryKind::Icr)}
                {kind_choice(RegistryKind::Other)}
            </fieldset>
            {move || if replacing() {
                view! {
                    <p class="fixed-value">
                        {move || t!(
                            "Replacing {name}. Type the secret again: Berth never shows the saved one.",
                            name = name.get()
                        )}
                    </p>
                }.into_any()
            } else {
                view! {
                    <TextField id=NAME_ID label=t!("Credential name")
                        hint=i18n::coded("hint.object_name", OBJECT_NAME_RULE)
                        value=name error=form.error_for("name") required=true on_edit=form.mark("name")/>
                }.into_any()
            }}
            {kind_fields}
            <div id=form.form_error_id() class="form-error banner banner--error" role="alert" tabindex="-1">
                {move || form.form_error().get()}
            </div>
            <div class="actions">
                <button type="submit" class="button" disabled=move || form.pending().get()>
                    {move || match (form.pending().get(), replacing()) {
                        (true, _) => t!("Saving…"),
                        (false, true) => t!("Replace credential"),
                        (false, false) => t!("Save credential"),
                    }}
                </button>
                {move || replacing().then(|| view! {
                    <button type="button" class="button button--secondary" on:click=move |_| clear()>
                        {t!("Cancel")}
                    </button>
                })}
            </div>
        </form>
    }
}
