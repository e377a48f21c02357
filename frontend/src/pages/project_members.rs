//! The members of a project on its Settings page: everyone sees who has
//! which role; owners (and administrators) change roles, add and remove
//! people, then save the whole list at once.

use berth_shared::{FieldError, Member, MemberList, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::{Breakable, TextField, focus_by_id, message_for};

const ERROR_ID: &str = "members-error";
const NEW_USER_ID: &str = "new-member-user";

#[component]
pub fn Members(project: String, can_manage: bool) -> impl IntoView {
    let members = RwSignal::new(None::<Vec<Member>>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let status = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let new_user = RwSignal::new(String::new());
    let new_role = RwSignal::new(Role::Viewer);
    let new_error = RwSignal::new(None::<String>);
    {
        let project = project.clone();
        spawn_local(async move {
            match api::get_members(&project).await {
                Ok(list) => members.set(Some(list.members)),
                Err(e) => form_error.set(Some(e.message())),
            }
        });
    }

    // Sends `list`; on success shows `done`. `added` is the index of a
    // member just typed in, whose errors belong under the add form's field.
    let send = {
        let project = project.clone();
        move |list: MemberList, done: String, added: Option<usize>| {
            let local = list.validate();
            if !local.is_empty() {
                report(&local, added, errors, form_error, new_error);
                return;
            }
            pending.set(true);
            status.set(String::new());
            let project = project.clone();
            spawn_local(async move {
                let result = api::save_members(&project, &list).await;
                pending.set(false);
                match result {
                    Ok(saved) => {
                        members.set(Some(saved.members));
                        errors.set(Vec::new());
                        form_error.set(None);
                        if added.is_some() {
                            new_user.set(String::new());
                        }
                        status.set(done);
                    }
                    Err(e) => {
                        let fields = e.problem().map(|p| p.errors.clone()).unwrap_or_default();
                        if fields.is_empty() {
                            form_error.set(Some(e.message()));
                            focus_by_id(ERROR_ID);
                        } else {
                            report(&fields, added, errors, form_error, new_error);
                        }
                    }
                }
            });
        }
    };

    // Adding saves at once: one step, and an unknown user is refused there.
    let add = {
        let send = send.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let user = new_user.get_untracked().trim().to_owned();
            let taken = members.with_untracked(|m| m.iter().flatten().any(|x| x.user == user));
            new_error.set(if user.is_empty() {
                Some("Enter the user's name or id.".to_owned())
            } else if taken {
                Some("This person is already a member.".to_owned())
            } else {
                None
            });
            if new_error.get_untracked().is_some() {
                focus_by_id(NEW_USER_ID);
                return;
            }
            let role = new_role.get_untracked();
            let mut list = members.get_untracked().unwrap_or_default();
            list.push(Member {
                user: user.clone(),
                role,
            });
            let index = list.len() - 1;
            let done = format!("{user} added as {}.", role.label().to_ascii_lowercase());
            send(MemberList { members: list }, done, Some(index));
        }
    };

    let save = move |_| {
        let list = MemberList {
            members: members.get_untracked().unwrap_or_default(),
        };
        send(list, "Members saved.".to_owned(), None);
    };

    let rows = move || {
        members.get().unwrap_or_default().into_iter().enumerate().map(|(i, member)| {
            let user = member.user.clone();
            let error = message_for(&errors.read(), &format!("members[{i}].user"));
            let role_cell = if can_manage {
                let label = format!("Role of {user}");
                view! {
                    <select aria-label=label on:change=move |ev| {
                        let picked = Role::parse(&event_target_value(&ev)).unwrap_or(Role::Viewer);
                        members.update(|m| if let Some(row) = m.as_mut().and_then(|m| m.get_mut(i)) { row.role = picked });
                    }>
                        {Role::ALL.map(|r| view! { <option value=r.as_str() selected=r == member.role>{r.label()}</option> })}
                    </select>
                }
                .into_any()
            } else {
                member.role.label().into_any()
            };
            let remove = can_manage.then(|| {
                let label = format!("Remove {user}");
                view! {
                    <button type="button" class="button button--secondary" aria-label=label on:click=move |_| {
                        members.update(|m| { if let Some(m) = m.as_mut() { m.remove(i); } });
                        status.set(format!("{} removed from the list. Save the members to take their access away.", member.user));
                    }>"Remove"</button>
                }
            });
            view! {
                <tr>
                    <th scope="row"><Breakable text=user.clone()/> {error.map(|e| view! { <p class="field__error">{e}</p> })}</th>
                    <td data-label="Role">{role_cell}</td>
                    {can_manage.then(|| view! { <td>{remove}</td> })}
                </tr>
            }
        }).collect_view()
    };

    view! {
        <section class="panel" aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            <p>"Owners manage members and can delete the project; editors add, change and delete its data; viewers see it."</p>
            <table class="table">
                <caption class="visually-hidden">"Members and their roles"</caption>
                <thead><tr>
                    <th scope="col">"User"</th><th scope="col">"Role"</th>
                    {can_manage.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <div id=ERROR_ID class="form-error" role="alert" tabindex="-1">{move || form_error.get()}</div>
            {can_manage.then(|| view! {
                <button type="button" class="button button--secondary" disabled=move || pending.get() on:click=save>
                    {move || if pending.get() { "Saving…" } else { "Save members" }}
                </button>
                <form class="form inline-form" novalidate on:submit=add aria-labelledby="add-member-heading">
                    <h3 id="add-member-heading">"Add a member"</h3>
                    <TextField id=NEW_USER_ID label="User name or id" value=new_user
                        hint="The name they sign in with. If people sign in through your organisation (OIDC), a name that is no Berth account is taken as their subject id, exactly as typed."
                        error=Signal::derive(move || new_error.get()) required=true/>
                    <div class="field">
                        <label for="new-member-role" class="field__label">"Role"</label>
                        <select id="new-member-role" on:change=move |ev| new_role.set(Role::parse(&event_target_value(&ev)).unwrap_or(Role::Viewer))>
                            {Role::ALL.map(|r| view! { <option value=r.as_str() selected=r == Role::Viewer>{r.label()}</option> })}
                        </select>
                    </div>
                    <button type="submit" class="button" disabled=move || pending.get()>"Add member"</button>
                </form>
            })}
            <p class="status-message" role="status">{move || status.get()}</p>
        </section>
    }
}

/// Shows field errors: the new member's under the add form's field, the
/// rest in the list (or as the form's message), and moves focus there.
fn report(
    fields: &[FieldError],
    added: Option<usize>,
    errors: RwSignal<Vec<FieldError>>,
    form_error: RwSignal<Option<String>>,
    new_error: RwSignal<Option<String>>,
) {
    if let Some(i) = added
        && let Some(message) = message_for(fields, &format!("members[{i}].user"))
    {
        new_error.set(Some(message));
        focus_by_id(NEW_USER_ID);
        return;
    }
    errors.set(fields.to_vec());
    form_error.set(
        message_for(fields, "members").or_else(|| {
            (!fields.is_empty()).then(|| "Some members need your attention.".to_owned())
        }),
    );
    focus_by_id(ERROR_ID);
}
