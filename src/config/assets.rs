//! Where the models and specs are, for a checkout, an installed package and
//! an explicit override alike.

use std::path::{Path, PathBuf};

/// Which asset folder.
#[derive(Debug, Clone, Copy)]
pub enum Asset {
    /// `models/`: the .tflite files.
    Models,
    /// `specs/`: one TOML file per document.
    Specs,
    /// `voice/`: the recorded phrases (in a checkout, `.voice/`, where
    /// `passbooth voice render` puts them).
    Voice,
}

impl Asset {
    fn folder(self) -> &'static str {
        match self {
            Asset::Models => "models",
            Asset::Specs => "specs",
            Asset::Voice => "voice",
        }
    }

    /// The folder in a source checkout.
    fn in_checkout(self) -> &'static str {
        match self {
            Asset::Voice => ".voice",
            other => other.folder(),
        }
    }

    fn env(self) -> &'static str {
        match self {
            Asset::Models => "PASSBOOTH_MODELS",
            Asset::Specs => "PASSBOOTH_SPECS",
            Asset::Voice => "PASSBOOTH_VOICE",
        }
    }
}

/// The folder for `asset`: the explicit path if given, else `$PASSBOOTH_MODELS`
/// / `$PASSBOOTH_SPECS`, else `../share/passbooth/<folder>` beside the binary
/// (the installed layout), else the source checkout it was built from.
pub fn locate(asset: Asset, explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os(asset.env()) {
        return PathBuf::from(p);
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(prefix) = exe.parent().and_then(Path::parent)
    {
        let installed = prefix.join("share/passbooth").join(asset.folder());
        if installed.is_dir() {
            return installed;
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(asset.in_checkout())
}
