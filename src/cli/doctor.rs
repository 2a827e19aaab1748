//! `passbooth doctor`: what an operator runs when the booth will not start.
//! Every part the config names is looked at for real (the config itself,
//! specs, models, cameras through libcamera, the SPI device, GPIO lines, the
//! printer and its paper), one line each; any failure makes the exit status
//! non-zero. Nothing is changed: no line is requested, no page printed.

use super::outln;
use std::path::Path;
use std::time::Instant;

use crate::booth::LiveModels;
use crate::booth::state_file::{Peeked, peek};
use crate::config::assets::{Asset, locate};
use crate::config::{self, Config};
use crate::engine::Engine;
use crate::gpio::GpioLine;
use crate::print::PrinterHealth;
use crate::print::ipp::IppPrinter;
use crate::session::announcer::Phrase;
use crate::spec::SpecLibrary;

/// How one part looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Health {
    /// Works.
    Ok,
    /// Works, but not as a booth should (e.g. no printer configured).
    Warn,
    /// Broken: the booth will not work.
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub health: Health,
    pub part: &'static str,
    pub detail: String,
}

fn found(health: Health, part: &'static str, detail: impl Into<String>) -> Finding {
    Finding {
        health,
        part,
        detail: detail.into(),
    }
}

/// Looks at everything; the config is `path` (the default one if `None`).
pub(super) fn run(
    specs: Option<&Path>,
    models: Option<&Path>,
    path: Option<&Path>,
) -> Result<u8, super::OutputError> {
    let findings = examine(specs, models, path);
    for f in &findings {
        let tag = match f.health {
            Health::Ok => "ok  ",
            Health::Warn => "warn",
            Health::Fail => "FAIL",
        };
        outln!("{tag} {:<8} {}", f.part, f.detail)?;
    }
    let failed = findings.iter().filter(|f| f.health == Health::Fail).count();
    if failed > 0 {
        outln!("{failed} problem(s) found")?;
        Ok(super::EXIT_ERROR)
    } else {
        outln!("everything the config names is in place")?;
        Ok(0)
    }
}

fn examine(specs: Option<&Path>, models: Option<&Path>, path: Option<&Path>) -> Vec<Finding> {
    let mut out = Vec::new();
    let spec_dir = locate(Asset::Specs, specs);
    let lib = match SpecLibrary::load_dir(&spec_dir) {
        Ok(lib) => {
            out.push(found(
                Health::Ok,
                "specs",
                format!("{} specs in {}", lib.iter().count(), spec_dir.display()),
            ));
            Some(lib)
        }
        Err(e) => {
            out.push(found(Health::Fail, "specs", e.to_string()));
            None
        }
    };
    out.push(check_models(&locate(Asset::Models, models)));
    let path = path.unwrap_or(Path::new(config::DEFAULT_PATH));
    let config = lib.as_ref().map(|lib| Config::load(path, lib));
    let config = match config {
        Some(Ok(c)) => {
            out.push(found(Health::Ok, "config", path.display().to_string()));
            Some(c)
        }
        Some(Err(e)) => {
            out.push(found(Health::Fail, "config", e.to_string()));
            None
        }
        None => {
            out.push(found(
                Health::Fail,
                "config",
                "not read: no specs to check it against",
            ));
            None
        }
    };
    out.extend(check_cameras(
        config.as_ref().and_then(|c| c.camera.id.as_deref()),
    ));
    if let Some(c) = &config {
        out.extend(check_hardware(c));
        out.push(check_printer(c));
        out.extend(check_supplies(c));
        out.extend(check_voice(c));
        out.extend(check_phone(c));
        out.extend(check_stats(c));
        out.extend(check_till(c));
        out.extend(check_metrics(c));
    }
    out
}

/// The counters file: a damaged one is kept aside by the booth at start
/// and counting begins again from zero; say so before that happens.
fn check_stats(c: &Config) -> Option<Finding> {
    let path = c.stats.as_ref()?;
    Some(match peek::<crate::booth::Counters>(path) {
        Ok(Peeked::Missing) => found(
            Health::Ok,
            "stats",
            format!("{} (none yet: the booth creates it)", path.display()),
        ),
        Ok(Peeked::Read(_)) => found(Health::Ok, "stats", path.display().to_string()),
        Ok(Peeked::Damaged(why)) => found(
            Health::Warn,
            "stats",
            format!(
                "{} is damaged ({why}): the booth will keep it aside and count from zero",
                path.display()
            ),
        ),
        Err(e) => found(
            Health::Fail,
            "stats",
            format!("cannot read {}: {e}", path.display()),
        ),
    })
}

