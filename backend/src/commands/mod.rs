//! The CLI over Berth's HTTP API: `berth project …` (and the data kinds),
//! talking to a running Berth at `--url`/`BERTH_URL`, with the bearer token
//! of `BERTH_TOKEN` when set, or else signed in as `BERTH_USER` with
//! `BERTH_PASSWORD`.
//!
//! Every command prints its result on stdout (text, or JSON with
//! `--output json`) and failures as one line on stderr. Exit codes:
//! 0 success, 1 the request failed (the server's reason is printed),
//! 2 usage error or confirmation not given, 3 a deletion did not finish in
//! time (it goes on in the cluster).

pub mod client;
pub mod data;
pub mod job_runs;
pub mod project;
pub mod user;

use std::process::ExitCode;

use clap::{Args, ValueEnum};

/// Options every API command takes.
#[derive(Debug, Clone, Args)]
pub struct ClientArgs {
    /// Address of the running Berth.
    #[arg(
        long,
        env = "BERTH_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    pub url: String,

    /// How to print results.
    #[arg(short, long, value_enum, default_value_t = Output::Text, global = true)]
    pub output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Lines for people.
    Text,
    /// JSON for programs.
    Json,
}

/// Why a command failed, with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn request(message: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }

    pub fn unfinished(message: impl Into<String>) -> Self {
        Self {
            code: 3,
            message: message.into(),
        }
    }
}

/// Prints a failure as one line and turns it into the exit code.
pub fn finish(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let line = failure.message.replace('\n', " ");
            eprintln!("berth: {line}");
            ExitCode::from(failure.code)
        }
    }
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::request(format!("cannot print JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

/// Left-aligned columns, two spaces apart.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| {
        let last = cells.len().saturating_sub(1);
        cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    c
                } else {
                    format!("{c:<width$}", width = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    println!("{}", line(header.iter().map(|h| (*h).to_owned()).collect()));
    for row in rows {
        println!("{}", line(row.clone()));
    }
}
