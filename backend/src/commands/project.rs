//! `berth project list|create|get|delete|restore`.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use berth_shared::deletion::{
    EVENT_DELETED, EVENT_PROGRESS, EVENT_SOFT_DELETED, EVENT_STALLED, deleted_message,
    resource_phrase,
};
use berth_shared::inventory::{Inventory, KINDS, count_phrase};
use berth_shared::project::{STATUS_DELETED, days_left};
use berth_shared::{CreateProject, Project, ProjectList};
use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::json;

use super::client::{ApiClient, segment};
use super::{ClientArgs, Failure, Output, print_json, print_table};

#[derive(Debug, Args)]
pub struct ProjectArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(subcommand)]
    pub command: ProjectCommand,
}

#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// List projects (or, with --deleted, those that can still be restored).
    List {
        /// List the deleted projects that can still be restored.
        #[arg(long)]
        deleted: bool,
    },
    /// Create a project.
    Create {
        /// The project's name.
        #[arg(short, long)]
        name: String,
        /// What the project is for.
        #[arg(short, long, default_value = "")]
        description: String,
    },
    /// Show one project.
    Get {
        /// The project's name.
        #[arg(short, long)]
        name: String,
    },
    /// Delete a project and everything stored in it, and wait until it is
    /// gone. Unless --hard, a server with a restore window keeps it
    /// restorable for a while.
    Delete {
        /// The project's name.
        #[arg(short, long)]
        name: String,
        /// Delete permanently now, without a restore window.
        #[arg(long)]
        hard: bool,
        /// Do not ask for confirmation.
        #[arg(short, long)]
        force: bool,
        /// Return as soon as the deletion has started.
        #[arg(long)]
        no_wait: bool,
        /// Seconds to wait for a permanent deletion to finish.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
    },
    /// Restore a deleted project, with its data, while its restore window lasts.
    Restore {
        /// The project's name.
        #[arg(short, long)]
        name: String,
    },
}

pub async fn run(args: ProjectArgs) -> Result<(), Failure> {
    let api = ApiClient::connect(&args.client.url).await?;
    let output = args.client.output;
    match args.command {
        ProjectCommand::List { deleted } => list(&api, output, deleted).await,
        ProjectCommand::Create { name, description } => {
            let request = CreateProject { name, description };
            let errors = request.validate();
            if let Some(first) = errors.first() {
                return Err(Failure::usage(format!(
                    "--{}: {}",
                    first.field, first.message
                )));
            }
            let project: Project = api
                .send(Method::POST, "/api/v1/projects", Some(&request))
                .await?
                .into()?;
            match output {
                Output::Json => print_json(&project),
                Output::Text => {
                    println!("Created project {}", project.name);
                    Ok(())
                }
            }
        }
        ProjectCommand::Get { name } => {
            let project: Project = api.get(&project_path(&name)).await?.into()?;
            match output {
                Output::Json => print_json(&project),
                Output::Text => {
                    print_project(&project);
                    Ok(())
                }
            }
        }
        ProjectCommand::Delete {
            name,
            hard,
            force,
            no_wait,
            timeout,
        } => delete(&api, output, &name, hard, force, no_wait, timeout).await,
        ProjectCommand::Restore { name } => {
            let project: Project = api
                .send::<()>(
                    Method::POST,
                    &format!("{}/restore", project_path(&name)),
                    None,
                )
                .await?
                .into()?;
            match output {
                Output::Json => print_json(&project),
                Output::Text => {
                    println!("Restored project {}", project.name);
                    Ok(())
                }
            }
        }
    }
}

fn project_path(name: &str) -> String {
    format!("/api/v1/projects/{}", segment(name))
}

fn now_unix() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn unix(rfc3339: &str) -> Option<i64> {
    rfc3339
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_second())
}

async fn list(api: &ApiClient, output: Output, deleted: bool) -> Result<(), Failure> {
    let path = if deleted {
        "/api/v1/projects?deleted=true"
    } else {
        "/api/v1/projects"
    };
    let list: ProjectList = api.get(path).await?.into()?;
    if output == Output::Json {
        return print_json(&list);
    }
    if list.items.is_empty() {
        println!(
            "{}",
            if deleted {
                "No deleted projects can be restored."
            } else {
                "No projects."
            }
        );
        return Ok(());
    }
    if deleted {
        let rows: Vec<Vec<String>> = list
            .items
            .iter()
            .map(|p| {
                let d = p.deletion.clone();
                let purge = d
                    .as_ref()
                    .map(|d| d.purge_after.clone())
                    .unwrap_or_default();
                let left = unix(&purge).map(|t| days_left(now_unix(), t)).unwrap_or(0);
                vec![
                    p.name.clone(),
                    d.map(|d| d.deleted_at).unwrap_or_default(),
                    purge,
                    left.to_string(),
                ]
            })
            .collect();
        print_table(&["NAME", "DELETED", "PURGED AFTER", "DAYS LEFT"], &rows);
    } else {
        let rows: Vec<Vec<String>> = list
            .items
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.status.clone(),
                    p.stamps.created_at.clone(),
                    p.description.replace('\n', " "),
                ]
            })
            .collect();
        print_table(&["NAME", "STATUS", "CREATED", "DESCRIPTION"], &rows);
    }
    Ok(())
}

