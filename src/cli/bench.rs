//! `passbooth bench`: the booth's costs on this machine, as a table or JSON.

use super::outln;
use std::path::Path;

use crate::booth::bench::{self, Runs};
use crate::config::assets::{Asset, locate};
use crate::spec::SpecLibrary;

pub(super) fn run(
    specs: Option<&Path>,
    models: Option<&Path>,
    spec: &str,
    quick: bool,
    json: bool,
) -> anyhow::Result<u8> {
    let lib = SpecLibrary::load_dir(&locate(Asset::Specs, specs))?;
    let spec = lib.get(spec)?;
    let runs = if quick {
        Runs { live: 5, still: 1 }
    } else {
        Runs::default()
    };
    let report = bench::run(&locate(Asset::Models, models), spec, runs)?;
    if json {
        outln!("{}", serde_json::to_string(&report)?)?;
        return Ok(0);
    }
    outln!("passbooth bench on {}", report.machine)?;
    outln!("  live detector  {}", report.live_detector)?;
    for m in &report.measures {
        outln!(
            "  {:<36} {:>9.1} ms  (median of {})",
            m.name,
            m.median_ms,
            m.runs
        )?;
    }
    outln!(
        "  one live frame {:.1} ms: {}",
        report.live_frame_ms,
        if report.live_frame_ms < 100.0 {
            "ten frames a second hold"
        } else {
            "slower than ten frames a second"
        }
    )?;
    Ok(0)
}
