//! Replacing a password: the one-time password right after the first
//! sign-in, or one's own from the user menu (`/account/password`).

use berth_shared::session::PASSWORD_MIN_CHARS;
use berth_shared::{ChangePassword, Session};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::api::SignedIn;
use crate::components::{FormState, SecretInput, focus_by_id, set_page_title};
use crate::i18n::{intl, t};

/// The form's fields in page order: JSON field → input id.
const FIELDS: &[(&str, &str)] = &[
    ("currentPassword", "current-password"),
    ("newPassword", "new-password"),
];
const FORM_ERROR_ID: &str = "change-password-error";
const SAVED_ID: &str = "password-saved";

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

/// The password to choose right after signing in with a one-time one,
/// before anything else.
#[component]
pub fn FirstPasswordPage() -> impl IntoView {
    let signed_in = expect_context::<RwSignal<SignedIn>>();
    let on_changed = Callback::new(move |session| signed_in.set(SignedIn::Yes(session)));
    move || match signed_in.get_untracked() {
        SignedIn::Yes(session) => {
            view! { <ChangePasswordPage session=session on_changed=on_changed/> }.into_any()
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
    let title = if by_choice {
        t!("Change your password")
    } else {
        t!("Choose your password")
    };
    set_page_title(title);
    let saved = RwSignal::new(String::new());
    let current = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let request = Memo::new(move |_| ChangePassword {
        current_password: current.get(),
        new_password: new_password.get(),
    });
    // The shared rules; the new password's shows as it is typed, since
    // typing marks the field.
    let own = Memo::new(move |_| request.read().validate());
    let form = FormState::new(FIELDS, FORM_ERROR_ID, own);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.begin() {
            return;
        }
        saved.set(String::new());
        let body = request.get_untracked();
        spawn_local(async move {
            match api::change_password(&body).await {
                Ok(session) => {
                    if by_choice {
                        current.set(String::new());
                        new_password.set(String::new());
                        saved.set(
                            t!("Your password is changed. Use the new one next time you sign in.")
                                .to_owned(),
                        );
                        focus_by_id(SAVED_ID);
                    }
                    form.reset();
                    on_changed.run(session);
                }
                Err(error) => form.fail(&error),
            }
        });
    };

    let user = session.user;
    let intro = if by_choice {
        sentence(
            t!(
                "You are signed in as {user}. Your old password stops working once the new one is saved."
            ),
            user,
        )
    } else {
        sentence(
            t!(
                "You signed in as {user} with a one-time password. Choose your own to go on; the one-time password then stops working."
            ),
            user,
        )
    };
    let current_hint = if by_choice {
        t!("The password you sign in with now.")
    } else {
        t!("The one-time password you signed in with.")
    };
    let new_hint = t!(
        "At least {min} characters; a few words make a good password.",
        min = intl::number(PASSWORD_MIN_CHARS)
    );
    view! {
        <h1>{title}</h1>
        <p>{intro}</p>
        <form class="form panel" novalidate on:submit=on_submit>
            <p id=SAVED_ID class="status-message banner banner--success" role="status" tabindex="-1">
                {move || saved.get()}
            </p>
            <SecretInput id="current-password" label=t!("Current password") hint=current_hint value=current
                error=form.error_for("currentPassword") on_edit=form.mark("currentPassword") own_password="current-password"
                show=t!("Show password") hide=t!("Hide password") visible_note=t!("The password is visible.") hidden_note=t!("The password is hidden.")/>
            <SecretInput id="new-password" label=t!("New password") hint=new_hint value=new_password
                error=form.error_for("newPassword") on_edit=form.mark("newPassword") own_password="new-password"
                show=t!("Show password") hide=t!("Hide password") visible_note=t!("The password is visible.") hidden_note=t!("The password is hidden.")/>
            <div id=FORM_ERROR_ID class="form-error banner banner--error" role="alert" tabindex="-1">
                {move || form.form_error().get()}
            </div>
            <button type="submit" class="button" disabled=move || form.pending().get()>
                {move || if form.pending().get() { t!("Saving…") } else { t!("Save password") }}
            </button>
        </form>
    }
}

/// A translated sentence with the user name in bold where its `{user}` is,
/// so each language keeps its own word order.
fn sentence(template: &'static str, user: String) -> impl IntoView {
    let (before, after) = template.split_once("{user}").unwrap_or((template, ""));
    view! { {before}<strong>{user}</strong>{after} }
}
