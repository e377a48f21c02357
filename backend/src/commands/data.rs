//! `berth registry …` and `berth image …`: the data kinds that have API
//! endpoints. A secret is read from a file or stdin, never from the
//! command line (where `ps` and shell history would show it).

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use reqwest::Method;
use serde_json::{Value, json};
use zeroize::Zeroize;

use super::client::{ApiClient, segment};
use super::{ClientArgs, Failure, Output, print_json, print_table};

#[derive(Debug, Args)]
pub struct RegistryArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(subcommand)]
    pub command: RegistryCommand,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RegistryKind {
    /// Docker Hub (user name + password or access token).
    DockerHub,
    /// IBM Container Registry (an API key).
    Icr,
    /// Any other registry (user name + password).
    Other,
}

impl RegistryKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::DockerHub => "docker-hub",
            Self::Icr => "icr",
            Self::Other => "other",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// List a project's registry credentials (never their secrets).
    List {
        #[arg(short, long)]
        project: String,
    },
    /// Store a registry credential; the password, token or API key comes
    /// from --password-from-file or --password-stdin.
    Create {
        #[arg(short, long)]
        project: String,
        #[arg(short, long)]
        name: String,
        #[arg(long, value_enum, default_value = "docker-hub")]
        kind: RegistryKind,
        /// Registry server (for icr and other), e.g. us.icr.io.
        #[arg(long, default_value = "")]
        server: String,
        /// User name (Docker Hub and other registries).
        #[arg(long, default_value = "")]
        username: String,
        /// Read the password, access token or API key from this file.
        #[arg(
            long,
            conflicts_with = "password_stdin",
            required_unless_present = "password_stdin"
        )]
        password_from_file: Option<PathBuf>,
        /// Read the password, access token or API key from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Delete a registry credential.
    Delete {
        #[arg(short, long)]
        project: String,
        #[arg(short, long)]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(subcommand)]
    pub command: ImageCommand,
}

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// List a project's image pointers.
    List {
        #[arg(short, long)]
        project: String,
    },
    /// Point at a container image (Berth stores the address, never the image).
    Create {
        #[arg(short, long)]
        project: String,
        #[arg(short, long)]
        name: String,
        /// e.g. nginx, docker.io/library/nginx:1.27, us.icr.io/team/app:v2
        #[arg(short, long)]
        reference: String,
        /// Name of the registry credential that reaches a private image.
        #[arg(long)]
        credential: Option<String>,
        #[arg(short, long, default_value = "")]
        description: String,
    },
    /// Delete an image pointer (the image itself stays in its registry).
    Delete {
        #[arg(short, long)]
        project: String,
        #[arg(short, long)]
        name: String,
    },
}

fn collection(project: &str, kind: &str) -> String {
    format!("/api/v1/projects/{}/{kind}", segment(project))
}

fn items(answer: &Value) -> Vec<Value> {
    answer["items"].as_array().cloned().unwrap_or_default()
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

/// The secret, read once, without its trailing newline.
fn read_secret(file: Option<PathBuf>, stdin: bool) -> Result<String, Failure> {
    let mut secret = String::new();
    if let Some(path) = file {
        secret = std::fs::read_to_string(&path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    } else if stdin {
        std::io::stdin()
            .read_to_string(&mut secret)
            .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
    }
    let trimmed = secret.trim_end_matches(['\r', '\n']).to_owned();
    secret.zeroize();
    if trimmed.is_empty() {
        return Err(Failure::usage("the password, token or API key is empty"));
    }
    Ok(trimmed)
}

pub async fn registry(args: RegistryArgs) -> Result<(), Failure> {
    let api = ApiClient::connect(&args.client.url).await?;
    let output = args.client.output;
    match args.command {
        RegistryCommand::List { project } => {
            let answer = api
                .get(&collection(&project, "registry-credentials"))
                .await?;
            if output == Output::Json {
                return print_json(&answer.body);
            }
            let rows: Vec<Vec<String>> = items(&answer.body)
                .iter()
                .map(|c| {
                    vec![
                        text(c, "name"),
                        text(c, "kind"),
                        text(c, "server"),
                        text(c, "username"),
                    ]
                })
                .collect();
            if rows.is_empty() {
                println!("No registry credentials in project {project}.");
            } else {
                print_table(&["NAME", "KIND", "SERVER", "USERNAME"], &rows);
            }
            Ok(())
        }
        RegistryCommand::Create {
            project,
            name,
            kind,
            server,
            username,
            password_from_file,
            password_stdin,
        } => {
            let mut secret = read_secret(password_from_file, password_stdin)?;
            let mut body = json!({
                "name": name, "kind": kind.as_str(), "server": server,
                "username": username, "secret": secret,
            });
            secret.zeroize();
            let result = api
                .send(
                    Method::POST,
                    &collection(&project, "registry-credentials"),
                    Some(&body),
                )
                .await;
            if let Some(s) = body.get_mut("secret") {
                *s = Value::Null;
            }
            let answer = result?;
            match output {
                Output::Json => print_json(&answer.body),
                Output::Text => {
                    println!("Created registry credential {name} in project {project}");
                    Ok(())
                }
            }
        }
        RegistryCommand::Delete { project, name } => {
            api.send::<()>(
                Method::DELETE,
                &format!(
                    "{}/{}",
                    collection(&project, "registry-credentials"),
                    segment(&name)
                ),
                None,
            )
            .await?;
            deleted(output, "registry credential", &name)
        }
    }
}

pub async fn image(args: ImageArgs) -> Result<(), Failure> {
    let api = ApiClient::connect(&args.client.url).await?;
    let output = args.client.output;
    match args.command {
        ImageCommand::List { project } => {
            let answer = api.get(&collection(&project, "images")).await?;
            if output == Output::Json {
                return print_json(&answer.body);
            }
            let rows: Vec<Vec<String>> = items(&answer.body)
                .iter()
                .map(|i| vec![text(i, "name"), text(i, "reference"), text(i, "credential")])
                .collect();
            if rows.is_empty() {
                println!("No images in project {project}.");
            } else {
                print_table(&["NAME", "REFERENCE", "CREDENTIAL"], &rows);
            }
            Ok(())
        }
        ImageCommand::Create {
            project,
            name,
            reference,
            credential,
            description,
        } => {
            let body = json!({
                "name": name, "reference": reference,
                "credential": credential, "description": description,
            });
            let answer = api
                .send(Method::POST, &collection(&project, "images"), Some(&body))
                .await?;
            match output {
                Output::Json => print_json(&answer.body),
                Output::Text => {
                    println!(
                        "Created image {name} ({}) in project {project}",
                        text(&answer.body, "reference")
                    );
                    Ok(())
                }
            }
        }
        ImageCommand::Delete { project, name } => {
            api.send::<()>(
                Method::DELETE,
                &format!("{}/{}", collection(&project, "images"), segment(&name)),
                None,
            )
            .await?;
            deleted(output, "image", &name)
        }
    }
}

fn deleted(output: Output, what: &str, name: &str) -> Result<(), Failure> {
    match output {
        Output::Json => print_json(&json!({"name": name, "deleted": true})),
        Output::Text => {
            println!("Deleted {what} {name}");
            Ok(())
        }
    }
}
