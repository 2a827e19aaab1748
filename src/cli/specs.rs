//! `passbooth specs [ID]`.

use super::{out, outln};
use std::path::Path;

use crate::config::assets::{Asset, locate};
use crate::spec::{Spec, SpecLibrary};

pub(super) fn run(dir: Option<&Path>, id: Option<&str>, json: bool) -> anyhow::Result<u8> {
    let lib = SpecLibrary::load_dir(&locate(Asset::Specs, dir))?;
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
