//! Name rules, written once for the browser and the server.
//!
//! Kubernetes names come in two shapes: a DNS-1123 *label* (namespaces) and a
//! DNS-1123 *subdomain* (secrets, custom resources). Project names become
//! namespace names after a configurable prefix, so they are labels with room
//! left for that prefix.

use thiserror::Error;

use crate::message;
use crate::message::{CharCodes, Message, char_codes, char_message};

const LABEL_CHAR: CharCodes = char_codes("name.char_invalid.label");
const SUBDOMAIN_CHAR: CharCodes = char_codes("name.char_invalid.subdomain");

/// Longest project name. A namespace name is at most 63 characters; keeping
/// projects at 40 leaves up to 23 characters for the namespace prefix.
pub const PROJECT_NAME_MAX: usize = 40;

/// Longest DNS-1123 label (namespace names).
pub const LABEL_MAX: usize = 63;

/// Longest DNS-1123 subdomain (names of most Kubernetes objects).
pub const SUBDOMAIN_MAX: usize = 253;

/// The rule for project names, as the form's hint states it. The errors
/// below use the same words, so the hint and an error never disagree.
pub const PROJECT_NAME_RULE: &str = "Up to 40 characters: lowercase letters, digits and hyphens. Start with a lowercase letter and end with a lowercase letter or a digit.";

/// The rule for names of credentials and images, as hints state it.
pub const OBJECT_NAME_RULE: &str = "Up to 253 characters: lowercase letters, digits, hyphens and dots. Start and end with a lowercase letter or a digit.";

/// Why a name was refused, in words a person understands.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.message())]
pub enum NameError {
    Empty,
    TooLong { max: usize, len: usize },
    InvalidLabelChar(char),
    InvalidSubdomainChar(char),
    MustStartWithLetter,
    MustStartWithAlphanumeric,
    MustEndWithAlphanumeric,
    BadDotSegment,
}

impl NameError {
    /// The refusal as a code and its values.
    pub fn message(&self) -> Message {
        match self {
            Self::Empty => message!("name.required"),
            Self::TooLong { max, len } => message!("text.too_long_counted")
                .with("max", max)
                .with("length", len),
            Self::InvalidLabelChar(c) => char_message(&LABEL_CHAR, *c),
            Self::InvalidSubdomainChar(c) => char_message(&SUBDOMAIN_CHAR, *c),
            Self::MustStartWithLetter => message!("name.start.letter"),
            Self::MustStartWithAlphanumeric => message!("name.start.alphanumeric"),
            Self::MustEndWithAlphanumeric => message!("name.end.alphanumeric"),
            Self::BadDotSegment => message!("name.dot_part"),
        }
    }
}

fn is_lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn check_length(name: &str, max: usize) -> Result<(), NameError> {
    let len = name.chars().count();
    if len == 0 {
        return Err(NameError::Empty);
    }
    if len > max {
        return Err(NameError::TooLong { max, len });
    }
    Ok(())
}

/// A DNS-1123 label of at most `max` characters: lowercase alphanumerics and
/// `-`, starting and ending with an alphanumeric.
pub fn validate_dns_label(name: &str, max: usize) -> Result<(), NameError> {
    check_length(name, max)?;
    if let Some(c) = name.chars().find(|&c| !(is_lower_alnum(c) || c == '-')) {
        return Err(NameError::InvalidLabelChar(c));
    }
    label_ends(name)
}

fn label_ends(label: &str) -> Result<(), NameError> {
    if !label.starts_with(is_lower_alnum) {
        return Err(NameError::MustStartWithAlphanumeric);
    }
    if !label.ends_with(is_lower_alnum) {
        return Err(NameError::MustEndWithAlphanumeric);
    }
    Ok(())
}

/// A project name: a DNS-1123 label that starts with a letter (so it never
/// looks like a number) and leaves room for the namespace prefix.
pub fn validate_project_name(name: &str) -> Result<(), NameError> {
    check_length(name, PROJECT_NAME_MAX)?;
    if let Some(c) = name.chars().find(|&c| !(is_lower_alnum(c) || c == '-')) {
        return Err(NameError::InvalidLabelChar(c));
    }
    // Checked before the general label rule, so "-shop" and "1shop" get the
    // same advice as the hint gives: start with a letter.
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(NameError::MustStartWithLetter);
    }
    label_ends(name)
}

