//! The create-project form.
//!
//! It validates with `CreateProject::validate`, the very rules the server
//! runs, as the person types; it sends only a valid request; and it maps the
//! server's answer (409 for a taken name, 422 field errors) back next to the
//! field concerned. Nothing typed is cleared unless the project was created.

use berth_shared::names::PROJECT_NAME_RULE;
use berth_shared::{CreateProject, DESCRIPTION_MAX_CHARS, FieldError, Project};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::{TextField, focus_by_id, message_for};

const NAME_ID: &str = "project-name";
const DESCRIPTION_ID: &str = "project-description";
const FORM_ERROR_ID: &str = "create-project-error";

/// The fields this form has, by their JSON names (as in `FieldError::field`).
const FIELDS: [(&str, &str); 2] = [("name", NAME_ID), ("description", DESCRIPTION_ID)];

/// Creates a project and hands it to `on_created`.
#[component]
pub fn CreateProjectForm(
    on_created: Callback<Project>,
    /// Runs when a valid request is sent, so the page can retire an older
    /// announcement ("Project X created.") that no longer describes the form.
    #[prop(optional)]
    on_sending: Option<Callback<()>>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    // Which fields have been typed into. Errors show as you type, but not
    // before you start: an untouched empty form is not an error yet.
    let name_edited = RwSignal::new(false);
    let description_edited = RwSignal::new(false);
    let submitted = RwSignal::new(false);
    let pending = RwSignal::new(false);
    // What the server said about fields, and anything it said about none.
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);

    let request = Memo::new(move |_| CreateProject {
        name: name.get(),
        description: description.get(),
    });
    let client_errors = Memo::new(move |_| request.with(CreateProject::validate));

    // The message to show for `field`: our own rule first (once the field was
    // edited or the form submitted), else what the server said.
    let error_for = move |field: &'static str, edited: RwSignal<bool>| {
        Signal::derive(move || {
            let own = (edited.get() || submitted.get())
                .then(|| message_for(&client_errors.read(), field))
                .flatten();
            own.or_else(|| message_for(&server_errors.read(), field))
        })
    };
    let name_error = error_for("name", name_edited);
    let description_error = error_for("description", description_edited);

    // Editing a field retires what the server said about it: the new text
    // has not been checked by the server yet.
    let edited = move |field: &'static str, flag: RwSignal<bool>| {
        Callback::new(move |()| {
            flag.set(true);
            server_errors.update(|errors| errors.retain(|e| e.field != field));
        })
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        let body = request.get_untracked();
        let errors = body.validate();
        if let Some(first) = first_field_id(&errors) {
            focus_by_id(first);
            return;
        }
        server_errors.set(Vec::new());
        form_error.set(None);
        pending.set(true);
        if let Some(cb) = on_sending {
            cb.run(());
        }
        spawn_local(async move {
            let result = api::create_project(&body).await;
            pending.set(false);
            match result {
                Ok(project) => {
                    name.set(String::new());
                    description.set(String::new());
                    name_edited.set(false);
                    description_edited.set(false);
                    submitted.set(false);
                    on_created.run(project);
                    focus_by_id(NAME_ID);
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

    view! {
        <form class="form" novalidate on:submit=on_submit>
            <TextField
                id=NAME_ID
                label="Project name"
                hint=PROJECT_NAME_RULE
                value=name
                error=name_error
                required=true
                on_edit=edited("name", name_edited)
            />
            <TextField
                id=DESCRIPTION_ID
                label="Description"
                hint=format!("Up to {DESCRIPTION_MAX_CHARS} characters, to tell projects apart.")
                value=description
                error=description_error
                multiline=true
                on_edit=edited("description", description_edited)
            />
            // Always present (collapsed while empty) so that the alert is
            // announced when its text appears.
            <div id=FORM_ERROR_ID class="form-error" role="alert" tabindex="-1">
                {move || form_error.get()}
            </div>
            <button type="submit" class="button" disabled=move || pending.get()>
                {move || if pending.get() { "Creating…" } else { "Create project" }}
            </button>
        </form>
    }
}

/// The id of the first input (in page order) that has an error.
fn first_field_id(errors: &[FieldError]) -> Option<&'static str> {
    FIELDS
        .iter()
        .find(|(field, _)| errors.iter().any(|e| e.field == *field))
        .map(|(_, id)| *id)
}

/// Splits a failed request into errors shown next to this form's fields and
/// a message for the form as a whole (anything no field can show).
fn split_errors(error: &ApiError) -> (Vec<FieldError>, Option<String>) {
    let Some(problem) = error.problem() else {
        return (Vec::new(), Some(error.message()));
    };
    let known = |e: &&FieldError| FIELDS.iter().any(|(f, _)| *f == e.field);
    let mut fields: Vec<FieldError> = problem.errors.iter().filter(known).cloned().collect();
    // 409 Conflict on create means the name is taken; say so at the name.
    if problem.status == 409 && fields.is_empty() {
        fields.push(FieldError::new("name", problem.message()));
    }
    let unknown: Vec<&str> = problem
        .errors
        .iter()
        .filter(|e| !known(e))
        .map(|e| e.message.as_str())
        .collect();
    let other = if !unknown.is_empty() {
        Some(unknown.join(" "))
    } else if fields.is_empty() {
        Some(error.message())
    } else {
        None
    };
    (fields, other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_shared::Problem;

    fn problem(status: u16, detail: &str, errors: Vec<FieldError>) -> ApiError {
        ApiError::Problem(Box::new(Problem {
            kind: "about:blank".into(),
            title: "Refused".into(),
            status,
            detail: Some(detail.into()),
            errors,
            request_id: None,
        }))
    }

    #[test]
    fn conflict_without_field_errors_lands_on_the_name() {
        let (fields, other) = split_errors(&problem(409, "Name taken.", vec![]));
        assert_eq!(fields, vec![FieldError::new("name", "Name taken.")]);
        assert_eq!(other, None);
    }

    #[test]
    fn field_errors_go_to_their_fields_and_unknown_ones_to_the_form() {
        let (fields, other) = split_errors(&problem(
            422,
            "Check the fields.",
            vec![
                FieldError::new("description", "Too long."),
                FieldError::new("owner", "Unknown owner."),
            ],
        ));
        assert_eq!(fields, vec![FieldError::new("description", "Too long.")]);
        assert_eq!(other.as_deref(), Some("Unknown owner."));
        assert_eq!(first_field_id(&fields), Some(DESCRIPTION_ID));
    }

    #[test]
    fn other_failures_are_shown_for_the_form() {
        let (fields, other) = split_errors(&problem(500, "Broken.", vec![]));
        assert!(fields.is_empty());
        assert_eq!(other.as_deref(), Some("Broken."));
        let (_, other) = split_errors(&ApiError::Network);
        assert!(other.is_some_and(|m| m.contains("could not be reached")));
    }

    #[test]
    fn focus_goes_to_the_first_field_in_page_order() {
        let errors = CreateProject {
            name: "Bad".into(),
            description: "\t".into(),
        }
        .validate();
        assert_eq!(first_field_id(&errors), Some(NAME_ID));
        assert_eq!(first_field_id(&[]), None);
    }
}
