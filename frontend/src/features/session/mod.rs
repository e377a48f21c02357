//! Signing in, and replacing a password: the one-time password of a new
//! account (before anything else), or one's own by choice.
//!
//! Both are plain forms a password manager understands: `username` and
//! `current-password` / `new-password` autofill hints, real labels, and
//! the errors next to the fields (or for the form, in an alert). Their code
//! is fetched when they are first shown (app/on_demand.rs): most first
//! loads are of a person already signed in.

mod password;
mod sign_in;

pub use password::{FirstPasswordPage, OwnPasswordPage};
pub use sign_in::SignInPage;
