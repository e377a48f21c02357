//! Signing in and who is signed in.

use serde::{Deserialize, Serialize};

use crate::message;
use crate::message::Message;
use crate::names::{NameError, validate_dns_label};
use crate::problem::FieldError;

/// Longest local user name.
pub const USERNAME_MAX: usize = 40;
/// Shortest password Berth accepts for a local account.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest password (argon2 takes any length; this bounds the work).
pub const PASSWORD_MAX_CHARS: usize = 256;

/// What the login form sends.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Login {
    pub username: String,
    pub password: String,
}

// Never print a password, not even by accident in a debug log.
impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// What the change-password form sends.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

impl std::fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangePassword { .. }")
    }
}

impl ChangePassword {
    /// Field errors, empty when the request is acceptable.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.current_password.is_empty() {
            errors.push(FieldError::new(
                "currentPassword",
                message!("session.current_password.required"),
            ));
        }
        if let Err(message) = validate_password(&self.new_password) {
            errors.push(FieldError::new("newPassword", message));
        } else if self.new_password == self.current_password {
            errors.push(FieldError::new(
                "newPassword",
                message!("session.password.unchanged"),
            ));
        }
        errors
    }
}

/// The person signed in, as `GET /api/v1/session` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The user id: a local user name, or the OIDC subject.
    pub user: String,
    /// What to call the person (OIDC name or email; the local user name).
    pub display_name: String,
    /// Sees every project.
    pub admin: bool,
    /// `session` (a sign-in cookie) or `bearer` (a token from a portal).
    pub via: String,
    /// Send it back as `X-CSRF-Token` with every change made with the cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    /// The one-time password of a new account must be changed before
    /// anything else can be done.
    #[serde(default)]
    pub password_change_required: bool,
    /// RFC 3339; when the sign-in ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// The header that carries the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Local user names: lowercase letters, digits and hyphens, as in
/// Kubernetes object names (each account is stored under its name).
pub fn validate_username(name: &str) -> Result<(), NameError> {
    validate_dns_label(name, USERNAME_MAX)
}

/// The rule for a new password.
pub fn validate_password(password: &str) -> Result<(), Message> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        Err(message!("session.password.too_short").with("min", PASSWORD_MIN_CHARS))
    } else if chars > PASSWORD_MAX_CHARS {
        Err(message!("text.too_long").with("max", PASSWORD_MAX_CHARS))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_enough_and_change() {
        let short = validate_password("short").expect_err("short");
        assert_eq!(short.code, "session.password.too_short");
        assert_eq!(short.params["min"], "12");
        assert_eq!(
            short.english(),
            "Use at least 12 characters; a few words make a good password."
        );
        assert!(validate_password("correct horse battery").is_ok());
        let same = ChangePassword {
            current_password: "correct horse battery".into(),
            new_password: "correct horse battery".into(),
        };
        assert_eq!(same.validate().len(), 1);
        let fine = ChangePassword {
            current_password: "old one".into(),
            new_password: "correct horse battery".into(),
        };
        assert!(fine.validate().is_empty());
    }

    #[test]
    fn debug_output_never_shows_a_password() {
        let login = Login {
            username: "ada".into(),
            password: "hunter2hunter2".into(),
        };
        assert!(!format!("{login:?}").contains("hunter2"));
        let change = ChangePassword {
            current_password: "hunter2hunter2".into(),
            new_password: "tr0ub4dor&3xyz".into(),
        };
        let printed = format!("{change:?}");
        assert!(!printed.contains("hunter2") && !printed.contains("tr0ub4dor"));
    }
}
