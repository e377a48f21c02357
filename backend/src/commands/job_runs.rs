//! `berth jobtemplate …` and `berth jobrun …`: job templates, and running
//! them. A sensitive value is read from a file, never from the command line
//! (where `ps` and shell history would show it).

use std::io::Write;
use std::path::PathBuf;

use berth_shared::job_run::{EnvOverride, JobRun, JobRunList, RunState, SubmitJobRun, events};
use berth_shared::{EnvVar, JobTemplate, JobTemplateList, SaveJobTemplate};
use clap::{Args, Subcommand};
use reqwest::Method;
use zeroize::Zeroize;

use super::client::{ApiClient, segment};
use super::{ClientArgs, Failure, Output, print_json, print_table};

#[derive(Debug, Args)]
pub struct JobTemplateArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(subcommand)]
    pub command: JobTemplateCommand,
}

#[derive(Debug, Subcommand)]
pub enum JobTemplateCommand {
    /// List a project's job templates.
    List {
        #[arg(short, long)]
        project: String,
    },
    /// Show one job template (never its sensitive values).
    Get {
        #[arg(short, long)]
        project: String,
        #[arg(short, long)]
        name: String,
    },
    /// Create a job template.
    Create(Box<CreateTemplate>),
    /// Delete a job template (its runs stay until deleted).
    Delete {
        #[arg(short, long)]
        project: String,
        #[arg(short, long)]
        name: String,
    },
}

/// `berth jobtemplate create`.
#[derive(Debug, Args)]
pub struct CreateTemplate {
    #[arg(short, long)]
    pub project: String,
    #[arg(short, long)]
    pub name: String,
    /// One of the project's image pointers…
    #[arg(long, conflicts_with = "image", required_unless_present = "image")]
    pub image_pointer: Option<String>,
    /// …or an image reference.
    #[arg(long)]
    pub image: Option<String>,
    /// The entrypoint, one part per flag.
    #[arg(long = "command", allow_hyphen_values = true)]
    pub command: Vec<String>,
    /// An argument, one per flag.
    #[arg(long = "arg", allow_hyphen_values = true)]
    pub args: Vec<String>,
    /// A plain variable, NAME=VALUE.
    #[arg(long = "env")]
    pub env: Vec<String>,
    /// A sensitive variable, NAME=FILE: its value is the file's content.
    #[arg(long = "sensitive-env-from-file")]
    pub sensitive: Vec<String>,
    /// Array indices such as 0-9,20.
    #[arg(long, default_value = "")]
    pub indices: String,
    /// xsmall, small, medium, large or xlarge.
    #[arg(long, default_value = "small")]
    pub size: String,
    #[arg(long, default_value_t = berth_shared::job_templates::RETRY_LIMIT_DEFAULT)]
    pub retry_limit: u32,
    #[arg(long, default_value_t = berth_shared::job_templates::MAX_EXECUTION_DEFAULT)]
    pub max_execution_seconds: u32,
    #[arg(short, long, default_value = "")]
    pub description: String,
}

#[derive(Debug, Args)]
pub struct JobRunArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(subcommand)]
    pub command: JobRunCommand,
}

#[derive(Debug, Subcommand)]
pub enum JobRunCommand {
    /// Run a job template, optionally with other indices, arguments or
    /// plain variable values for this run.
    Submit {
        #[arg(short, long)]
        project: String,
        #[arg(short, long)]
        template: String,
        #[arg(long)]
        indices: Option<String>,
        /// Replaces the template's arguments, one per flag.
        #[arg(long = "arg", allow_hyphen_values = true)]
        args: Vec<String>,
        /// A plain variable for this run, NAME=VALUE.
        #[arg(long = "env")]
        env: Vec<String>,
        /// Wait until the run has finished; exit 1 if it failed.
        #[arg(long)]
        wait: bool,
    },
    /// List a project's runs, newest first.
    List {
        #[arg(short, long)]
        project: String,
        /// Only the runs of this template.
        #[arg(short, long)]
        template: Option<String>,
    },
    /// Show a run and each of its indices.
    Get {
        #[arg(short, long)]
        project: String,
        #[arg(short, long)]
        run: String,
    },
    /// Print the log of one index (its latest attempt unless --attempt).
    Logs {
        #[arg(short, long)]
        project: String,
        #[arg(short, long)]
        run: String,
        #[arg(short, long)]
        index: u32,
        #[arg(short, long)]
        attempt: Option<u32>,
        /// Keep printing while the index runs.
        #[arg(short, long)]
        follow: bool,
    },
    /// Run the failed indices of a run again, as a new run.
    RerunFailed {
        #[arg(short, long)]
        project: String,
        #[arg(short, long)]
        run: String,
        #[arg(long)]
        wait: bool,
    },
    /// Delete a run, its pods, logs and snapshot of secret values.
    Delete {
        #[arg(short, long)]
        project: String,
        #[arg(short, long)]
        run: String,
    },
}

