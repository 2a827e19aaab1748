//! The languages the booth speaks. Adding one: a `prompts/<code>.toml`
//! table, a variant here, and its line in [`super::phrasebook`].

use serde::Deserialize;

/// A language of the screen and the voice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    En,
    /// German.
    De,
    /// French.
    Fr,
    /// Spanish.
    Es,
    /// Italian.
    It,
    /// Polish.
    Pl,
    /// Turkish.
    Tr,
    /// Ukrainian (Cyrillic: the font and the voice must cover it).
    Uk,
}

impl Language {
    /// Every language, in the order of [`Language::code`]'s list.
    pub const ALL: [Language; 8] = [
        Language::En,
        Language::De,
        Language::Fr,
        Language::Es,
        Language::It,
        Language::Pl,
        Language::Tr,
        Language::Uk,
    ];

    /// The ISO 639-1 code, as in the config and the table's file name.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
            Language::Fr => "fr",
            Language::Es => "es",
            Language::It => "it",
            Language::Pl => "pl",
            Language::Tr => "tr",
            Language::Uk => "uk",
        }
    }

    /// The language's own name for itself ("Deutsch"), from its table.
    pub fn name(self) -> &'static str {
        super::phrasebook::book().name(self)
    }

    /// The language for an ISO 639-1 code.
    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The codes, for messages: "en, de, fr, ...".
    pub fn codes() -> String {
        Language::ALL.map(Language::code).join(", ")
    }
}

impl std::str::FromStr for Language {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Language::from_code(s)
            .ok_or_else(|| format!("unknown language '{s}' ({})", Language::codes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for l in Language::ALL {
            assert_eq!(l.code().parse::<Language>(), Ok(l));
        }
        let err = "xx".parse::<Language>().unwrap_err();
        assert!(err.contains("uk"), "{err}");
    }
}
