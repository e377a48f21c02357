use clap::Parser;

use berth::cli::{Cli, Command};
use berth::commands::finish;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Project(args) => return finish(berth::commands::project::run(args).await),
        Command::Registry(args) => return finish(berth::commands::data::registry(args).await),
        Command::Image(args) => return finish(berth::commands::data::image(args).await),
        Command::Jobtemplate(args) => {
            return finish(berth::commands::job_runs::templates(args).await);
        }
        Command::Jobrun(args) => return finish(berth::commands::job_runs::runs(args).await),
        Command::User(args) => return finish(berth::commands::user::run(args).await),
        Command::Crds { out } => berth::storage::resources::crds::write_all(&out),
        Command::Serve(args) => match args.settings() {
            Ok(settings) => {
                berth::telemetry::init(settings.log_json);
                berth::serve::run(settings).await
            }
            Err(err) => Err(err),
        },
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("berth: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
