//! In-app navigation: the current address ([`location`]) and the page it
//! shows ([`route`]).

mod location;
mod route;

pub use location::{navigator, provide_location, use_path};
pub use route::{ProjectSection, Route, use_project_name, use_run_name};
