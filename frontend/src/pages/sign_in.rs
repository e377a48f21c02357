//! The sign-in form, and the form that replaces a one-time password.
//!
//! Both are plain forms a password manager understands: `username` and
//! `current-password` / `new-password` autofill hints, real labels, and
//! the errors next to the fields (or for the form, in an alert).

use berth_shared::session::{PASSWORD_MIN_CHARS, validate_password};
use berth_shared::{ChangePassword, FieldError, Login, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::app::SignedIn;
use crate::components::{SecretInput, TextField, focus_by_id, message_for, set_page_title};

const FORM_ERROR_ID: &str = "sign-in-error";

/// Asks for the user name and password; hands the session on.
#[component]
pub fn SignInPage(on_signed_in: Callback<Session>) -> impl IntoView {
    set_page_title("Sign in");
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let form_error = RwSignal::new(None::<String>);
    let submitted = RwSignal::new(false);
    let username_error = Signal::derive(move || {
        (submitted.get() && username.read().trim().is_empty())
            .then(|| "Enter your user name.".to_owned())
    });
    let password_error = Signal::derive(move || {
        (submitted.get() && password.read().is_empty()).then(|| "Enter your password.".to_owned())
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        if username_error.get_untracked().is_some() {
            focus_by_id("username");
            return;
        }
        if password_error.get_untracked().is_some() {
            focus_by_id("password");
            return;
        }
        let login = Login {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        form_error.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = api::sign_in(&login).await;
            pending.set(false);
            match result {
                Ok(session) => on_signed_in.run(session),
                Err(error) => {
                    form_error.set(Some(error.message()));
                    focus_by_id(FORM_ERROR_ID);
                }
            }
        });
    };

    view! {
        <h1>"Sign in to Berth"</h1>
        <form class="form panel" novalidate on:submit=on_submit>
            <TextField id="username" label="User name" value=username error=username_error required=true autocomplete="username"/>
            <SecretInput id="password" label="Password" value=password error=password_error own_password="current-password"/>
            <div id=FORM_ERROR_ID class="form-error" role="alert" tabindex="-1">
                {move || form_error.get()}
            </div>
            <button type="submit" class="button" disabled=move || pending.get()>
                {move || if pending.get() { "Signing in…" } else { "Sign in" }}
            </button>
        </form>
    }
}

/// The signed-in person changes their own password (`/account/password`,
/// linked from the user menu).
#[component]
pub fn OwnPasswordPage() -> impl IntoView {
    let signed_in = expect_context::<RwSignal<SignedIn>>();
    let on_changed = Callback::new(move |session| signed_in.set(SignedIn::Yes(session)));
    move || match signed_in.get_untracked() {
        SignedIn::Yes(session) => {
            view! { <ChangePasswordPage session=session on_changed=on_changed by_choice=true/> }
                .into_any()
        }
        _ => ().into_any(),
    }
}

/// Replaces the password; shown right after signing in with a one-time
/// password, before anything else, and (`by_choice`) whenever the person
/// wants to change theirs.
#[component]
pub fn ChangePasswordPage(
    session: Session,
    on_changed: Callback<Session>,
    #[prop(optional)] by_choice: bool,
) -> impl IntoView {
    set_page_title(if by_choice {
        "Change your password"
    } else {
        "Choose your password"
    });
    let saved = RwSignal::new(String::new());
    let current = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let submitted = RwSignal::new(false);
    let form_error = RwSignal::new(None::<String>);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let request = Memo::new(move |_| ChangePassword {
        current_password: current.get(),
        new_password: new_password.get(),
    });
    let error_for = move |field: &'static str| {
        Signal::derive(move || {
            let own = submitted
                .get()
                .then(|| message_for(&request.read().validate(), field))
                .flatten();
            own.or_else(|| message_for(&server_errors.read(), field))
        })
    };
    // The rule is shown as the new password is typed, not only on submit.
    let new_error = Signal::derive(move || {
        let typed = new_password.read();
        let early = (!typed.is_empty())
            .then(|| validate_password(&typed).err())
            .flatten();
        early.or_else(|| error_for("newPassword").get())
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        let body = request.get_untracked();
        let errors = body.validate();
        if let Some(first) = errors.first() {
            focus_by_id(if first.field == "currentPassword" {
                "current-password"
            } else {
                "new-password"
            });
            return;
        }
        server_errors.set(Vec::new());
        form_error.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = api::change_password(&body).await;
            pending.set(false);
            match result {
                Ok(session) => {
                    if by_choice {
                        current.set(String::new());
                        new_password.set(String::new());
                        submitted.set(false);
                        saved.set(
                            "Your password is changed. Use the new one next time you sign in."
                                .to_owned(),
                        );
                        focus_by_id("password-saved");
                    }
                    on_changed.run(session);
                }
                Err(ApiError::Problem(problem)) if !problem.errors.is_empty() => {
                    let first = problem.errors[0].field.clone();
                    server_errors.set(problem.errors);
                    focus_by_id(if first == "currentPassword" {
                        "current-password"
                    } else {
                        "new-password"
                    });
                }
                Err(error) => {
                    form_error.set(Some(error.message()));
                    focus_by_id("change-password-error");
                }
            }
        });
    };

    let intro = if by_choice {
        view! {
            <h1>"Change your password"</h1>
            <p>"You are signed in as " <strong>{session.user}</strong> ". Your old password stops working once the new one is saved."</p>
        }
        .into_any()
    } else {
        view! {
            <h1>"Choose your password"</h1>
            <p>
                "You signed in as " <strong>{session.user}</strong>
                " with a one-time password. Choose your own to go on; the one-time password then stops working."
            </p>
        }
        .into_any()
    };
    let current_hint = if by_choice {
        "The password you sign in with now."
    } else {
        "The one-time password you signed in with."
    };
    view! {
        {intro}
        <form class="form panel" novalidate on:submit=on_submit>
            <p id="password-saved" class="status-message" role="status" tabindex="-1">{move || saved.get()}</p>
            <SecretInput id="current-password" label="Current password" hint=current_hint value=current error=error_for("currentPassword") own_password="current-password"/>
            <SecretInput id="new-password" label="New password" hint=format!("At least {PASSWORD_MIN_CHARS} characters; a few words make a good password.") value=new_password error=new_error own_password="new-password"/>
            <div id="change-password-error" class="form-error" role="alert" tabindex="-1">
                {move || form_error.get()}
            </div>
            <button type="submit" class="button" disabled=move || pending.get()>
                {move || if pending.get() { "Saving…" } else { "Save password" }}
            </button>
        </form>
    }
}
