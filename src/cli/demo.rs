//! `passbooth demo`: whole booth sessions in simulation, one per language
//! asked for, no hardware, no config, on the public-domain astronaut
//! portrait.

use super::outln;
use std::path::Path;

use anyhow::Context;

use crate::booth::BoothSettings;
use crate::booth::demo;
use crate::config::assets::{Asset, locate};
use crate::session::prompts::{Language, Languages};
use crate::spec::SpecLibrary;

pub(super) fn run(
    specs: Option<&Path>,
    models: Option<&Path>,
    out: &Path,
    spec: &str,
    languages: &[Language],
    camera_frames: Option<&Path>,
) -> anyhow::Result<u8> {
    let lib = SpecLibrary::load_dir(&locate(Asset::Specs, specs))?;
    let settings = BoothSettings {
        languages: Languages::new(languages).map_err(|e| anyhow::anyhow!("--lang: {e}"))?,
        ..BoothSettings::new(lib.get(spec)?.clone())?
    };
    let portrait = demo::portrait().context("the built-in portrait")?;
    if let Some(dir) = camera_frames {
        write_frames(&portrait, dir)?;
    }
    let result = demo::run(&portrait, &locate(Asset::Models, models), settings, out)?;
    let r = &result.record;
    let codes: Vec<&str> = languages.iter().map(|l| l.code()).collect();
    outln!(
        "passbooth demo: {} session(s) ({}), {spec}, simulated camera, button and printer",
        languages.len(),
        codes.join(", ")
    )?;
    let states: Vec<String> = r
        .states
        .iter()
        .map(|(t, s)| format!("{s}@{:.1}s", *t as f64 / 1000.0))
        .collect();
    outln!("  states     {}", states.join(" -> "))?;
    match (r.accepted, r.reason) {
        (Some(true), _) => outln!("  photo      accepted")?,
        (Some(false), Some(why)) => outln!("  photo      rejected ({why:?})")?,
        _ => outln!("  photo      none")?,
    }
    outln!(
        "  processing {:.0} ms, printing {:.0} ms, whole demo {:.1} s",
        r.processing_ms,
        r.printing_ms,
        result.wall_ms / 1000.0
    )?;
    for s in &result.sheets {
        outln!("  sheet      {}", s.display())?;
    }
    outln!(
        "  screens    {} snapshots in {}",
        result.snapshots.len(),
        out.display()
    )?;
    Ok(if r.prints as usize >= languages.len() {
        0
    } else {
        1
    })
}

/// The simulated camera's stills as JPEG files `0001.jpg`..., the form
/// libcamera's virtual camera plays (the emulated Pi, scripts/pi).
fn write_frames(portrait: &crate::imaging::RgbImage, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (i, still) in demo::scenes(portrait).iter().enumerate() {
        let path = dir.join(format!("{:04}.jpg", i + 1));
        crate::imaging::encode::write_file(still, &path, 72)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
