//! One form's state, for every form of the console: what was typed into,
//! whether it was sent, what the server said about each field and about
//! none, and where focus goes when something is wrong.
//!
//! Errors show as the person types, but not before they start (an
//! untouched empty form is not wrong yet); the browser's check runs the
//! very rules the server runs (`berth_shared`), and the server's answer is
//! shown next to the field it names until that field is edited again.

use berth_shared::FieldError;
use leptos::prelude::*;

use super::focus_by_id;
use crate::api::ApiError;
use crate::i18n;

/// A form's state. `Copy`: every part is a signal or a `'static` table.
#[derive(Clone, Copy)]
pub struct FormState {
    /// The form's fields in page order: JSON field name → input id.
    fields: &'static [(&'static str, &'static str)],
    /// The id of the message about the form as a whole.
    form_error_id: &'static str,
    /// The browser's own check of what is typed now.
    own: Signal<Vec<FieldError>>,
    edited: RwSignal<Vec<&'static str>>,
    submitted: RwSignal<bool>,
    pending: RwSignal<bool>,
    server: RwSignal<Vec<FieldError>>,
    form_error: RwSignal<Option<String>>,
}

impl FormState {
    /// `own` is the shared validation of the current input (a `Memo` over
    /// the form's fields, usually).
    pub fn new(
        fields: &'static [(&'static str, &'static str)],
        form_error_id: &'static str,
        own: impl Into<Signal<Vec<FieldError>>>,
    ) -> Self {
        Self {
            fields,
            form_error_id,
            own: own.into(),
            edited: RwSignal::new(Vec::new()),
            submitted: RwSignal::new(false),
            pending: RwSignal::new(false),
            server: RwSignal::new(Vec::new()),
            form_error: RwSignal::new(None),
        }
    }

    /// The message to show at `field` now, in the reader's language: the
    /// browser's rule once the field was edited or the form sent, else
    /// what the server said.
    pub fn error_for(self, field: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || {
            let shown = self.edited.with(|e| e.contains(&field)) || self.submitted.get();
            let own = shown.then(|| first(&self.own.read(), field)).flatten();
            own.or_else(|| first(&self.server.read(), field))
        })
    }

    /// What to run when the person types into `field`: from now on its
    /// own rule shows, and the server's word on it is retired (the new
    /// text has not been checked by the server).
    pub fn mark(self, field: &'static str) -> Callback<()> {
        Callback::new(move |()| {
            self.edited.update(|e| {
                if !e.contains(&field) {
                    e.push(field);
                }
            });
            self.server
                .update(|errors| errors.retain(|e| e.field != field));
        })
    }

    /// On submit: `true` when the request may go (the form is then
    /// pending); otherwise focus is on the first field that is wrong.
    pub fn begin(self) -> bool {
        if self.pending.get_untracked() {
            return false;
        }
        self.submitted.set(true);
        if let Some(id) = self.first_field_id(&self.own.get_untracked()) {
            focus_by_id(id);
            return false;
        }
        self.server.set(Vec::new());
        self.form_error.set(None);
        self.pending.set(true);
        true
    }

    /// The request failed: each field error goes to its field, the rest
    /// to the form, and focus to the first of them. Nothing typed is lost.
    pub fn fail(self, error: &ApiError) {
        self.pending.set(false);
        let (fields, other) = self.split(error);
        let target = self.first_field_id(&fields).unwrap_or(self.form_error_id);
        self.server.set(fields);
        self.form_error.set(other);
        focus_by_id(target);
    }

    /// The request succeeded: the form is as new (its fields are the
    /// caller's to clear).
    pub fn reset(self) {
        self.pending.set(false);
        self.submitted.set(false);
        self.edited.set(Vec::new());
        self.server.set(Vec::new());
        self.form_error.set(None);
    }

    /// Whether a request is on its way (the submit button says so).
    pub fn pending(self) -> Signal<bool> {
        self.pending.into()
    }

    /// The message about the form as a whole, if any.
    pub fn form_error(self) -> Signal<Option<String>> {
        self.form_error.into()
    }

    pub fn form_error_id(self) -> &'static str {
        self.form_error_id
    }

    /// The id of the first input (in page order) that has an error.
    fn first_field_id(self, errors: &[FieldError]) -> Option<&'static str> {
        first_field_id(self.fields, errors)
    }

    fn split(self, error: &ApiError) -> (Vec<FieldError>, Option<String>) {
        split_errors(self.fields, error)
    }
}

/// The first message about `field`, in the reader's language.
fn first(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(i18n::field_error)
}

fn first_field_id(
    fields: &[(&'static str, &'static str)],
    errors: &[FieldError],
) -> Option<&'static str> {
    fields
        .iter()
        .find(|(field, _)| errors.iter().any(|e| e.field == *field))
        .map(|(_, id)| *id)
}

/// Splits a failed request into errors for the form's fields and one
/// message for the form as a whole (anything no field can show; the
/// server names the field of a taken name itself).
fn split_errors(
    fields: &[(&'static str, &'static str)],
    error: &ApiError,
) -> (Vec<FieldError>, Option<String>) {
    let Some(problem) = error.problem() else {
        return (Vec::new(), Some(error.message()));
    };
    let known = |e: &&FieldError| fields.iter().any(|(f, _)| *f == e.field);
    let mine: Vec<FieldError> = problem.errors.iter().filter(known).cloned().collect();
    let unknown: Vec<String> = problem
        .errors
        .iter()
        .filter(|e| !known(e))
        .map(i18n::field_error)
        .collect();
    let other = if !unknown.is_empty() {
        Some(unknown.join(" "))
    } else if mine.is_empty() {
        Some(error.message())
    } else {
        None
    };
    (mine, other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_shared::Problem;

    const FIELDS: &[(&str, &str)] = &[("name", "n-id"), ("description", "d-id")];

    fn problem(status: u16, detail: &str, errors: Vec<FieldError>) -> ApiError {
        ApiError::Problem(Box::new(Problem {
            kind: "about:blank".into(),
            title: "Refused".into(),
            status,
            detail: Some(detail.into()),
            code: None,
            params: Default::default(),
            errors,
            request_id: None,
        }))
    }

    /// A field error of a code this console does not know: its English shows.
    fn error(field: &str, english: &str) -> FieldError {
        FieldError {
            field: field.to_owned(),
            message: english.to_owned(),
            code: "test.unknown".to_owned(),
            params: Default::default(),
        }
    }

    #[test]
    fn field_errors_go_to_their_fields_and_unknown_ones_to_the_form() {
        let (fields, other) = split_errors(
            FIELDS,
            &problem(
                422,
                "Check the fields.",
                vec![
                    error("description", "Too long."),
                    error("owner", "Unknown owner."),
                ],
            ),
        );
        assert_eq!(fields, vec![error("description", "Too long.")]);
        assert_eq!(other.as_deref(), Some("Unknown owner."));
        assert_eq!(first_field_id(FIELDS, &fields), Some("d-id"));
    }

    #[test]
    fn other_failures_are_shown_for_the_form() {
        let (fields, other) = split_errors(FIELDS, &problem(500, "Broken.", vec![]));
        assert!(fields.is_empty());
        assert_eq!(other.as_deref(), Some("Broken."));
        let (_, other) = split_errors(FIELDS, &ApiError::Network);
        assert!(other.is_some_and(|m| m.contains("could not be reached")));
    }
}
