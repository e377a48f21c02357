//! What every kind of project data offers: list, get, create, replace
//! guarded by version, delete. The routes serve any [`Collection`] the same
//! way; each service keeps only what is particular to its kind.

use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;

use berth_shared::{FieldError, Message};

use crate::error::ApiError;
use crate::kinds::Kind;

pub trait Collection: Clone + Send + Sync + 'static {
    /// The description of the kind.
    const KIND: &'static Kind;
    /// One object as the API shows it: JSON with its `name` and its
    /// `version` (which an `ETag` carries and `If-Match` sends back).
    type View: Serialize + Send;
    /// What a create or replace sends.
    type Body: DeserializeOwned + Send;

    /// Every object of the namespace, by name.
    fn list(
        &self,
        namespace: &str,
    ) -> impl Future<Output = Result<Vec<Self::View>, ApiError>> + Send;

    fn get(
        &self,
        namespace: &str,
        name: &str,
    ) -> impl Future<Output = Result<Self::View, ApiError>> + Send;

    /// Create an object; its name must be free.
    fn create(
        &self,
        namespace: &str,
        body: Self::Body,
        actor: &str,
    ) -> impl Future<Output = Result<Self::View, ApiError>> + Send;

    /// Replace an object; `if_match` is the version the caller read.
    fn replace(
        &self,
        namespace: &str,
        name: &str,
        body: Self::Body,
        if_match: Option<String>,
        actor: &str,
    ) -> impl Future<Output = Result<Self::View, ApiError>> + Send;

    /// Delete an object; `force` deletes one that others still use, for
    /// the kinds that refuse that.
    fn delete(
        &self,
        namespace: &str,
        name: &str,
        force: bool,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// The name a replacement keeps: the address's. A body may leave it out, but
/// naming another object is refused with `refusal` (objects are not renamed).
pub fn keep_name(sent: &mut String, name: &str, refusal: Message) -> Result<(), ApiError> {
    if !sent.is_empty() && sent != name {
        return Err(ApiError::Validation(vec![FieldError::new("name", refusal)]));
    }
    name.clone_into(sent);
    Ok(())
}

/// `errors` as the answer, when there are any.
pub fn refuse(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Adds the error for `name`, a reference in a field to an object of a kind
/// in the same project, when `exists` says there is none (and the field has
/// no error yet).
pub async fn check_reference<F>(
    errors: &mut Vec<FieldError>,
    (field, kind): (&str, &Kind),
    name: Option<&str>,
    exists: impl FnOnce(String) -> F,
) -> Result<(), ApiError>
where
    F: Future<Output = Result<bool, ApiError>>,
{
    if let Some(name) = name
        && errors.iter().all(|e| e.field != field)
        && !exists(name.to_owned()).await?
    {
        errors.push(FieldError::new(field, kind.not_found(name)));
    }
    Ok(())
}
