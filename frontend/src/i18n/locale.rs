//! The languages the console speaks, and how a browser's language tags
//! (`de-CH`, `ja`, `ar-EG`) map onto them.

thread_local! {
    /// The language in use (set by `catalog.rs` once its catalog is in).
    static CURRENT: std::cell::Cell<Locale> = const { std::cell::Cell::new(Locale::En) };
}

/// The language in use.
pub fn current() -> Locale {
    CURRENT.get()
}

pub(super) fn set_current(locale: Locale) {
    CURRENT.set(locale);
}

/// A language the console ships.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    En,
    De,
    Ja,
    Ar,
}

impl Locale {
    pub const ALL: [Locale; 4] = [Locale::En, Locale::De, Locale::Ja, Locale::Ar];

    /// The BCP 47 tag (`lang` attribute, `Intl`, the catalog's file name).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Ja => "ja",
            Locale::Ar => "ar",
        }
    }

    /// The language's own name for itself, as a picker lists it.
    pub fn name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::De => "Deutsch",
            Locale::Ja => "日本語",
            Locale::Ar => "العربية",
        }
    }

    pub fn right_to_left(self) -> bool {
        self == Locale::Ar
    }

    /// The language of a tag such as `de-AT` or `AR`, if the console has it.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Locale::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// The first of the browser's preferred languages the console has.
    pub fn first_of<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<Locale> {
        tags.into_iter().find_map(Locale::from_tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regional_and_odd_tags() {
        assert_eq!(Locale::from_tag("de-CH"), Some(Locale::De));
        assert_eq!(Locale::from_tag("AR"), Some(Locale::Ar));
        assert_eq!(Locale::from_tag("ja_JP"), Some(Locale::Ja));
        assert_eq!(Locale::from_tag("fr-FR"), None);
        assert_eq!(Locale::from_tag(""), None);
    }

    #[test]
    fn takes_the_first_language_it_has() {
        assert_eq!(Locale::first_of(["fr", "ar-EG", "de"]), Some(Locale::Ar));
        assert_eq!(Locale::first_of(["fr", "es"]), None);
    }
}
