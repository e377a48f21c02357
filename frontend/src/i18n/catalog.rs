//! The catalog of the language in use, how it is fetched, and switching.
//!
//! Catalogs are read once per language and kept for the page's life (at
//! most three, some tens of KB each), which lets `tr` hand out `&'static
//! str` like the English literals it stands in for.

use std::cell::{Cell, RefCell};

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};
use wasm_bindgen::{JsCast, JsValue};

use super::Locale;

/// The key of an English sentence → its text, or an object of its forms
/// by plural category. Read as plain JSON values: the console parses those
/// already, where a typed map of an untagged enum would add serde code to
/// the first load.
type Catalog = Map<String, Value>;

/// A sentence's key in a catalog: the FNV-1a hash of its English (or of
/// its code, for the server's), in base 36, as `scripts/build-frontend`
/// writes them (shorter than the English, which brotli cannot shrink as
/// much as the console's own copy). On the stack: every `t!` in another
/// language makes one.
struct Key {
    /// A `u32` is at most 7 digits in base 36; they fill it from the end.
    digits: [u8; 7],
    start: usize,
}

impl Key {
    fn of(text: &str) -> Self {
        let mut hash: u32 = 0x811c_9dc5;
        for byte in text.bytes() {
            hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
        }
        let mut key = Self {
            digits: [b'0'; 7],
            start: 7,
        };
        loop {
            key.start -= 1;
            key.digits[key.start] = b"0123456789abcdefghijklmnopqrstuvwxyz"[(hash % 36) as usize];
            hash /= 36;
            if hash == 0 {
                break;
            }
        }
        key
    }

    fn as_str(&self) -> &str {
        // ASCII digits and letters only.
        std::str::from_utf8(&self.digits[self.start..]).unwrap_or_default()
    }
}

const CHOICE_KEY: &str = "berth-locale";

thread_local! {
    static ACTIVE: Cell<Option<&'static Catalog>> = const { Cell::new(None) };
    static LOADED: RefCell<Vec<(Locale, &'static Catalog)>> = const { RefCell::new(Vec::new()) };
    /// What the portal asked for, if it did.
    static PORTAL: Cell<Option<Locale>> = const { Cell::new(None) };
    static SIGNAL: RwSignal<Locale> = RwSignal::new(Locale::En);
}

pub fn current() -> Locale {
    super::locale::current()
}

pub fn language() -> ReadSignal<Locale> {
    SIGNAL.with(|s| s.read_only())
}

pub fn lookup(english: &str) -> Option<&'static str> {
    ACTIVE.get()?.get(Key::of(english).as_str())?.as_str()
}

/// The form of the sentence whose English plural is `other` for `n`.
pub fn plural(other: &str, n: usize) -> Option<&'static str> {
    let forms = ACTIVE.get()?.get(Key::of(other).as_str())?.as_object()?;
    let category = super::intl::plural_category(n);
    forms
        .get(&category)
        .or_else(|| forms.get("other"))?
        .as_str()
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The person's own choice, if they made one.
pub fn chosen() -> Option<Locale> {
    Locale::from_tag(&storage()?.get_item(CHOICE_KEY).ok().flatten()?)
}

/// The browser's preferred languages, in order.
fn browser() -> Option<Locale> {
    let languages = window().navigator().languages();
    let tags: Vec<String> = languages.iter().filter_map(|v| v.as_string()).collect();
    Locale::first_of(tags.iter().map(String::as_str))
}

/// Which language to use now.
fn wanted() -> Locale {
    chosen()
        .or(PORTAL.get())
        .or_else(browser)
        .unwrap_or(Locale::En)
}

fn global(name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// Where the catalogs are: the console's own (hashed) folder, which
/// boot.js names.
fn url(locale: Locale) -> String {
    let folder = global("berthConsole")
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "/".to_owned());
    format!("{folder}locale-{}.json", locale.tag())
}

fn parse(text: &str) -> Option<&'static Catalog> {
    match serde_json::from_str(text).ok()? {
        Value::Object(catalog) => Some(Box::leak(Box::new(catalog))),
        _ => None,
    }
}

/// The catalog boot.js started fetching for `locale`, if it did.
async fn early(locale: Locale) -> Option<String> {
    let early = global("berthCatalog")?;
    let tag = js_sys::Reflect::get(&early, &"tag".into())
        .ok()?
        .as_string()?;
    if tag != locale.tag() {
        return None;
    }
    let text: js_sys::Promise = js_sys::Reflect::get(&early, &"text".into())
        .ok()?
        .dyn_into()
        .ok()?;
    // Taken once; a later switch fetches (or finds it in LOADED).
    let _ = js_sys::Reflect::delete_property(
        &js_sys::global().unchecked_into::<js_sys::Object>(),
        &"berthCatalog".into(),
    );
    wasm_bindgen_futures::JsFuture::from(text)
        .await
        .ok()?
        .as_string()
}

async fn fetch(locale: Locale) -> Option<String> {
    let response = gloo_net::http::Request::get(&url(locale))
        .header("Accept", "application/json")
        .send()
        .await
        .ok()?;
    if !response.ok() {
        return None;
    }
    response.text().await.ok()
}

/// `locale`'s catalog, read once.
async fn load(locale: Locale) -> Option<&'static Catalog> {
    if let Some(catalog) =
        LOADED.with_borrow(|l| l.iter().find(|(l, _)| *l == locale).map(|(_, c)| *c))
    {
        return Some(catalog);
    }
    let text = match early(locale).await {
        Some(text) => text,
        None => fetch(locale).await?,
    };
    let catalog = parse(&text)?;
    LOADED.with_borrow_mut(|l| l.push((locale, catalog)));
    Some(catalog)
}

/// Makes `locale` the language in use, once its catalog is in (a language
/// whose catalog cannot be read is not switched to: the console stays
/// readable in the one it had).
async fn switch(locale: Locale) -> bool {
    let catalog = if locale == Locale::En {
        None
    } else {
        match load(locale).await {
            Some(catalog) => Some(catalog),
            None => return false,
        }
    };
    super::locale::set_current(locale);
    ACTIVE.set(catalog);
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", locale.tag());
        let _ = root.set_attribute("dir", if locale.right_to_left() { "rtl" } else { "ltr" });
    }
    SIGNAL.with(|s| s.set(locale));
    true
}

/// Before the console draws anything: the language it starts in.
pub async fn start() {
    switch(wanted()).await;
}

/// The person's choice from the user menu (`None`: the portal's or the
/// browser's language again). Kept as the language tag alone.
pub fn choose(choice: Option<Locale>) {
    if let Some(store) = storage() {
        let _ = match choice {
            Some(locale) => store.set_item(CHOICE_KEY, locale.tag()),
            None => store.remove_item(CHOICE_KEY),
        };
    }
    spawn_local(async move {
        switch(wanted()).await;
    });
}

/// The portal's `locale` message; the person's own choice still wins.
pub fn from_portal(tag: &str) {
    let Some(locale) = Locale::from_tag(tag) else {
        return;
    };
    PORTAL.set(Some(locale));
    if chosen().is_none() && locale != current() {
        spawn_local(async move {
            switch(locale).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::Key;

    /// The keys `scripts/build-frontend` (JavaScript) writes for the same
    /// sentences, over UTF-8 bytes.
    #[test]
    fn keys_are_the_builds() {
        assert_eq!(Key::of("").as_str(), "ztntfp");
        assert_eq!(Key::of("Löschen").as_str(), "14jkcgz");
        assert_eq!(Key::of("project.name.taken").as_str(), "kg5btq");
    }
}
