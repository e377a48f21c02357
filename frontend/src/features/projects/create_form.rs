//! The create-project form.
//!
//! It validates with `CreateProject::validate`, the very rules the server
//! runs, as the person types; it sends only a valid request; and it shows
//! the server's answer (a taken name, field errors) next to the field
//! concerned. Nothing typed is cleared unless the project was created.

use berth_shared::names::PROJECT_NAME_RULE;
use berth_shared::{CreateProject, DESCRIPTION_MAX_CHARS, Project};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::{FormState, TextField, focus_by_id};
use crate::i18n::{self, t};

const NAME_ID: &str = "project-name";
const DESCRIPTION_ID: &str = "project-description";
const FORM_ERROR_ID: &str = "create-project-error";
const CREATED_ID: &str = "create-project-done";

/// The fields this form has, by their JSON names, in page order.
const FIELDS: &[(&str, &str)] = &[("name", NAME_ID), ("description", DESCRIPTION_ID)];

/// Creates a project and hands it to `on_created`.
#[component]
pub fn CreateProjectForm(on_created: Callback<Project>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let request = Memo::new(move |_| CreateProject {
        name: name.get(),
        description: description.get(),
    });
    let form = FormState::new(
        FIELDS,
        FORM_ERROR_ID,
        Memo::new(move |_| request.with(CreateProject::validate)),
    );
    // "Project shop created.", until the next request.
    let created = RwSignal::new(String::new());

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.begin() {
            return;
        }
        created.set(String::new());
        let body = request.get_untracked();
        spawn_local(async move {
            match api::create_project(&body).await {
                Ok(project) => {
                    name.set(String::new());
                    description.set(String::new());
                    form.reset();
                    created.set(t!("Project {name} created.", name = project.name));
                    on_created.run(project);
                    focus_by_id(CREATED_ID);
                }
                Err(error) => form.fail(&error),
            }
        });
    };

    let pending = form.pending();
    view! {
        <form class="form" novalidate on:submit=on_submit>
            <TextField
                id=NAME_ID
                label=t!("Project name")
                // The shared rule's own words, as the server states them.
                hint=i18n::coded("hint.project_name", PROJECT_NAME_RULE)
                value=name
                error=form.error_for("name")
                required=true
                on_edit=form.mark("name")
            />
            <TextField
                id=DESCRIPTION_ID
                label=t!("Description")
                hint=t!(
                    "Up to {max} characters, to tell projects apart.",
                    max = i18n::intl::number(DESCRIPTION_MAX_CHARS)
                )
                value=description
                error=form.error_for("description")
                multiline=true
                on_edit=form.mark("description")
            />
            // Always present (collapsed while empty) so that the alert is
            // announced when its text appears.
            <div id=FORM_ERROR_ID class="form-error" role="alert" tabindex="-1">
                {move || form.form_error().get()}
            </div>
            <button type="submit" class="button" disabled=move || pending.get()>
                {move || if pending.get() { t!("Creating…") } else { t!("Create project") }}
            </button>
            <p id=CREATED_ID class="banner banner--success status-message" role="status" tabindex="-1">
                {move || created.get()}
            </p>
        </form>
    }
}