fn project_path(project: &str, rest: &str) -> String {
    format!("/api/v1/projects/{}{rest}", segment(project))
}

fn name_value(text: &str, flag: &str) -> Result<(String, String), Failure> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| Failure::usage(format!("{flag} takes NAME=VALUE, not “{text}”")))
}

pub async fn templates(args: JobTemplateArgs) -> Result<(), Failure> {
    let api = ApiClient::connect(&args.client.url).await?;
    let output = args.client.output;
    match args.command {
        JobTemplateCommand::List { project } => {
            let list: JobTemplateList = api
                .get(&project_path(&project, "/job-templates"))
                .await?
                .into()?;
            if output == Output::Json {
                return print_json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .items
                .iter()
                .map(|t| {
                    vec![
                        t.fields.name.clone(),
                        t.image_reference.clone(),
                        t.fields.indices.clone(),
                        t.instances.to_string(),
                    ]
                })
                .collect();
            print_table(&["NAME", "IMAGE", "INDICES", "INSTANCES"], &rows);
            Ok(())
        }
        JobTemplateCommand::Get { project, name } => {
            let path = project_path(&project, &format!("/job-templates/{}", segment(&name)));
            let template: JobTemplate = api.get(&path).await?.into()?;
            print_template(&template, output)
        }
        JobTemplateCommand::Create(create) => {
            let CreateTemplate {
                project,
                name,
                image_pointer,
                image,
                command,
                args,
                env,
                sensitive,
                indices,
                size,
                retry_limit,
                max_execution_seconds,
                description,
            } = *create;
            let mut vars = Vec::new();
            for e in &env {
                let (k, v) = name_value(e, "--env")?;
                vars.push(EnvVar::plain(&k, &v));
            }
            for e in &sensitive {
                let (k, file) = name_value(e, "--sensitive-env-from-file")?;
                let mut value = std::fs::read_to_string(PathBuf::from(&file))
                    .map_err(|e| Failure::usage(format!("cannot read {file}: {e}")))?;
                let trimmed = value.trim_end_matches(['\n', '\r']).to_owned();
                value.zeroize();
                vars.push(EnvVar::sensitive(&k, &trimmed));
            }
            let size = berth_shared::ResourceSize::from_str_opt(&size)
                .ok_or_else(|| Failure::usage(format!("unknown size “{size}”")))?;
            let mut body = SaveJobTemplate {
                name,
                description,
                image_pointer,
                image: image.unwrap_or_default(),
                command,
                args,
                env: vars,
                size,
                indices,
                retry_limit,
                max_execution_seconds,
                copy_sensitive_from: None,
            };
            let sent = api
                .send(
                    Method::POST,
                    &project_path(&project, "/job-templates"),
                    Some(&body),
                )
                .await;
            for v in &mut body.env {
                v.value.zeroize();
            }
            let template: JobTemplate = sent?.into()?;
            print_template(&template, output)
        }
        JobTemplateCommand::Delete { project, name } => {
            let path = project_path(&project, &format!("/job-templates/{}", segment(&name)));
            api.send::<()>(Method::DELETE, &path, None).await?;
            println!("Deleted job template {name}.");
            Ok(())
        }
    }
}

fn print_template(t: &JobTemplate, output: Output) -> Result<(), Failure> {
    if output == Output::Json {
        return print_json(t);
    }
    println!("Name:       {}", t.fields.name);
    println!("Image:      {}", t.image_reference);
    println!("Command:    {}", t.fields.command.join(" "));
    println!("Arguments:  {}", t.fields.args.join(" "));
    println!(
        "Indices:    {} ({} instances)",
        t.fields.indices, t.instances
    );
    println!("Retries:    {}", t.fields.retry_limit);
    for v in &t.fields.env {
        let value = if v.sensitive {
            "(sensitive)"
        } else {
            v.value.as_str()
        };
        println!("Env:        {}={value}", v.name);
    }
    Ok(())
}

pub async fn runs(args: JobRunArgs) -> Result<(), Failure> {
    let api = ApiClient::connect(&args.client.url).await?;
    let output = args.client.output;
    match args.command {
        JobRunCommand::Submit {
            project,
            template,
            indices,
            args,
            env,
            wait,
        } => {
            let mut overrides = Vec::new();
            for e in &env {
                let (name, value) = name_value(e, "--env")?;
                overrides.push(EnvOverride { name, value });
            }
            let body = SubmitJobRun {
                indices,
                args: (!args.is_empty()).then_some(args),
                env: overrides,
            };
            let path = project_path(
                &project,
                &format!("/job-templates/{}/runs", segment(&template)),
            );
            let run: JobRun = api.send(Method::POST, &path, Some(&body)).await?.into()?;
            finish_run(&api, &project, run, wait, output).await
        }
        JobRunCommand::List { project, template } => {
            let query = template
                .map(|t| format!("?template={}", segment(&t)))
                .unwrap_or_default();
            let list: JobRunList = api
                .get(&project_path(&project, &format!("/job-runs{query}")))
                .await?
                .into()?;
            if output == Output::Json {
                return print_json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .items
                .iter()
                .map(|r| {
                    vec![
                        r.name.clone(),
                        r.template.clone(),
                        r.state.label().to_owned(),
                        r.counts.summary(),
                        r.stamps.created_at.clone(),
                    ]
                })
                .collect();
            print_table(&["NAME", "TEMPLATE", "STATE", "INDICES", "CREATED"], &rows);
            Ok(())
        }
        JobRunCommand::Get { project, run } => {
            let path = project_path(&project, &format!("/job-runs/{}", segment(&run)));
            let run: JobRun = api.get(&path).await?.into()?;
            print_run(&run, output)
        }
        JobRunCommand::Logs {
            project,
            run,
            index,
            attempt,
            follow,
        } => {
            let mut query = format!("?index={index}");
            if let Some(a) = attempt {
                query.push_str(&format!("&attempt={a}"));
            }
            if follow {
                query.push_str("&follow=true");
            }
            let path = project_path(
                &project,
                &format!("/job-runs/{}/logs{query}", segment(&run)),
            );
            let mut response = api.stream(&path).await?;
            let mut out = std::io::stdout().lock();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|_| Failure::request("the connection to Berth broke"))?
            {
                out.write_all(&chunk)
                    .and_then(|()| out.flush())
                    .map_err(|e| Failure::request(format!("cannot print the log: {e}")))?;
            }
            Ok(())
        }
        JobRunCommand::RerunFailed { project, run, wait } => {
            let path = project_path(
                &project,
                &format!("/job-runs/{}/rerun-failed", segment(&run)),
            );
            let run: JobRun = api.send::<()>(Method::POST, &path, None).await?.into()?;
            finish_run(&api, &project, run, wait, output).await
        }
        JobRunCommand::Delete { project, run } => {
            let path = project_path(&project, &format!("/job-runs/{}", segment(&run)));
            api.send::<()>(Method::DELETE, &path, None).await?;
            println!("Deleted job run {run}.");
            Ok(())
        }
    }
}

/// Prints a new run, or with `wait` follows it to its end.
async fn finish_run(
    api: &ApiClient,
    project: &str,
    run: JobRun,
    wait: bool,
    output: Output,
) -> Result<(), Failure> {
    if !wait {
        return print_run(&run, output);
    }
    let name = run.summary.name.clone();
    if output == Output::Text {
        println!("Submitted job run {name}; waiting for it to finish.");
    }
    let path = project_path(project, &format!("/job-runs/{}/events", segment(&name)));
    let mut stream = api.events(&path).await?;
    let mut last = run;
    while !last.summary.state.is_finished() {
        match stream.next().await? {
            Some(e) if e.event == events::RUN => {
                last = serde_json::from_value(e.data)
                    .map_err(|e| Failure::request(format!("unexpected event: {e}")))?;
            }
            Some(e) if e.event == events::DELETED => {
                return Err(Failure::request(format!("job run {name} was deleted")));
            }
            Some(_) => {}
            None => return Err(Failure::request("the connection to Berth broke")),
        }
    }
    print_run(&last, output)?;
    if last.summary.state == RunState::Failed {
        return Err(Failure::request(format!(
            "job run {name} failed: {}",
            last.summary.counts.summary()
        )));
    }
    Ok(())
}

fn print_run(run: &JobRun, output: Output) -> Result<(), Failure> {
    if output == Output::Json {
        return print_json(run);
    }
    let s = &run.summary;
    println!("Name:      {}", s.name);
    println!("Template:  {}", s.template);
    println!("State:     {} ({})", s.state.label(), s.counts.summary());
    if let Some(reason) = &s.reason {
        println!("Reason:    {reason}");
    }
    let rows: Vec<Vec<String>> = run
        .indexes
        .iter()
        .map(|i| {
            vec![
                i.index.to_string(),
                i.state.label().to_owned(),
                i.attempts.to_string(),
                i.exit_code.map(|c| c.to_string()).unwrap_or_default(),
                i.reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print_table(&["INDEX", "STATE", "ATTEMPTS", "EXIT", "REASON"], &rows);
    Ok(())
}
