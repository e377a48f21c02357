//! The verbs: get, list, create, update (PUT), patch, delete, deletecollection.
//!
//! Each handler validates what it can before taking the writer, then does the
//! checks that depend on current state (existence, `resourceVersion`,
//! namespace lifecycle) inside one [`Store::write`] so they are atomic.

mod checks;
mod create;
mod delete;
mod log;
mod read;
mod render;
mod request;
mod update;

pub use self::create::create;
pub use self::delete::{delete, delete_collection};
pub use self::log::pod_log;
pub use self::read::{get, list};
pub use self::render::{json_response, render};
pub use self::request::{Params, Target};
pub use self::update::{Part, patch, update};

use self::checks::*;
use self::render::*;
use self::request::*;

/// The Kubernetes namespace finalizer, owned by the namespace controller.
pub const KUBERNETES_FINALIZER: &str = "kubernetes";
