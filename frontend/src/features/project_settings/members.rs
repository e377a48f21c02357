//! The members of a project on its Settings page: everyone sees who has
//! which role; owners (and administrators) change roles and remove people,
//! then save the list, and add a person in one step that saves at once.
//!
//! Adding is checked where it is typed: the shared rules (a name, not yet a
//! member) as the person types, and the server's answer after: with local
//! accounts only, a name that is no account is refused at the field; when
//! people also sign in through an organisation's single sign-on, such a
//! name is taken as typed (the hint says so).

use berth_shared::{Member, MemberList, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::{
    Breakable, ErrorPanel, FormState, Loader, Loading, Remote, RowActions, TextField, focus_by_id,
};
use crate::i18n::t;

/// The one alert of the section, shared by both forms (saving the list and
/// adding a person): one place to look, and one message at a time.
const ERROR_ID: &str = "members-error";
const NEW_USER_ID: &str = "new-member-user";
const SAVED_ID: &str = "members-saved";
const ADDED_ID: &str = "member-added";
const LIST_FIELDS: &[(&str, &str)] = &[("members", ERROR_ID)];
const ADD_FIELDS: &[(&str, &str)] = &[("user", NEW_USER_ID)];

/// A role, as people read it.
fn role_label(role: Role) -> &'static str {
    match role {
        Role::Owner => t!("Owner"),
        Role::Editor => t!("Editor"),
        Role::Viewer => t!("Viewer"),
    }
}

/// "amy added as editor.": one sentence per role, since the role's word
/// may change with its place in the sentence.
fn added_message(user: &str, role: Role) -> String {
    match role {
        Role::Owner => t!("{user} added as owner.", user = user),
        Role::Editor => t!("{user} added as editor.", user = user),
        Role::Viewer => t!("{user} added as viewer.", user = user),
    }
}

/// The field the list names the member at `index` by.
fn user_field(index: usize) -> String {
    format!("members[{index}].user")
}

/// `error` with what it says about the member at `index` moved to the add
/// form's own field.
fn at_new_member(error: &ApiError, index: usize) -> ApiError {
    let mut error = error.clone();
    if let ApiError::Problem(problem) = &mut error {
        let field = user_field(index);
        for e in problem.errors.iter_mut().filter(|e| e.field == field) {
            e.field = "user".to_owned();
        }
    }
    error
}

