//! `passbooth stats`: the booth's counters, from the config's stats file.

use super::{out, outln};
use std::path::Path;

use crate::booth::counters::Counters;
use crate::config::assets::{Asset, locate};
use crate::config::{self, Config};
use crate::spec::SpecLibrary;

pub(super) fn run(specs: Option<&Path>, config: Option<&Path>, json: bool) -> anyhow::Result<u8> {
    let lib = SpecLibrary::load_dir(&locate(Asset::Specs, specs))?;
    let path = config.unwrap_or(Path::new(config::DEFAULT_PATH));
    let c = Config::load(path, &lib)?;
    let file = c.stats.ok_or_else(|| {
        anyhow::anyhow!(
            "{}: no stats file configured (stats = \"PATH\")",
            path.display()
        )
    })?;
    let counters = Counters::load(&file)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&counters)?)?;
    } else {
        out!("{}", counters.render())?;
    }
    Ok(0)
}
