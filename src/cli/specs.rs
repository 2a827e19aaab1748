//! `passbooth specs [ID]`.

use super::{out, outln};
use std::path::Path;

use crate::config::assets::{Asset, locate};
use crate::spec::digital::{DigitalLibrary, DigitalProfile, PxRange, Service};
use crate::spec::{Spec, SpecLibrary};

pub(super) fn run(dir: Option<&Path>, id: Option<&str>, json: bool) -> anyhow::Result<u8> {
    let specs_dir = locate(Asset::Specs, dir);
    let lib = SpecLibrary::load_dir(&specs_dir)?;
    let profiles = DigitalLibrary::load_dir(&DigitalLibrary::dir_of(&specs_dir))?;
    if let Some(p) = id.and_then(|id| profiles.iter().find(|p| p.id == id)) {
        if json {
            outln!("{}", serde_json::to_string(p)?)?;
        } else {
            out!("{}", describe_profile(p))?;
        }
        return Ok(0);
    }
    match id {
        None if json => outln!(
            "{}",
            serde_json::to_string(&lib.iter().collect::<Vec<_>>())?
        )?,
        None => {
            for s in lib.iter() {
                outln!(
                    "{:<20} {:<28} {:>5} x {:<5} mm{}",
                    s.id,
                    s.name,
                    s.width_mm,
                    s.height_mm,
                    warning(s)
                )?;
            }
            outln!("\ndigital profiles (compose --digital ID):")?;
            for p in profiles.iter() {
                let what = match &p.service {
                    Service::Served => format!("for {}", p.specs.join(", ")),
                    Service::NotServed(_) => "not served by a booth".to_string(),
                };
                outln!("{:<20} {:<40} {what}", p.id, p.name)?;
            }
        }
        Some(id) if json => outln!("{}", serde_json::to_string(lib.get(id)?)?)?,
        Some(id) => out!("{}", describe(lib.get(id)?))?,
    }
    Ok(0)
}

fn warning(s: &Spec) -> &'static str {
    if s.printed_photos_accepted {
        ""
    } else {
        "  (printed photos not accepted)"
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn describe(s: &Spec) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "{} ({})", s.name, s.id);
    let (w, h) = s.size_px(s.dpi);
    let _ = writeln!(
        o,
        "  photo             {} x {} mm ({w} x {h} px at {} dpi)",
        s.width_mm, s.height_mm, s.dpi
    );
    let _ = writeln!(
        o,
        "  head (chin-crown) {}-{} mm",
        s.head_mm.min, s.head_mm.max
    );
    if let Some(r) = s.eyes_from_bottom_mm {
        let _ = writeln!(
            o,
            "  eye line          {}-{} mm above the bottom edge",
            r.min, r.max
        );
    }
    if let Some(r) = s.crown_to_top_mm {
        let _ = writeln!(o, "  crown to top      {}-{} mm", r.min, r.max);
    }
    if let Some(c) = s.chin_to_bottom_min_mm {
        let _ = writeln!(o, "  below the chin    at least {c} mm");
    }
    if let Some(r) = s.head_width_mm {
        let _ = writeln!(o, "  face width        {}-{} mm", r.min, r.max);
    }
    let bg: Vec<&str> = s.background.iter().map(|c| c.name()).collect();
    let _ = writeln!(o, "  background        {}", bg.join(", "));
    let _ = writeln!(o, "  glasses           {:?}", s.glasses);
    let _ = writeln!(o, "  expression        {:?}", s.expression);
    let e = s.edits;
    let _ = writeln!(
        o,
        "  edits allowed     background {}, padding {}, levelling {}, colour {}",
        yes_no(e.background_replacement),
        yes_no(e.padding),
        yes_no(e.roll_correction),
        yes_no(e.colour_correction)
    );
    let _ = writeln!(
        o,
        "  printed photos    {}",
        if s.printed_photos_accepted {
            "accepted"
        } else {
            "NOT accepted"
        }
    );
    for n in &s.notes {
        let _ = writeln!(o, "  note: {n}");
    }
    for src in &s.sources {
        let _ = writeln!(o, "  source: {src}");
    }
    o
}

fn describe_profile(p: &DigitalProfile) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "{} ({}), for {}", p.name, p.id, p.specs.join(", "));
    if let Service::NotServed(why) = &p.service {
        let _ = writeln!(o, "  not served: {why}");
    } else {
        let r = |r: PxRange| match (r.min, r.max) {
            (Some(a), Some(b)) => format!("{a}-{b} px"),
            (Some(a), None) => format!(">= {a} px"),
            (None, Some(b)) => format!("<= {b} px"),
            (None, None) => "any".to_string(),
        };
        let _ = writeln!(o, "  width             {}", r(p.width_px));
        let _ = writeln!(o, "  height            {}", r(p.height_px));
        let _ = writeln!(o, "  square            {}", yes_no(p.square));
        let kb = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v} kB"));
        let _ = writeln!(
            o,
            "  file size         {} to {}",
            kb(p.file_kb.min),
            kb(p.file_kb.max)
        );
        if let Some(r) = p.max_compression_ratio {
            let _ = writeln!(o, "  compression       at most {r}:1");
        }
        let _ = writeln!(o, "  file type         {:?}", p.file_types);
    }
    for n in &p.notes {
        let _ = writeln!(o, "  note: {n}");
    }
    for s in &p.sources {
        let _ = writeln!(o, "  source: {s}");
    }
    o
}
