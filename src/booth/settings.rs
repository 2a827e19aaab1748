//! What a booth is set up with, and the one place its defaults live: the
//! simulator, the demo and a config file that leaves them out all start here.

use crate::print::Paper;
use crate::print::media::{Media, UnknownMedia};
use crate::session::machine::Timing;
use crate::session::money::{Money, Price};
use crate::session::prompts::{Language, Languages};
use crate::spec::Spec;

/// The document a booth makes when nobody says which.
pub const DEFAULT_SPEC: &str = "us-passport";
/// The paper a booth prints on when nobody says which: 4 x 6 in, the photo
/// printers' own size.
pub const DEFAULT_MEDIA: &str = "4x6";

/// Fixed settings of a booth.
#[derive(Debug, Clone)]
pub struct BoothSettings {
    /// The document.
    pub spec: Spec,
    /// The paper, its border and the copies of each sheet.
    pub paper: Paper,
    /// The languages of the screen and the voice; the attract screen
    /// cycles through them and a press keeps the one showing.
    pub languages: Languages,
    /// Session timing.
    pub timing: Timing,
    /// What a print costs and what a coin pulse is worth; none: free.
    pub payment: Option<PaymentSettings>,
}

/// Pay after pass: the price of an accepted photo's sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentSettings {
    /// The price.
    pub price: Price,
    /// What one pulse of the acceptor is worth.
    pub per_pulse: Money,
}

impl BoothSettings {
    /// A booth for `spec` with every other setting at its default: one
    /// borderless sheet of [`DEFAULT_MEDIA`], English, the session's own
    /// timing.
    pub fn new(spec: Spec) -> Result<Self, UnknownMedia> {
        Ok(Self {
            spec,
            paper: Paper::new(Media::parse(DEFAULT_MEDIA)?),
            languages: Languages::one(Language::En),
            timing: Timing::default(),
            payment: None,
        })
    }
}

/// Why the booth loop stopped (everything else becomes a screen).
#[derive(Debug, thiserror::Error)]
pub enum BoothError {
    /// A model failed.
    #[error(transparent)]
    Model(#[from] crate::vision::runtime::ModelError),
    /// The engine refused its options.
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
    /// The screen could not be written.
    #[error("screen: {0}")]
    Screen(String),
    /// A snapshot of the screen could not be written (the demo).
    #[error(transparent)]
    Snapshot(#[from] crate::imaging::encode::EncodeError),
    /// `bench` could not measure (a model that finds no face in the
    /// built-in portrait, a sheet that cannot be made).
    #[error("bench: {0}")]
    Bench(String),
    /// A folder the booth writes into (the demo's output) could not be made.
    #[error("cannot write {}: {source}", path.display())]
    Output {
        /// The file or folder.
        path: std::path::PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}
