//! Environment variables of a job: plain ones travel in the template,
//! sensitive ones are write-only and stored apart.

use serde::{Deserialize, Serialize};

use super::LIST_MAX;
use crate::message;
use crate::message::{CharCodes, Message, char_codes, char_message};

const NAME_CHAR: CharCodes = char_codes("env.name.char_invalid");
use crate::problem::FieldError;

/// Longest variable name (also a Secret key).
pub const ENV_NAME_MAX: usize = 253;
/// Longest value.
pub const ENV_VALUE_MAX: usize = 32 * 1024;

/// One variable. In the API's answers a sensitive variable's `value` is
/// always empty; `Debug` never shows it either.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnvVar {
    pub name: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub sensitive: bool,
}

impl EnvVar {
    pub fn plain(name: &str, value: &str) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            sensitive: false,
        }
    }

    pub fn sensitive(name: &str, value: &str) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            sensitive: true,
        }
    }
}

impl std::fmt::Debug for EnvVar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value: &dyn std::fmt::Debug = if self.sensitive {
            &"[REDACTED]"
        } else {
            &self.value
        };
        f.debug_struct("EnvVar")
            .field("name", &self.name)
            .field("value", value)
            .field("sensitive", &self.sensitive)
            .finish()
    }
}

/// A valid environment variable name: `[A-Za-z_][A-Za-z0-9_]*`, which the
/// shells and Kubernetes Secret keys both accept.
pub fn validate_env_name(name: &str) -> Result<(), Message> {
    if name.is_empty() {
        return Err(message!("name.required"));
    }
    if name.chars().count() > ENV_NAME_MAX {
        return Err(message!("text.too_long").with("max", ENV_NAME_MAX));
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(message!("env.name.start"));
    }
    if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || c == '_'))
    {
        return Err(char_message(&NAME_CHAR, c));
    }
    Ok(())
}

pub(super) fn env_errors(env: &[EnvVar], stored: &[String], errors: &mut Vec<FieldError>) {
    if env.len() > LIST_MAX {
        errors.push(FieldError::new(
            "env",
            message!("env.too_many").with("max", LIST_MAX),
        ));
    }
    for (i, var) in env.iter().enumerate() {
        if let Err(e) = validate_env_name(&var.name) {
            errors.push(FieldError::new(format!("env[{i}].name"), e));
        } else if env[..i].iter().any(|v| v.name == var.name) {
            errors.push(FieldError::new(
                format!("env[{i}].name"),
                message!("env.name.duplicate").with("name", &var.name),
            ));
        }
        let value_error = if var.value.chars().count() > ENV_VALUE_MAX {
            Some(message!("text.too_long").with("max", ENV_VALUE_MAX))
        } else if var.sensitive && var.value.is_empty() && !stored.contains(&var.name) {
            Some(message!("env.value.required"))
        } else {
            None
        };
        if let Some(message) = value_error {
            errors.push(FieldError::new(format!("env[{i}].value"), message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_c_identifiers() {
        for ok in ["A", "_x", "PATH_2", "lower"] {
            assert_eq!(validate_env_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", "1A", "A-B", "A B", "É"] {
            assert!(validate_env_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_unique_and_sensitive_values_needed_unless_stored() {
        let env = vec![
            EnvVar::plain("A", ""),
            EnvVar::plain("A", "x"),
            EnvVar::sensitive("KEPT", ""),
            EnvVar::sensitive("NEW", ""),
        ];
        let mut errors = Vec::new();
        env_errors(&env, &["KEPT".to_owned()], &mut errors);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["env[1].name", "env[3].value"]);
        assert_eq!(errors[0].code, "env.name.duplicate");
        assert_eq!(errors[0].params["name"], "A");
        assert_eq!(
            errors[0].message,
            "“A” is already set above; use each name once."
        );
        assert_eq!(errors[1].code, "env.value.required");
    }
}
