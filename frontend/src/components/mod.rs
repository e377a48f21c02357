//! Building blocks shared by the pages: the shell around every page, form
//! fields that show their own errors, and the loading / error / status views.
//! Keeping them here means every page gets the same accessibility behaviour.

mod breakable;
mod credential_form;
mod field;
mod focus;
mod form;
mod loader;
mod modal;
mod notice;
mod project_nav;
mod remote;
mod remote_list;
mod row_actions;
mod rows;
mod secret_input;
mod shell;
mod status;
mod time;

pub use breakable::Breakable;
pub use credential_form::CredentialForm;
pub use field::TextField;
pub use focus::focus_by_id;
pub use form::FormState;
pub use loader::Loader;
pub use modal::Modal;
pub use notice::{Notice, NoticeView, leave_notice, provide_notice, take_notice};
pub use project_nav::{ProjectHeader, ProjectNav};
pub use remote::Remote;
pub use remote_list::{ListWords, remote_list};
pub use row_actions::RowActions;
pub use rows::{Row, TextRows, index_of, row, row_controls};
pub use secret_input::SecretInput;
pub use shell::{Shell, set_page_title};
pub use status::{EmptyState, ErrorPanel, Loading};
pub use time::Time;

/// ARIA states such as `aria-invalid` and `aria-busy` take the strings
/// `"true"`/`"false"`; an empty attribute (what a plain `bool` renders) means
/// false to assistive technology, so booleans go through here.
pub fn aria_bool(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}
