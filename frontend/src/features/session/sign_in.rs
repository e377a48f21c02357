//! The sign-in form.

use berth_shared::{FieldError, Login};

use crate::api::SignedIn;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::{FormState, SecretInput, TextField, set_page_title};
use crate::i18n::t;

/// The form's fields in page order: JSON field → input id.
const FIELDS: &[(&str, &str)] = &[("username", "username"), ("password", "password")];
const FORM_ERROR_ID: &str = "sign-in-error";

/// Asks for the user name and password; hands the session on.
#[component]
pub fn SignInPage() -> impl IntoView {
    let signed_in = expect_context::<RwSignal<SignedIn>>();
    set_page_title(t!("Sign in"));
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // The shared rules have nothing to say about a sign-in but "fill it in".
    let own = Memo::new(move |_| {
        let mut errors = Vec::new();
        if username.read().trim().is_empty() {
            errors.push(missing("username", t!("Enter your user name.")));
        }
        if password.read().is_empty() {
            errors.push(missing("password", t!("Enter your password.")));
        }
        errors
    });
    let form = FormState::new(FIELDS, FORM_ERROR_ID, own);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.begin() {
            return;
        }
        let login = Login {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match api::sign_in(&login).await {
                Ok(session) => {
                    form.reset();
                    signed_in.set(SignedIn::Yes(session));
                }
                Err(error) => form.fail(&error),
            }
        });
    };

    view! {
        <h1>{t!("Sign in to Berth")}</h1>
        <form class="form panel" novalidate on:submit=on_submit>
            <TextField id="username" label=t!("User name") value=username error=form.error_for("username")
                on_edit=form.mark("username") required=true autocomplete="username"/>
            <SecretInput id="password" label=t!("Password") value=password error=form.error_for("password")
                on_edit=form.mark("password") own_password="current-password"
                show=t!("Show password") hide=t!("Hide password") visible_note=t!("The password is visible.") hidden_note=t!("The password is hidden.")/>
            <div id=FORM_ERROR_ID class="form-error banner banner--error" role="alert" tabindex="-1">
                {move || form.form_error().get()}
            </div>
            <button type="submit" class="button" disabled=move || form.pending().get()>
                {move || if form.pending().get() { t!("Signing in…") } else { t!("Sign in") }}
            </button>
        </form>
    }
}

/// A field left empty, said in the reader's language already (no code:
/// the shared rules have none for it, so the text is shown as it is).
fn missing(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
        code: String::new(),
        params: Default::default(),
    }
}
