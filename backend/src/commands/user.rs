//! `berth user list|add|passwd|remove`: local accounts, for administrators.
//! A password is read from a file or stdin, never from the command line;
//! it is a one-time password its owner replaces at the first sign-in.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;
use zeroize::Zeroize;

use super::client::{ApiClient, segment};
use super::data::read_secret;
use super::{ClientArgs, Failure, Output, print_json, print_table};

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(subcommand)]
    pub command: UserCommand,
}

/// Where the new password comes from.
#[derive(Debug, Args)]
pub struct PasswordSource {
    /// Read the one-time password from this file.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "password_stdin",
        required_unless_present = "password_stdin"
    )]
    password_from_file: Option<PathBuf>,
    /// Read the one-time password from stdin.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// List the accounts.
    List,
    /// Add an account with a one-time password.
    Add {
        /// The user name.
        #[arg(short, long)]
        name: String,
        /// Make the account an administrator (sees every project, manages accounts).
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Set a new one-time password (the account's sessions end).
    Passwd {
        /// The user name.
        #[arg(short, long)]
        name: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Remove an account (its sessions end).
    Remove {
        /// The user name.
        #[arg(short, long)]
        name: String,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct User {
    name: String,
    admin: bool,
    password_change_required: bool,
}

#[derive(Deserialize)]
struct UserList {
    items: Vec<User>,
}

pub async fn run(args: UserArgs) -> Result<(), Failure> {
    let api = ApiClient::connect(&args.client.url).await?;
    let output = args.client.output;
    match args.command {
        UserCommand::List => {
            let answer = api.get("/api/v1/users").await?;
            if output == Output::Json {
                return print_json(&answer.body);
            }
            let list: UserList = answer.into()?;
            let rows: Vec<Vec<String>> = list
                .items
                .iter()
                .map(|u| {
                    vec![
                        u.name.clone(),
                        if u.admin { "administrator" } else { "user" }.to_owned(),
                        if u.password_change_required {
                            "one-time password"
                        } else {
                            "own password"
                        }
                        .to_owned(),
                    ]
                })
                .collect();
            print_table(&["NAME", "ROLE", "PASSWORD"], &rows);
        }
        UserCommand::Add {
            name,
            admin,
            password,
        } => {
            let mut secret = read_secret(password.password_from_file, password.password_stdin)?;
            let body = json!({ "name": name, "password": secret, "admin": admin });
            secret.zeroize();
            api.send(Method::POST, "/api/v1/users", Some(&body)).await?;
            println!("Added user {name}; they choose their own password at the first sign-in");
        }
        UserCommand::Passwd { name, password } => {
            let mut secret = read_secret(password.password_from_file, password.password_stdin)?;
            let body = json!({ "password": secret });
            secret.zeroize();
            let path = format!("/api/v1/users/{}/password", segment(&name));
            api.send(Method::PUT, &path, Some(&body)).await?;
            println!("Set a one-time password for {name}; their sessions ended");
        }
        UserCommand::Remove { name } => {
            let path = format!("/api/v1/users/{}", segment(&name));
            api.send::<()>(Method::DELETE, &path, None).await?;
            println!("Removed user {name}");
        }
    }
    Ok(())
}
