//! First start: Berth's system namespace, and an administrator when there
//! is no account yet.

use std::collections::BTreeMap;
use std::io::Write;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{ObjectMeta, PostParams};
use kube::{Api, Client};
use secrecy::SecretString;

use super::{passwords, users::UserStore};
use crate::storage::labels;

/// The name of the first administrator.
pub const FIRST_ADMIN: &str = "admin";

/// Both steps of the first start. When the cluster does not answer, Berth
/// still starts (not ready), and [`retry`] finishes them later.
pub async fn run(
    client: &Client,
    system_namespace: &str,
    users: &UserStore,
    console_url: &str,
) -> anyhow::Result<()> {
    ensure_system_namespace(client, system_namespace).await?;
    first_administrator(users, console_url).await
}

/// [`run`] every few seconds until it succeeds or the server stops.
pub async fn retry(
    client: Client,
    system_namespace: String,
    users: UserStore,
    console_url: String,
    mut stop: tokio::sync::watch::Receiver<()>,
) -> std::io::Result<()> {
    loop {
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            _ = stop.changed() => return Ok(()),
        }
        match run(&client, &system_namespace, &users, &console_url).await {
            Ok(()) => return Ok(()),
            Err(err) => {
                tracing::warn!(error = %err, "accounts not set up yet: the cluster does not answer")
            }
        }
    }
}

/// Creates the namespace that holds accounts and sessions, if missing. It
/// is not a project: it lacks the project label, so no list shows it.
pub async fn ensure_system_namespace(client: &Client, name: &str) -> anyhow::Result<()> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    if namespaces.get_opt(name).await?.is_some() {
        return Ok(());
    }
    let namespace = Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some(BTreeMap::from([
                (
                    labels::MANAGED_BY.to_owned(),
                    labels::MANAGED_BY_VALUE.to_owned(),
                ),
                (labels::KIND.to_owned(), "system".to_owned()),
            ])),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    match namespaces.create(&PostParams::default(), &namespace).await {
        Ok(_) => Ok(()),
        // Another replica made it first.
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// With no account at all, creates [`FIRST_ADMIN`] with a one-time password
/// and prints it on the terminal (stdout), once: it is not logged, and the
/// first sign-in must replace it. Several replicas starting together create
/// it once; only the one that did prints.
pub async fn first_administrator(users: &UserStore, console_url: &str) -> anyhow::Result<()> {
    if !users.list().await?.is_empty() {
        return Ok(());
    }
    let password = one_time_password();
    let hash = passwords::hash(SecretString::from(password.clone())).await?;
    if users.create(FIRST_ADMIN, hash, true, true).await?.is_some() {
        tracing::info!(user = FIRST_ADMIN, "created the first administrator");
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "Created the administrator account “{FIRST_ADMIN}”. Sign in at {console_url} with the one-time password: {password}"
        )?;
        writeln!(
            out,
            "You will be asked to choose your own password right away."
        )?;
        out.flush()?;
    }
    Ok(())
}

/// Five groups of four letters and digits, without look-alikes (0/O, 1/l):
/// about 100 bits, easy to type from a terminal.
fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system's random generator is unavailable");
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::one_time_password;

    #[test]
    fn one_time_passwords_are_long_random_and_typeable() {
        let a = one_time_password();
        assert_eq!(a.len(), 24);
        assert_ne!(a, one_time_password());
        assert!(
            a.chars()
                .all(|c| c == '-' || c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert!(berth_shared::session::validate_password(&a).is_ok());
    }
}
