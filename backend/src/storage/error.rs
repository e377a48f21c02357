//! What the Kubernetes API answered, in the terms Berth acts on.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StorageError {
    /// 404, or an object that is not Berth's.
    #[error("There is no {what} named “{name}” in this project.")]
    NotFound { what: &'static str, name: String },
    /// 404 where the caller names no object.
    #[error("the object is gone: {0}")]
    Gone(#[source] kube::Error),
    /// 409 on a create: the name is taken.
    #[error("A {what} named “{name}” already exists in this project.")]
    NameTaken { what: &'static str, name: String },
    /// 409 on a replace: the object changed since it was read.
    #[error("The {what} changed after it was read.")]
    Stale { what: &'static str },
    /// 409 before the accessor knows which of the above it is.
    #[error("conflict: {0}")]
    Conflict(#[source] kube::Error),
    /// 422: the API refused the object as invalid.
    #[error("the Kubernetes API refused the object: {0}")]
    Invalid(#[source] kube::Error),
    /// Anything else: the API is down, or answered what Berth does not expect.
    #[error(transparent)]
    Api(kube::Error),
}

impl StorageError {
    /// The API's own error, when the answer is not one Berth names.
    pub fn into_kube(self) -> Result<kube::Error, Self> {
        match self {
            Self::Gone(e) | Self::Conflict(e) | Self::Invalid(e) | Self::Api(e) => Ok(e),
            named => Err(named),
        }
    }
}

impl From<kube::Error> for StorageError {
    fn from(err: kube::Error) -> Self {
        match &err {
            kube::Error::Api(status) if status.code == 404 => Self::Gone(err),
            kube::Error::Api(status) if status.code == 409 => Self::Conflict(err),
            kube::Error::Api(status) if status.code == 422 => Self::Invalid(err),
            _ => Self::Api(err),
        }
    }
}