/// A DNS-1123 subdomain: the rule for credentials, image pointers, job
/// templates and most Kubernetes object names.
pub fn validate_object_name(name: &str) -> Result<(), NameError> {
    check_length(name, SUBDOMAIN_MAX)?;
    if let Some(c) = name
        .chars()
        .find(|&c| !(is_lower_alnum(c) || c == '-' || c == '.'))
    {
        return Err(NameError::InvalidSubdomainChar(c));
    }
    label_ends(name)?;
    if name.split('.').any(|part| label_ends(part).is_err()) {
        return Err(NameError::BadDotSegment);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_follow_label_rules() {
        assert_eq!(validate_project_name("my-project-1"), Ok(()));
        assert_eq!(validate_project_name("a"), Ok(()));
        assert_eq!(validate_project_name(""), Err(NameError::Empty));
        assert_eq!(
            validate_project_name("My"),
            Err(NameError::InvalidLabelChar('M'))
        );
        assert_eq!(
            validate_project_name("my_project"),
            Err(NameError::InvalidLabelChar('_'))
        );
        assert_eq!(
            validate_project_name("my.project"),
            Err(NameError::InvalidLabelChar('.'))
        );
        assert_eq!(
            validate_project_name("1abc"),
            Err(NameError::MustStartWithLetter)
        );
        assert_eq!(
            validate_project_name("-abc"),
            Err(NameError::MustStartWithLetter)
        );
        assert_eq!(
            validate_project_name("abc-"),
            Err(NameError::MustEndWithAlphanumeric)
        );
        assert_eq!(
            validate_project_name("é"),
            Err(NameError::InvalidLabelChar('é'))
        );
    }

    #[test]
    fn project_name_length_is_bounded() {
        let max = "a".repeat(PROJECT_NAME_MAX);
        assert_eq!(validate_project_name(&max), Ok(()));
        let long = "a".repeat(PROJECT_NAME_MAX + 1);
        assert_eq!(
            validate_project_name(&long),
            Err(NameError::TooLong {
                max: PROJECT_NAME_MAX,
                len: PROJECT_NAME_MAX + 1
            })
        );
    }

    #[test]
    fn object_names_follow_subdomain_rules() {
        assert_eq!(validate_object_name("my.registry-cred"), Ok(()));
        assert_eq!(validate_object_name("0abc"), Ok(()));
        assert_eq!(validate_object_name("a..b"), Err(NameError::BadDotSegment));
        assert_eq!(validate_object_name("a.-b"), Err(NameError::BadDotSegment));
        assert_eq!(
            validate_object_name(".a"),
            Err(NameError::MustStartWithAlphanumeric)
        );
        assert_eq!(
            validate_object_name("a/b"),
            Err(NameError::InvalidSubdomainChar('/'))
        );
        assert_eq!(validate_object_name(&"a".repeat(SUBDOMAIN_MAX)), Ok(()));
        assert!(matches!(
            validate_object_name(&"a".repeat(SUBDOMAIN_MAX + 1)),
            Err(NameError::TooLong { .. })
        ));
    }

    #[test]
    fn labels_allow_leading_digits() {
        assert_eq!(validate_dns_label("0abc", LABEL_MAX), Ok(()));
        assert!(validate_dns_label(&"a".repeat(64), LABEL_MAX).is_err());
    }

    #[test]
    fn the_start_rule_is_said_one_way() {
        for name in ["-shop", "1shop", "9"] {
            assert_eq!(
                validate_project_name(name),
                Err(NameError::MustStartWithLetter),
                "{name}"
            );
        }
        assert!(PROJECT_NAME_RULE.contains("Start with a lowercase letter"));
        assert!(PROJECT_NAME_RULE.contains(&PROJECT_NAME_MAX.to_string()));
        assert!(OBJECT_NAME_RULE.contains(&SUBDOMAIN_MAX.to_string()));
    }

    #[test]
    fn a_space_is_called_a_space() {
        let e = validate_project_name("my shop").expect_err("a space");
        assert_eq!(
            e.to_string(),
            "Use only lowercase letters, digits and hyphens; a space is not allowed."
        );
        let e = validate_object_name("a_b").expect_err("underscore");
        assert!(e.to_string().ends_with("; “_” is not allowed."));
    }

    #[test]
    fn errors_carry_codes() {
        let e = validate_project_name("my shop").expect_err("a space");
        assert_eq!(e.message().code, "name.char_invalid.label.space");
        assert!(e.message().params.is_empty());
        let e = validate_object_name("a_b").expect_err("underscore");
        assert_eq!(e.message().code, "name.char_invalid.subdomain");
        assert_eq!(e.message().params["char"], "_");
        let e = validate_project_name(&"a".repeat(41)).expect_err("long");
        assert_eq!(e.message().params["max"], "40");
        assert_eq!(e.message().params["length"], "41");
        assert_eq!(
            e.to_string(),
            "Use at most 40 characters (this one has 41)."
        );
        for (c, said) in [
            ('\t', "a tab"),
            ('\n', "a line break"),
            ('\r', "a line break"),
            ('\u{a0}', "an invisible space"),
            ('\u{7}', "the control character U+0007"),
            ('é', "“é”"),
            (' ', "a space"),
        ] {
            assert_eq!(
                NameError::InvalidLabelChar(c).to_string(),
                format!("Use only lowercase letters, digits and hyphens; {said} is not allowed.")
            );
        }
    }
}
