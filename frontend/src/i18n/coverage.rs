//! Every sentence in every language: finds each `t!`/`tn!` literal in the
//! console's source (its key is its English) and each code of the shared
//! messages (its key is the code, its English the template), and checks
//! that every catalog in `frontend/locales/` has it, with the same
//! `{places}`, the plural forms its language needs, and nothing the
//! console no longer says.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::Locale;

/// A sentence the console can show: its key in the catalogs, its English
/// and whether it counts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    key: String,
    english: String,
    plural: bool,
}

impl Key {
    fn said(english: String, plural: bool) -> Self {
        Self {
            key: english.clone(),
            english,
            plural,
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literal at the start of `text` (after spaces), unescaped,
/// and what follows it.
fn literal(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start();
    let mut chars = text.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    let mut out = String::new();
    let mut escaped = false;
    for (i, c) in chars {
        if escaped {
            out.push(match c {
                'n' => '\n',
                't' => '\t',
                other => other,
            });
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            return Some((out, &text[i + 1..]));
        } else {
            out.push(c);
        }
    }
    None
}

/// Every sentence in the console's source.
fn source_keys() -> BTreeSet<Key> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut keys = BTreeSet::new();
    for file in files {
        if file.ends_with("i18n/mod.rs") || file.ends_with("i18n/coverage.rs") {
            continue;
        }
        let source = std::fs::read_to_string(&file).expect("readable source");
        for (marker, plural) in [("t!(", false), ("tn!(", true)] {
            for (at, _) in source.match_indices(marker) {
                // `t!(` inside `tn!(` or an identifier ending in t: not ours.
                let before = source[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &source[at + marker.len()..];
                let Some((first, rest)) = literal(rest) else {
                    panic!("{}: {marker} without a literal", file.display());
                };
                if plural {
                    let rest = rest
                        .trim_start()
                        .strip_prefix(',')
                        .expect("tn! takes two forms");
                    let (other, _) = literal(rest).expect("tn!'s second form is a literal");
                    keys.insert(Key::said(other, true));
                    // The singular is only the English form: not a key.
                    let _ = first;
                } else {
                    keys.insert(Key::said(first, false));
                }
            }
        }
    }
    for (code, template) in berth_shared::message::TEMPLATES {
        keys.insert(Key {
            key: (*code).to_owned(),
            english: (*template).to_owned(),
            plural: false,
        });
    }
    keys
}

/// One language's catalog: every file of its folder, merged.
fn catalog(locale: Locale) -> BTreeMap<String, Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(locale.tag());
    let mut all = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|_| panic!("{} exists", dir.display())) {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("readable catalog");
        let map: BTreeMap<String, Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (key, value) in map {
            if let Some(before) = all.get(&key) {
                assert_eq!(
                    before,
                    &value,
                    "{}: {key:?} translated two ways",
                    path.display()
                );
            }
            all.insert(key, value);
        }
    }
    all
}

fn places(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        out.insert(after[..end].to_owned());
        rest = &after[end + 1..];
    }
    out
}

/// The plural categories each language's rules use (CLDR).
fn categories(locale: Locale) -> &'static [&'static str] {
    match locale {
        Locale::En | Locale::De => &["one", "other"],
        Locale::Ja => &["other"],
        Locale::Ar => &["zero", "one", "two", "few", "many", "other"],
    }
}

#[test]
fn every_language_has_every_sentence() {
    let keys = source_keys();
    assert!(
        keys.len() > 100,
        "found only {} sentences: is the scan broken?",
        keys.len()
    );
    let mut problems = Vec::new();
    for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
        let catalog = catalog(locale);
        let tag = locale.tag();
        for key in &keys {
            let wanted = places(&key.english);
            match (catalog.get(&key.key), key.plural) {
                (None, _) => problems.push(format!("{tag}: missing {:?}", key.key)),
                (Some(Value::String(text)), false) => {
                    if places(text) != wanted {
                        problems.push(format!(
                            "{tag}: {:?} has other places: {text:?}",
                            key.english
                        ));
                    }
                }
                (Some(Value::Object(forms)), true) => {
                    for category in categories(locale) {
                        match forms.get(*category).and_then(Value::as_str) {
                            None => problems.push(format!(
                                "{tag}: {:?} lacks the {category} form",
                                key.english
                            )),
                            Some(text) => {
                                let mut allowed = wanted.clone();
                                allowed.insert("n".to_owned());
                                if !places(text).is_subset(&allowed) {
                                    problems.push(format!(
                                        "{tag}: {:?} ({category}) has unknown places: {text:?}",
                                        key.english
                                    ));
                                }
                            }
                        }
                    }
                }
                (Some(other), plural) => problems.push(format!(
                    "{tag}: {:?} should be {} but is {other}",
                    key.english,
                    if plural {
                        "an object of plural forms"
                    } else {
                        "a string"
                    }
                )),
            }
        }
        let known: BTreeSet<&str> = keys.iter().map(|k| k.key.as_str()).collect();
        for key in catalog.keys() {
            if !known.contains(key.as_str()) {
                problems.push(format!("{tag}: {key:?} is no longer said"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn reads_literals_with_escapes() {
    assert_eq!(
        literal(r#" "a \"b\" c", x"#),
        Some(("a \"b\" c".to_owned(), ", x"))
    );
    assert_eq!(literal("x"), None);
}