/// The till: where credit survives a restart; what it holds now.
fn check_till(c: &Config) -> Option<Finding> {
    let p = c.payment.as_ref()?;
    let path = &p.till;
    let folder = path.parent().unwrap_or(Path::new("."));
    if !folder.is_dir() {
        return Some(found(
            Health::Fail,
            "till",
            format!(
                "{} does not exist: credit would not survive a restart (the package's unit creates /var/lib/passbooth)",
                folder.display()
            ),
        ));
    }
    Some(match peek::<crate::booth::Ledger>(path) {
        Ok(Peeked::Missing) => found(
            Health::Ok,
            "till",
            format!("{} (no credit held yet)", path.display()),
        ),
        Ok(Peeked::Read(l)) if l.usable_for(&p.currency) => found(
            Health::Ok,
            "till",
            format!(
                "{}: credit held {} {}",
                path.display(),
                crate::session::money::Money(l.held),
                l.currency
            ),
        ),
        Ok(Peeked::Read(l)) => found(
            Health::Warn,
            "till",
            format!(
                "{} is in {} or does not balance: the booth will keep it aside and start from zero",
                path.display(),
                l.currency
            ),
        ),
        Ok(Peeked::Damaged(why)) => found(
            Health::Warn,
            "till",
            format!(
                "{} is damaged ({why}): the booth will keep it aside and start from zero",
                path.display()
            ),
        ),
        Err(e) => found(
            Health::Fail,
            "till",
            format!("cannot read {}: {e}", path.display()),
        ),
    })
}

/// Whether the `passbooth` user (the unit's) may write in `folder` by its
/// mode bits; `None` where there is no such user (a laptop).
fn booth_user_may_write(folder: &Path) -> Option<bool> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(folder).ok()?;
    let name = std::ffi::CString::new("passbooth").ok()?;
    // SAFETY: getpwnam reads a NUL-terminated name and returns a pointer to
    // static storage (or null), read at once; doctor is single-threaded.
    let (uid, gid) = unsafe {
        let pw = libc::getpwnam(name.as_ptr());
        if pw.is_null() {
            return None;
        }
        ((*pw).pw_uid, (*pw).pw_gid)
    };
    let mode = meta.mode();
    Some(
        uid == 0
            || (meta.uid() == uid && mode & 0o200 != 0)
            || (meta.gid() == gid && mode & 0o020 != 0)
            || mode & 0o002 != 0,
    )
}

/// `[metrics]`: the collector's folder exists and the file, once
/// written, is readable by node_exporter's own user.
fn check_metrics(c: &Config) -> Option<Finding> {
    use std::os::unix::fs::PermissionsExt;
    let file = &c.metrics.as_ref()?.file;
    let folder = file.parent().unwrap_or(Path::new("."));
    if !folder.is_dir() {
        return Some(found(
            Health::Fail,
            "metrics",
            format!(
                "{} does not exist: install prometheus-node-exporter (README: Monitoring)",
                folder.display()
            ),
        ));
    }
    if let Some(false) = booth_user_may_write(folder) {
        return Some(found(
            Health::Fail,
            "metrics",
            format!(
                "the passbooth user cannot write in {} (README: Monitoring, step 2)",
                folder.display()
            ),
        ));
    }
    Some(match std::fs::metadata(file) {
        Ok(m) if m.permissions().mode() & 0o004 == 0 => found(
            Health::Fail,
            "metrics",
            format!(
                "{} is not readable by node_exporter (mode {:o}): the booth rewrites it 0644",
                file.display(),
                m.permissions().mode() & 0o777
            ),
        ),
        Ok(_) => found(Health::Ok, "metrics", file.display().to_string()),
        Err(_) => found(
            Health::Ok,
            "metrics",
            format!("{} (not written yet)", file.display()),
        ),
    })
}

