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

/// The languages a booth offers, the first being where its attract screen
/// starts: never empty, no language twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Languages(Vec<Language>);

impl Languages {
    /// One language.
    pub fn one(lang: Language) -> Self {
        Self(vec![lang])
    }

    /// `list` in order, if it names at least one language and none twice.
    pub fn new(list: &[Language]) -> Result<Self, String> {
        if list.is_empty() {
            return Err("name at least one language".into());
        }
        for (i, l) in list.iter().enumerate() {
            if list[..i].contains(l) {
                return Err(format!("'{}' is listed twice", l.code()));
            }
        }
        Ok(Self(list.to_vec()))
    }

    /// The first language.
    pub fn first(&self) -> Language {
        self.0[0]
    }

    /// All of them, in order.
    pub fn as_slice(&self) -> &[Language] {
        &self.0
    }

    /// The language shown `elapsed_ms` into an attract screen that shows
    /// each for `each_ms`.
    pub fn at(&self, elapsed_ms: u64, each_ms: u64) -> Language {
        let i = (elapsed_ms / each_ms.max(1)) % self.0.len() as u64;
        self.0[i as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_cycles_in_order_and_refuses_empty_or_repeated() {
        use Language::*;
        let l = Languages::new(&[De, En, Uk]).unwrap();
        let shown: Vec<_> = (0..7).map(|s| l.at(s * 2000, 4000)).collect();
        assert_eq!(shown, [De, De, En, En, Uk, Uk, De]);
        assert!(Languages::new(&[]).is_err());
        assert_eq!(
            Languages::new(&[En, De, En]).unwrap_err(),
            "'en' is listed twice"
        );
        assert_eq!(Languages::one(Fr).at(99_999, 4000), Fr);
    }

    #[test]
    fn codes_round_trip() {
        for l in Language::ALL {
            assert_eq!(l.code().parse::<Language>(), Ok(l));
        }
        let err = "xx".parse::<Language>().unwrap_err();
        assert!(err.contains("uk"), "{err}");
    }
}