#[component]
pub fn Members(project: String, can_manage: bool) -> impl IntoView {
    // The list as the person is editing it; the server's copy once loaded
    // or saved. Role changes write it without a redraw (a redrawn table
    // would take the focus from the menu just used) and say so to `changed`.
    let draft = RwSignal::new(Vec::<Member>::new());
    let changed = RwSignal::new(0_u32);
    let project = Memo::new(move |_| project.clone());
    let members = Loader::new(project, move |p| async move {
        let list = api::get_members(&p).await?;
        draft.set(list.members);
        Ok(())
    });

    // Saving the list: the one rule no row can show is "keep an owner".
    let list_check = Memo::new(move |_| {
        changed.track();
        MemberList {
            members: draft.get(),
        }
        .validate()
    });
    let list_form = FormState::new(LIST_FIELDS, ERROR_ID, list_check);
    let saved = RwSignal::new(String::new());
    // The last message about the list was a save (not a pending removal).
    let saved_done = RwSignal::new(false);

    // Adding one person: the shared rules for the name, as if already added.
    let new_user = RwSignal::new(String::new());
    let new_role = RwSignal::new(Role::Viewer);
    let add_check = Memo::new(move |_| {
        let mut list = draft.get();
        list.push(Member {
            user: new_user.get(),
            role: Role::Viewer,
        });
        let field = user_field(list.len() - 1);
        let mut errors = MemberList { members: list }.validate();
        errors.retain(|e| e.field == field);
        for e in &mut errors {
            e.field = "user".to_owned();
        }
        errors
    });
    let add_form = FormState::new(ADD_FIELDS, ERROR_ID, add_check);
    let added = RwSignal::new(String::new());

    let pending = move || list_form.pending().get() || add_form.pending().get();
    let owner_error = list_form.error_for("members");
    let alert = move || {
        owner_error
            .get()
            .or_else(|| list_form.form_error().get())
            .or_else(|| add_form.form_error().get())
    };

    let save = move |_| {
        // The add form's old refusal is not about this request.
        add_form.reset();
        if !list_form.begin() {
            return;
        }
        saved.set(String::new());
        let list = MemberList {
            members: draft.get_untracked(),
        };
        let project = project.get_untracked();
        spawn_local(async move {
            match api::save_members(&project, &list).await {
                Ok(list) => {
                    draft.set(list.members);
                    list_form.reset();
                    saved_done.set(true);
                    saved.set(t!("Members saved.").to_owned());
                    focus_by_id(SAVED_ID);
                }
                Err(error) => list_form.fail(&error),
            }
        });
    };

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        list_form.reset();
        if !add_form.begin() {
            return;
        }
        added.set(String::new());
        let user = new_user.get_untracked().trim().to_owned();
        let role = new_role.get_untracked();
        let mut list = draft.get_untracked();
        list.push(Member {
            user: user.clone(),
            role,
        });
        let index = list.len() - 1;
        let project = project.get_untracked();
        spawn_local(async move {
            match api::save_members(&project, &MemberList { members: list }).await {
                Ok(list) => {
                    draft.set(list.members);
                    new_user.set(String::new());
                    add_form.reset();
                    added.set(added_message(&user, role));
                    focus_by_id(ADDED_ID);
                }
                Err(error) => add_form.fail(&at_new_member(&error, index)),
            }
        });
    };

    let role_options = move |selected: Role| {
        Role::ALL.map(|r| {
            view! { <option value=r.as_str() selected=r == selected>{role_label(r)}</option> }
        })
    };
    // A change to the list shows at once whether an owner is left.
    let touched = list_form.mark("members");
    let rows = move |list: Vec<Member>| {
        list.into_iter()
            .enumerate()
            .map(|(i, member)| {
                let user = member.user;
                let role_cell = if can_manage {
                    view! {
                        <select
                            aria-label=t!("Role of {user}", user = user)
                            on:change=move |ev| {
                                let picked = Role::parse(&event_target_value(&ev)).unwrap_or(Role::Viewer);
                                draft.update_untracked(|m| {
                                    if let Some(row) = m.get_mut(i) {
                                        row.role = picked;
                                    }
                                });
                                changed.update(|n| *n = n.wrapping_add(1));
                                touched.run(());
                            }
                        >
                            {role_options(member.role)}
                        </select>
                    }
                    .into_any()
                } else {
                    role_label(member.role).into_any()
                };
                let remove = can_manage.then(|| {
                    let user = user.clone();
                    let removed = t!(
                        "{user} removed from the list. Save the members to take their access away.",
                        user = user
                    );
                    view! {
                        <td data-label=t!("Actions")>
                            <RowActions label=user.clone()>
                                <button
                                    type="button"
                                    class="button button--secondary button--small"
                                    aria-label=t!("Remove {user}", user = user)
                                    on:click=move |_| {
                                        draft.update(|m| {
                                            if i < m.len() {
                                                m.remove(i);
                                            }
                                        });
                                        touched.run(());
                                        saved_done.set(false);
                                        saved.set(removed.clone());
                                        // Its row (and the button) are gone.
                                        focus_by_id(SAVED_ID);
                                    }
                                >
                                    {t!("Remove")}
                                </button>
                            </RowActions>
                        </td>
                    }
                });
                view! {
                    <tr>
                        <th scope="row"><Breakable text=user.clone()/></th>
                        <td data-label=t!("Role")>{role_cell}</td>
                        {remove}
                    </tr>
                }
            })
            .collect_view()
    };

    let table = move || {
        match members.state.get() {
        Remote::Loading => view! { <Loading message=t!("Loading the members…")/> }.into_any(),
        Remote::Failed(error) => view! {
            <ErrorPanel
                heading=t!("The members could not be loaded.")
                error=error
                on_retry=Callback::new(move |()| members.reload())
            />
        }
        .into_any(),
        Remote::Loaded(()) => view! {
            <table class="table">
                <caption class="visually-hidden">{t!("Members and their roles")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!("User")}</th>
                        <th scope="col">{t!("Role")}</th>
                        {can_manage.then(|| view! {
                            <th scope="col"><span class="visually-hidden">{t!("Actions")}</span></th>
                        })}
                    </tr>
                </thead>
                <tbody>{move || rows(draft.get())}</tbody>
            </table>
        }
        .into_any(),
    }
    };

    view! {
        <section class="panel" aria-labelledby="members-heading" aria-busy=members.aria_busy()>
            <h2 id="members-heading">{t!("Members")}</h2>
            <p>
                {t!("Owners manage members and can delete the project; editors add, change and delete its data; viewers see it.")}
            </p>
            {table}
            <div id=ERROR_ID class="form-error" role="alert" tabindex="-1">{alert}</div>
            {can_manage.then(|| view! {
                <button type="button" class="button button--secondary" disabled=pending on:click=save>
                    {move || if list_form.pending().get() { t!("Saving…") } else { t!("Save members") }}
                </button>
                <p
                    id=SAVED_ID
                    class=move || if saved_done.get() { "banner banner--success status-message" } else { "banner status-message" }
                    role="status"
                    tabindex="-1"
                >
                    {move || saved.get()}
                </p>
                <form class="form inline-form" novalidate on:submit=add aria-labelledby="add-member-heading">
                    <h3 id="add-member-heading">{t!("Add a member")}</h3>
                    <TextField
                        id=NEW_USER_ID
                        label=t!("User name or id")
                        value=new_user
                        hint=t!("The name they sign in with. If people also sign in through your organisation (single sign-on), a name that is no Berth account is taken as their id there, exactly as typed.")
                        error=add_form.error_for("user")
                        on_edit=add_form.mark("user")
                        required=true
                    />
                    <div class="field">
                        <label for="new-member-role" class="field__label">{t!("Role")}</label>
                        <select
                            id="new-member-role"
                            on:change=move |ev| new_role.set(Role::parse(&event_target_value(&ev)).unwrap_or(Role::Viewer))
                        >
                            {role_options(Role::Viewer)}
                        </select>
                    </div>
                    <button type="submit" class="button" disabled=pending>
                        {move || if add_form.pending().get() { t!("Adding…") } else { t!("Add member") }}
                    </button>
                    <p id=ADDED_ID class="banner banner--success status-message" role="status" tabindex="-1">
                        {move || added.get()}
                    </p>
                </form>
            })}
        </section>
    }
}
