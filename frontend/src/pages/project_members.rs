//! The members of a project on its Settings page: everyone sees who has
//! which role; owners (and administrators) change roles, add and remove
//! people, then save the whole list at once.

use berth_shared::{FieldError, Member, MemberList, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::{TextField, focus_by_id, message_for};

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

    let add = move |ev: leptos::ev::SubmitEvent| {
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
        members.update(|m| {
            m.get_or_insert_with(Vec::new).push(Member {
                user: user.clone(),
                role: new_role.get_untracked(),
            })
        });
        new_user.set(String::new());
        status.set(format!(
            "{user} added. Save the members to give them access."
        ));
    };

    let save = {
        let project = project.clone();
        move |_| {
            let list = MemberList {
                members: members.get_untracked().unwrap_or_default(),
            };
            let local = list.validate();
            errors.set(local.clone());
            form_error.set(message_for(&local, "members"));
            if !local.is_empty() {
                focus_by_id(ERROR_ID);
                return;
            }
            pending.set(true);
            let project = project.clone();
            spawn_local(async move {
                let result = api::save_members(&project, &list).await;
                pending.set(false);
                match result {
                    Ok(saved) => {
                        members.set(Some(saved.members));
                        status.set("Members saved.".to_owned());
                    }
                    Err(e) => {
                        let fields = e.problem().map(|p| p.errors.clone()).unwrap_or_default();
                        form_error
                            .set(message_for(&fields, "members").or_else(|| Some(e.message())));
                        errors.set(fields);
                        focus_by_id(ERROR_ID);
                    }
                }
            });
        }
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
                        status.set(format!("{} removed. Save the members to take their access away.", member.user));
                    }>"Remove"</button>
                }
            });
            view! {
                <tr>
                    <td>{user.clone()} {error.map(|e| view! { <p class="field__error">{e}</p> })}</td>
                    <td>{role_cell}</td>
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
            <p class="visually-hidden" role="status">{move || status.get()}</p>
            {can_manage.then(|| view! {
                <form class="form inline-form" novalidate on:submit=add>
                    <TextField id=NEW_USER_ID label="User name or id" value=new_user error=Signal::derive(move || new_error.get()) required=true/>
                    <label for="new-member-role" class="field__label">"Role"</label>
                    <select id="new-member-role" on:change=move |ev| new_role.set(Role::parse(&event_target_value(&ev)).unwrap_or(Role::Viewer))>
                        {Role::ALL.map(|r| view! { <option value=r.as_str() selected=r == Role::Viewer>{r.label()}</option> })}
                    </select>
                    <button type="submit" class="button button--secondary">"Add member"</button>
                </form>
                <button type="button" class="button" disabled=move || pending.get() on:click=save.clone()>
                    {move || if pending.get() { "Saving…" } else { "Save members" }}
                </button>
            })}
        </section>
    }
}