/// `[phone]`: whether the booth can listen where the config says (the
/// access point's address must exist on this machine, the port be free or
/// already the running booth's).
fn check_phone(c: &Config) -> Option<Finding> {
    let p = c.phone.as_ref()?;
    Some(match std::net::TcpListener::bind(p.listen) {
        Ok(_) => found(
            Health::Ok,
            "phone",
            format!("can listen on {}; links start {}", p.listen, p.link_base()),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => found(
            Health::Warn,
            "phone",
            format!(
                "{} is in use (by the running booth, or another program: `ss -ltnp` says which)",
                p.listen
            ),
        ),
        Err(e) => found(
            Health::Fail,
            "phone",
            format!(
                "cannot listen on {} ({e}): is the Wi-Fi access point up with that address?",
                p.listen
            ),
        ),
    })
}

/// What an IPP printer reports of itself: supplies and problems, so a
/// "paper low" or "ribbon low" shows before the booth stops.
fn check_supplies(c: &Config) -> Option<Finding> {
    let uri = c.printer.uri.as_ref()?;
    let printer = IppPrinter::open(uri, c.printer.certificate.as_deref()).ok()?;
    let health = PrinterHealth::from_status(&printer.status().ok()?);
    let low = health.reasons.iter().any(|r| r.ends_with("-low"));
    let tag = if low { Health::Warn } else { Health::Ok };
    Some(found(tag, "supplies", health.summary()))
}

/// `[voice]`: the recordings of every language the booth offers, and the
/// player. A booth without them still works, silent: a warning.
fn check_voice(c: &Config) -> Option<Finding> {
    let v = c.voice.as_ref()?;
    if !v.enabled {
        return Some(found(
            Health::Ok,
            "voice",
            "switched off ([voice] enabled = false)",
        ));
    }
    let dir = locate(Asset::Voice, v.dir.as_deref());
    let langs = c.languages.as_slice();
    let problems = super::voice::check(&dir, langs);
    let codes: Vec<&str> = langs.iter().map(|l| l.code()).collect();
    if let Some(first) = problems.first() {
        return Some(found(
            Health::Warn,
            "voice",
            format!(
                "{} recording(s) missing or unplayable in {} (first: {first}); the booth stays silent for them",
                problems.len(),
                dir.display()
            ),
        ));
    }
    let aplay = std::process::Command::new("aplay")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !aplay {
        return Some(found(
            Health::Warn,
            "voice",
            "aplay not found (install alsa-utils); the booth stays silent",
        ));
    }
    Some(found(
        Health::Ok,
        "voice",
        format!(
            "{} phrases in {} for {} on ALSA {} at {} %",
            Phrase::all().count() * langs.len(),
            dir.display(),
            codes.join(", "),
            v.device,
            v.volume
        ),
    ))
}

fn check_models(dir: &Path) -> Finding {
    let start = Instant::now();
    match Engine::load(dir)
        .map_err(|e| e.to_string())
        .and_then(|_| LiveModels::load(dir).map_err(|e| e.to_string()))
    {
        Ok(live) => found(
            Health::Ok,
            "models",
            format!(
                "{} loaded in {} ms; live detector {}",
                dir.display(),
                start.elapsed().as_millis(),
                live.choice()
            ),
        ),
        Err(e) => found(Health::Fail, "models", e),
    }
}

#[cfg(feature = "libcamera")]
fn check_cameras(wanted: Option<&str>) -> Vec<Finding> {
    use crate::capture::libcamera::list_cameras;
    match list_cameras() {
        Err(e) => vec![found(Health::Fail, "camera", e.to_string())],
        Ok((version, cameras)) => {
            let mut out: Vec<Finding> = cameras
                .iter()
                .map(|c| {
                    found(
                        Health::Ok,
                        "camera",
                        format!(
                            "{} ({}), libcamera {version}",
                            c.model.as_deref().unwrap_or("unknown model"),
                            c.id
                        ),
                    )
                })
                .collect();
            if cameras.is_empty() {
                out.push(found(
                    Health::Fail,
                    "camera",
                    format!("libcamera {version} finds no camera (ribbon cable? camera_auto_detect=1 in config.txt?)"),
                ));
            } else if let Some(name) = wanted
                && !cameras
                    .iter()
                    .any(|c| c.id == name || c.model.as_deref() == Some(name))
            {
                out.push(found(
                    Health::Fail,
                    "camera",
                    format!("the config asks for camera '{name}', which is not there"),
                ));
            }
            out
        }
    }
}

#[cfg(not(feature = "libcamera"))]
fn check_cameras(_: Option<&str>) -> Vec<Finding> {
    vec![found(
        Health::Warn,
        "camera",
        "this passbooth was built without libcamera (only --simulate and --frames)",
    )]
}

/// A GPIO line: the chip opens, has the line, and nobody else holds it.
fn check_line(role: &'static str, line: &GpioLine, detail: &str) -> Finding {
    use linux_embedded_hal::gpio_cdev::Chip;
    let what = format!("{} line {}", line.chip.display(), line.line);
    let mut chip = match Chip::new(&line.chip) {
        Ok(c) => c,
        Err(e) => {
            return found(
                Health::Fail,
                role,
                format!("{what}: {e}; {}", crate::gpio::GPIO_FIX),
            );
        }
    };
    if line.line >= chip.num_lines() {
        return found(
            Health::Fail,
            role,
            format!("{what}: the chip has only {} lines", chip.num_lines()),
        );
    }
    match chip.get_line(line.line).and_then(|l| l.info()) {
        Ok(info) if info.is_used() => found(
            Health::Fail,
            role,
            format!(
                "{what}: in use by {}",
                info.consumer().unwrap_or("another program")
            ),
        ),
        Ok(_) => found(Health::Ok, role, format!("{what} {detail}")),
        Err(e) => found(Health::Fail, role, format!("{what}: {e}")),
    }
}

fn check_hardware(c: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    match &c.display {
        Some(d) => {
            let f = match std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&d.spi)
            {
                Ok(_) => found(
                    Health::Ok,
                    "display",
                    format!(
                        "{:?} {}x{} on {} at {} MHz",
                        d.driver,
                        d.width,
                        d.height,
                        d.spi.display(),
                        d.spi_hz / 1_000_000
                    ),
                ),
                Err(e) => found(
                    Health::Fail,
                    "display",
                    format!("{}: {e}; {}", d.spi.display(), crate::display::spi::SPI_FIX),
                ),
            };
            out.push(f);
            out.push(check_line("display", &d.dc, "(D/C)"));
            for (l, what) in [(&d.reset, "(reset)"), (&d.backlight, "(backlight)")] {
                if let Some(l) = l {
                    out.push(check_line("display", l, what));
                }
            }
        }
        None => out.push(found(
            Health::Warn,
            "display",
            "no [display]: only --simulate can run",
        )),
    }
    match &c.button {
        Some(b) => out.push(check_line("button", &b.gpio_line(), "")),
        None => out.push(found(
            Health::Warn,
            "button",
            "no [button]: only --simulate can run",
        )),
    }
    if let Some(l) = &c.led {
        out.push(check_line("led", l, ""));
    }
    if let Some(p) = &c.payment {
        out.push(check_line("payment", &p.gpio_line(), "(coin acceptor)"));
    }
    out
}