fn print_project(p: &Project) {
    println!("Name:        {}", p.name);
    println!("Status:      {}", p.status);
    println!("Namespace:   {}", p.namespace);
    println!("Created:     {}", p.stamps.created_at);
    if let Some(by) = &p.stamps.created_by {
        println!("Created by:  {by}");
    }
    if !p.description.is_empty() {
        println!("Description: {}", p.description.replace('\n', " "));
    }
    if let Some(d) = &p.deletion {
        println!("Deleted:     {}", d.deleted_at);
        println!("Restorable until: {}", d.purge_after);
    }
}

/// What the person is about to lose, in words: "2 images, 1 registry credential".
async fn contents(api: &ApiClient, name: &str) -> Option<String> {
    let inventory: Inventory = api
        .get(&format!("{}/inventory", project_path(name)))
        .await
        .ok()?
        .into()
        .ok()?;
    let parts: Vec<String> = KINDS
        .iter()
        .filter_map(|k| {
            let n = inventory.totals.get(*k).copied().unwrap_or(0);
            (n > 0).then(|| count_phrase(k, n))
        })
        .collect();
    Some(if parts.is_empty() {
        "nothing stored yet".to_owned()
    } else {
        parts.join(", ")
    })
}

fn confirm(name: &str, what: &str) -> Result<(), Failure> {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{what}\nType the project's name ({name}) to confirm: ");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|_| Failure::usage("no confirmation given; nothing was deleted"))?;
    if !std::io::stdin().is_terminal() {
        // The typed answer did not end the prompt's line; end it here.
        eprintln!();
    }
    if line.trim() == name {
        Ok(())
    } else {
        Err(Failure::usage(if line.is_empty() {
            "no confirmation given (use --force to skip it); nothing was deleted".to_owned()
        } else {
            format!("“{}” is not “{name}”; nothing was deleted", line.trim())
        }))
    }
}

async fn delete(
    api: &ApiClient,
    output: Output,
    name: &str,
    hard: bool,
    force: bool,
    no_wait: bool,
    timeout: u64,
) -> Result<(), Failure> {
    if !force {
        // Fails here, before any question, if there is no such project.
        let project: Project = api.get(&project_path(name)).await?.into()?;
        let held = if project.status == STATUS_DELETED {
            "it is in its restore window".to_owned()
        } else {
            contents(api, name)
                .await
                .unwrap_or_else(|| "its data".to_owned())
        };
        let window = api
            .get("/api/v1/config")
            .await
            .ok()
            .and_then(|a| a.body["restoreWindowSeconds"].as_u64())
            .unwrap_or(0);
        let how = if hard || project.status == STATUS_DELETED || window == 0 {
            " permanently".to_owned()
        } else {
            format!(
                "; it can be restored for {}",
                berth_shared::deletion::window_phrase(window)
            )
        };
        confirm(
            name,
            &format!("This deletes project {name} and everything in it ({held}){how}."),
        )?;
    }
    let mut path = project_path(name);
    if hard {
        path.push_str("?mode=hard");
    }
    let answer = api.send::<()>(Method::DELETE, &path, None).await?;
    let project: Project = answer.into()?;
    if project.status == STATUS_DELETED {
        let until = project
            .deletion
            .as_ref()
            .map(|d| d.purge_after.clone())
            .unwrap_or_default();
        return match output {
            Output::Json => print_json(&json!({
                "name": name, "deleted": true, "mode": "soft", "restorableUntil": until,
            })),
            Output::Text => {
                println!("{}", deleted_message(name));
                println!(
                    "It can be restored until {until} with: berth project restore --name {name}"
                );
                Ok(())
            }
        };
    }
    if no_wait {
        return match output {
            Output::Json => print_json(&json!({"name": name, "deleted": false, "mode": "hard"})),
            Output::Text => {
                println!("Deleting project {name}");
                Ok(())
            }
        };
    }
    let wait = wait_for_deletion(api, output, name);
    match tokio::time::timeout(Duration::from_secs(timeout), wait).await {
        Ok(result) => result?,
        Err(_) => {
            return Err(Failure::unfinished(format!(
                "project {name} is still being deleted after {timeout} s; the cluster goes on with it (watch with `berth project get --name {name}`)"
            )));
        }
    }
    match output {
        Output::Json => print_json(&json!({"name": name, "deleted": true, "mode": "hard"})),
        Output::Text => {
            println!("{}", deleted_message(name));
            Ok(())
        }
    }
}

/// Follows the deletion's events until `deleted`, telling a person on
/// stderr what is left and what blocks it.
async fn wait_for_deletion(api: &ApiClient, output: Output, name: &str) -> Result<(), Failure> {
    let path = format!("{}/deletion", project_path(name));
    let talk = output == Output::Text;
    loop {
        let mut events = api.events(&path).await?;
        while let Some(event) = events.next().await? {
            match event.event.as_str() {
                EVENT_DELETED => return Ok(()),
                EVENT_SOFT_DELETED => {
                    return Err(Failure::request(format!(
                        "project {name} was deleted with a restore window instead; delete it for good with --hard"
                    )));
                }
                EVENT_PROGRESS if talk => {
                    let remaining: Vec<String> = event.data["remaining"]
                        .as_object()
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| resource_phrase(k, v.as_u64().unwrap_or(0) as usize))
                                .collect()
                        })
                        .unwrap_or_default();
                    if !remaining.is_empty() {
                        eprintln!("Deleting project {name}: {} left", remaining.join(", "));
                    }
                }
                EVENT_STALLED if talk => {
                    eprintln!(
                        "Stalled: {} {}",
                        event.data["message"].as_str().unwrap_or_default(),
                        event.data["advice"].as_str().unwrap_or_default()
                    );
                }
                _ => {}
            }
        }
        // The stream broke off before the end: follow it again.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
