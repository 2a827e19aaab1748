//! The booth's settings from the three places they come from: a flag on the
//! command line wins over the config file, which wins over the booth's own
//! defaults (`booth::settings`). This is the only place they are merged.

use super::Config;
use crate::booth::{BoothSettings, DEFAULT_SPEC};
use crate::print::Paper;
use crate::print::media::{Media, UnknownMedia};
use crate::session::prompts::{Language, Languages};
use crate::spec::{SpecError, SpecLibrary};

/// What the command line says over the config file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// A spec id.
    pub spec: Option<String>,
    /// A paper name.
    pub media: Option<String>,
    /// The screen language.
    pub lang: Option<Language>,
}

/// Why the settings cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The spec is unknown.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The paper is unknown.
    #[error(transparent)]
    Media(#[from] UnknownMedia),
}

/// The settings of a booth run with `config` (if any) and `flags`.
pub fn booth_settings(
    config: Option<&Config>,
    specs: &SpecLibrary,
    flags: &Overrides,
) -> Result<BoothSettings, SettingsError> {
    let spec = flags
        .spec
        .as_deref()
        .or(config.map(|c| c.spec.as_str()))
        .unwrap_or(DEFAULT_SPEC);
    let mut settings = BoothSettings::new(specs.get(spec)?.clone())?;
    if let Some(c) = config {
        settings.paper = Paper {
            media: c.media.clone(),
            margin_mm: c.printer.margin_mm,
            copies: c.printer.copies,
        };
        settings.languages = c.languages.clone();
        // Validated when the config was read.
        settings.payment = c.payment.as_ref().and_then(|p| p.settings().ok());
        settings.timing = c.timing;
    }
    if let Some(m) = &flags.media {
        settings.paper.media = Media::parse(m)?;
    }
    if let Some(lang) = flags.lang {
        settings.languages = Languages::one(lang);
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn specs() -> SpecLibrary {
        SpecLibrary::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")).unwrap()
    }

    fn config() -> Config {
        let text = "spec = \"de-passport\"\nlanguage = \"de\"\n[printer]\nfolder = \"/tmp/x\"\nmedia = \"a6\"\ncopies = 2\nmargin_mm = 3.0\n[timeouts]\nreview_s = 45\n";
        Config::from_toml(text, Path::new("booth.toml"), &specs()).unwrap()
    }

    #[test]
    fn without_a_config_or_flags_the_booth_defaults_hold() {
        let s = booth_settings(None, &specs(), &Overrides::default()).unwrap();
        assert_eq!(s.spec.id, DEFAULT_SPEC);
        assert_eq!(s.paper, Paper::new(Media::parse("4x6").unwrap()));
        assert_eq!(s.languages, Languages::one(Language::En));
        assert_eq!(s.timing, crate::session::machine::Timing::default());
    }

    #[test]
    fn the_config_wins_over_the_defaults_and_a_flag_over_the_config() {
        let c = config();
        let s = booth_settings(Some(&c), &specs(), &Overrides::default()).unwrap();
        assert_eq!(s.spec.id, "de-passport");
        assert_eq!(s.paper.media, Media::parse("a6").unwrap());
        assert_eq!((s.paper.margin_mm, s.paper.copies), (3.0, 2));
        assert_eq!(s.languages, Languages::one(Language::De));
        assert_eq!(s.timing.review_ms, 45_000);
        let flags = Overrides {
            spec: Some("us-passport".into()),
            media: Some("5x7".into()),
            lang: Some(Language::En),
        };
        let s = booth_settings(Some(&c), &specs(), &flags).unwrap();
        assert_eq!(s.spec.id, "us-passport");
        assert_eq!(s.paper.media, Media::parse("5x7").unwrap());
        assert_eq!(s.paper.copies, 2, "copies stay the config's");
        assert_eq!(s.languages, Languages::one(Language::En));
    }

    #[test]
    fn an_unknown_flag_value_is_an_error_naming_it() {
        let flags = Overrides {
            media: Some("napkin".into()),
            ..Overrides::default()
        };
        let e = booth_settings(None, &specs(), &flags)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown paper 'napkin'"), "{e}");
    }
}