/// Why the printer behind a CUPS queue cannot print, if it is an IPP
/// printer that does not answer or reports a stopping problem.
fn device_behind(queue: &crate::print::ipp::PrinterStatus) -> Option<String> {
    let device = queue.device_uri.as_ref().filter(|_| queue.is_cups)?;
    if !(device.starts_with("ipp://") || device.starts_with("ipps://")) {
        return None;
    }
    let problem = match IppPrinter::new(device).and_then(|p| p.status()) {
        Ok(s) => crate::print::problem::Problem::from_reasons(&s.reasons)?,
        Err(p) => p,
    };
    Some(format!(
        "the queue is idle, but its printer {device} cannot print: {problem} [{}]",
        problem.code()
    ))
}

fn check_printer(c: &Config) -> Finding {
    let media = &c.media;
    match (&c.printer.uri, &c.printer.folder) {
        (Some(uri), _) => {
            let printer = match IppPrinter::open(uri, c.printer.certificate.as_deref()) {
                Ok(p) => p,
                Err(e) => return found(Health::Fail, "printer", format!("{uri}: {e}")),
            };
            let (status, format) = match printer
                .status()
                .and_then(|s| printer.preflight(&s, media).map(|f| (s, f)))
            {
                Ok(ready) => ready,
                Err(p) => return found(Health::Fail, "printer", format!("{p} [{}]", p.code())),
            };
            // An idle CUPS queue knows nothing of its printer between jobs:
            // ask the printer behind it, when it speaks IPP.
            if let Some(problem) = device_behind(&status) {
                return found(Health::Fail, "printer", problem);
            }
            let ready = format!(
                "{uri}: ready, paper {} {}, sending {}",
                media.keyword,
                if status.media_ready.is_empty() {
                    "(the printer does not report what is loaded)"
                } else {
                    "loaded"
                },
                format.mime()
            );
            if let Some(warning) = printer.plain_on_network() {
                return found(Health::Warn, "printer", format!("{ready}; but {warning}"));
            }
            found(Health::Ok, "printer", ready)
        }
        (None, Some(dir)) => found(
            Health::Warn,
            "printer",
            format!("no printer: sheets are written to {}", dir.display()),
        ),
        (None, None) => found(Health::Fail, "printer", "no [printer] uri or folder"),
    }
}
