//! The prompt tables: what the booth shows and says, one TOML file per
//! language under `prompts/`, so a translator edits words, not Rust. The
//! files are built into the binary (a booth never runs with a table missing
//! or half-read); [`problems`] lists every key a table lacks or does not
//! know, and the tests fail on any.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::language::Language;
use super::prompts::Prompt;
use crate::checks::Reason;

/// The tables as built in, by language.
const TABLES: [(Language, &str); 8] = [
    (Language::En, include_str!("../../prompts/en.toml")),
    (Language::De, include_str!("../../prompts/de.toml")),
    (Language::Fr, include_str!("../../prompts/fr.toml")),
    (Language::Es, include_str!("../../prompts/es.toml")),
    (Language::It, include_str!("../../prompts/it.toml")),
    (Language::Pl, include_str!("../../prompts/pl.toml")),
    (Language::Tr, include_str!("../../prompts/tr.toml")),
    (Language::Uk, include_str!("../../prompts/uk.toml")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    language: About,
    prompts: HashMap<String, String>,
    reasons: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct About {
    name: String,
    voice: String,
}

/// One language's words, indexed by prompt and reason.
#[derive(Debug)]
struct Table {
    name: String,
    voice: String,
    prompts: Vec<Option<String>>,
    reasons: Vec<Option<String>>,
}

/// Every language's table.
#[derive(Debug)]
pub struct Phrasebook {
    tables: Vec<(Language, Table)>,
    problems: Vec<String>,
}

/// Reads one table; what is missing or unknown goes to `problems`.
fn read_table(lang: Language, text: &str, problems: &mut Vec<String>) -> Option<Table> {
    let file: TableFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            problems.push(format!("prompts/{}.toml: {e}", lang.code()));
            return None;
        }
    };
    let mut take = |section: &str, mut words: HashMap<String, String>, keys: &[&str]| {
        let found: Vec<Option<String>> = keys
            .iter()
            .map(|k| {
                let w = words.remove(*k).filter(|w| !w.trim().is_empty());
                if w.is_none() {
                    problems.push(format!(
                        "prompts/{}.toml: [{section}] {k} missing",
                        lang.code()
                    ));
                }
                w
            })
            .collect();
        let mut unknown: Vec<_> = words.into_keys().collect();
        unknown.sort();
        for k in unknown {
            problems.push(format!(
                "prompts/{}.toml: [{section}] {k} is not a key the booth knows",
                lang.code()
            ));
        }
        found
    };
    let prompts = take("prompts", file.prompts, &Prompt::ALL.map(Prompt::key));
    let reasons = take("reasons", file.reasons, &Reason::ALL.map(Reason::code));
    Some(Table {
        name: file.language.name,
        voice: file.language.voice,
        prompts,
        reasons,
    })
}

impl Phrasebook {
    /// Reads `tables`, noting every problem (see [`problems`]).
    fn read(tables: &[(Language, &str)]) -> Phrasebook {
        let mut problems = Vec::new();
        let tables = tables
            .iter()
            .filter_map(|&(lang, text)| Some((lang, read_table(lang, text, &mut problems)?)))
            .collect();
        Phrasebook { tables, problems }
    }

    fn table(&self, lang: Language) -> Option<&Table> {
        self.tables.iter().find(|(l, _)| *l == lang).map(|(_, t)| t)
    }

    /// Looks a word up in `lang`, else in English (a gap shows English, not
    /// nothing), else gives the key.
    fn lookup<'a>(
        &'a self,
        lang: Language,
        pick: impl Fn(&'a Table) -> Option<&'a str>,
        key: &'a str,
    ) -> &'a str {
        self.table(lang)
            .and_then(&pick)
            .or_else(|| self.table(Language::En).and_then(&pick))
            .unwrap_or(key)
    }

    /// A prompt's words in `lang`.
    pub fn prompt(&self, lang: Language, p: Prompt) -> &str {
        self.lookup(lang, |t| t.prompts.get(p as usize)?.as_deref(), p.key())
    }

    /// A reason's words in `lang`.
    pub fn reason(&self, lang: Language, r: Reason) -> &str {
        self.lookup(lang, |t| t.reasons.get(r as usize)?.as_deref(), r.code())
    }

    /// The language's name for itself.
    pub fn name(&self, lang: Language) -> &str {
        self.lookup(lang, |t| Some(t.name.as_str()), lang.code())
    }

    /// The espeak-ng voice for `lang`.
    pub fn voice(&self, lang: Language) -> &str {
        self.table(lang).map_or(lang.code(), |t| t.voice.as_str())
    }
}

/// The built-in tables, read once.
pub fn book() -> &'static Phrasebook {
    static BOOK: OnceLock<Phrasebook> = OnceLock::new();
    BOOK.get_or_init(|| Phrasebook::read(&TABLES))
}

/// Every problem in the built-in tables: a missing or empty entry, a key
/// the booth does not know, a file that does not parse. Empty when all is
/// well (a test insists).
pub fn problems() -> &'static [String] {
    &book().problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_prompt_and_reason() {
        assert_eq!(problems(), &[] as &[String]);
        for (lang, _) in TABLES {
            assert!(book().table(lang).is_some(), "{lang:?}");
        }
    }

    #[test]
    fn enum_order_matches_the_lists() {
        for (i, p) in Prompt::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i, "{p:?}");
        }
        for (i, r) in Reason::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i, "{r:?}");
        }
        assert_eq!(TABLES.map(|(l, _)| l), Language::ALL);
    }

    #[test]
    fn a_missing_or_unknown_entry_is_reported_and_english_fills_the_gap() {
        let en = TABLES[0].1;
        let broken = TABLES[1]
            .1
            .replace("hold_still = ", "hold_stil = ")
            .replace("too_dark = \"Zu dunkel\"", "too_dark = \"  \"");
        let book = Phrasebook::read(&[(Language::En, en), (Language::De, &broken)]);
        assert_eq!(
            book.problems,
            [
                "prompts/de.toml: [prompts] hold_still missing",
                "prompts/de.toml: [prompts] hold_stil is not a key the booth knows",
                "prompts/de.toml: [reasons] too_dark missing",
            ]
        );
        assert_eq!(book.prompt(Language::De, Prompt::HoldStill), "Hold still");
        assert_eq!(book.prompt(Language::De, Prompt::OpenEyes), "Augen öffnen");
        let bad = Phrasebook::read(&[(Language::Fr, "[language]\nname = 1\n")]);
        assert_eq!(bad.problems.len(), 1, "{:?}", bad.problems);
        assert!(bad.problems[0].starts_with("prompts/fr.toml: "));
    }

    /// About 40 characters fit on two lines of the screen's type; a word
    /// appears once per language among the prompts (two prompts that read
    /// alike would confuse).
    #[test]
    fn words_are_short_and_prompts_distinct() {
        for lang in Language::ALL {
            let mut seen = std::collections::HashSet::new();
            for p in Prompt::ALL {
                let t = p.text(lang);
                assert!(t.chars().count() <= 40, "{lang:?} {p:?}: {t}");
                assert!(seen.insert(t), "{lang:?}: {t} twice");
            }
            for r in Reason::ALL {
                let t = super::super::prompts::reason_text(r, lang);
                assert!(t.chars().count() <= 40, "{lang:?} {r:?}: {t}");
            }
        }
    }
}
