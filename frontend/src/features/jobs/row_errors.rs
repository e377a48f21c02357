//! The errors of repeatable rows (`command[1]`, `args[0]`, `env[2].name`)
//! beside a `FormState`. A form's state names its fields in a fixed table,
//! and rows come and go, so their errors are kept here: shown once the form
//! was sent or the row typed into, and checked before anything is sent.

use berth_shared::FieldError;
use leptos::prelude::*;

use crate::components::{FormState, focus_by_id};
use crate::i18n;

/// Whether `field` names one row of a list (`env[2].name`), not the
/// list as a whole (`env`, whose error the form shows).
fn is_row(field: &str) -> bool {
    field.contains('[')
}

#[derive(Clone, Copy)]
pub struct RowErrors {
    /// The form's own check of everything typed now.
    own: Signal<Vec<FieldError>>,
    sent: RwSignal<bool>,
    /// The keys of the rows typed into.
    touched: RwSignal<Vec<u32>>,
}

impl RowErrors {
    pub fn new(own: impl Into<Signal<Vec<FieldError>>>) -> Self {
        Self {
            own: own.into(),
            sent: RwSignal::new(false),
            touched: RwSignal::new(Vec::new()),
        }
    }

    /// What to run when the person types into row `key`: its errors show.
    pub fn touch(self, key: u32) -> Callback<()> {
        Callback::new(move |()| {
            if !self.touched.with_untracked(|t| t.contains(&key)) {
                self.touched.update(|t| t.push(key));
            }
        })
    }

    /// The message for `path` (`env[2].name`) of row `key`, in the
    /// reader's language. `path` is computed each time: rows move.
    pub fn at(
        self,
        key: u32,
        path: impl Fn() -> String + Send + Sync + 'static,
    ) -> Signal<Option<String>> {
        Signal::derive(move || {
            if !self.sent.get() && !self.touched.with(|t| t.contains(&key)) {
                return None;
            }
            let path = path();
            self.own
                .with(|e| e.iter().find(|e| e.field == path).map(i18n::field_error))
        })
    }

    /// Every row error once the form was sent (for a list of text rows,
    /// which finds its own by path).
    pub fn listed(self) -> Signal<Vec<FieldError>> {
        Signal::derive(move || {
            if !self.sent.get() {
                return Vec::new();
            }
            self.own
                .with(|e| e.iter().filter(|e| is_row(&e.field)).cloned().collect())
        })
    }

    /// On submit, with the form's state: `true` when the request may go.
    /// Otherwise focus is on the first field that is wrong, in page order
    /// (the order of the shared rules' errors), row or not.
    pub fn begin(self, form: FormState, id_of: impl Fn(&str) -> String) -> bool {
        self.sent.set(true);
        let first = self
            .own
            .with_untracked(|e| e.first().map(|e| e.field.clone()));
        let ready = form.begin();
        match first {
            Some(field) if is_row(&field) => {
                // The form's own fields were right, so it is pending now:
                // nothing goes, and it is as before.
                if ready {
                    form.reset();
                }
                focus_by_id(id_of(&field));
                false
            }
            _ => ready,
        }
    }

    /// The form starts again (a save, another template).
    pub fn reset(self) {
        self.sent.set(false);
        self.touched.set(Vec::new());
    }
}

/// The position and the rest of `field` in `list` (`env[2].name` in
/// `env`: `(2, "name")`).
pub fn indexed(field: &str, list: &str) -> Option<(usize, String)> {
    let rest = field.strip_prefix(list)?.strip_prefix('[')?;
    let (i, tail) = rest.split_once(']')?;
    Some((i.parse().ok()?, tail.trim_start_matches('.').to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_row_path() {
        assert_eq!(indexed("env[2].name", "env"), Some((2, "name".to_owned())));
        assert_eq!(indexed("args[0]", "args"), Some((0, String::new())));
        assert_eq!(indexed("args", "args"), None);
        assert_eq!(indexed("env[x].name", "env"), None);
        assert!(is_row("command[3]"));
        assert!(!is_row("command"));
    }
}
