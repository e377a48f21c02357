//! Password hashes: argon2id with the crate's recommended parameters, in
//! PHC string form (algorithm, parameters and salt travel with the hash).
//!
//! Every hash and check runs on one dedicated thread, one after another,
//! each in a 19 MiB block of memory (argon2's memory cost) given back to
//! the system after it (see [`super::argon2_in_place`]). On the runtime's
//! blocking pool a burst of sign-ins would need that much per concurrent
//! sign-in. A check takes tens of milliseconds, so one thread still serves
//! dozens of sign-ins a second, and the sign-in rate limits keep a flood out
//! of the queue.

use std::sync::OnceLock;
use std::sync::mpsc;

use super::argon2_in_place::Argon2InPlace;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use secrecy::{ExposeSecret, SecretString};

use crate::error::ApiError;

type Job = Box<dyn FnOnce() + Send>;

/// Runs `work` on the password thread and waits for it without blocking
/// the runtime; `None` if the thread is gone.
async fn on_password_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    static QUEUE: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();
    let queue = QUEUE.get_or_init(|| {
        let (queue, jobs) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("berth-passwords".to_owned())
            .spawn(move || jobs.into_iter().for_each(|job| job()))
            .map_err(|e| tracing::error!(error = %e, "cannot start the password thread"))
            .ok()
            .map(|_| queue)
    });
    let (done, result) = tokio::sync::oneshot::channel();
    queue
        .as_ref()?
        .send(Box::new(move || {
            let _ = done.send(work());
        }))
        .ok()?;
    result.await.ok()
}

/// Hashes on the password thread: argon2 takes tens of milliseconds on purpose.
pub async fn hash(password: SecretString) -> Result<String, ApiError> {
    on_password_thread(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2InPlace::default()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing a password: {e}")))
    })
    .await
    .unwrap_or_else(|| Err(ApiError::Internal(anyhow::anyhow!("no password thread"))))
}

/// Whether `password` matches `phc`. With no hash (an unknown user) it still
/// does the work of a real check against a decoy, so timing does not tell
/// which user names exist; the answer is then always no.
pub async fn verify(password: SecretString, phc: Option<String>) -> bool {
    on_password_thread(move || {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(decoy_hash);
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        let matches = Argon2InPlace::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        known && matches
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random, forgotten password, made once.
fn decoy_hash() -> String {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2InPlace::default()
                .hash_password(super::sessions::random_token().as_bytes(), &salt)
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let phc = hash(SecretString::from("correct horse battery"))
            .await
            .expect("hash");
        assert!(phc.starts_with("$argon2id$"));
        assert!(
            verify(
                SecretString::from("correct horse battery"),
                Some(phc.clone())
            )
            .await
        );
        assert!(!verify(SecretString::from("correct horse batterz"), Some(phc)).await);
        assert!(!verify(SecretString::from("anything"), None).await);
    }
}
