//! The booth as a service: the parts assembled from the config file and the
//! command line, the run loop at ten turns a second, the button sources, the
//! ready LED and systemd's notifications. Simulated (screen mirrored to a
//! PNG and optionally a window, button on stdin or a unix socket) or on the
//! configured SPI screen, GPIO button and LED; the camera is libcamera's
//! (feature `libcamera`), or replayed frames.

mod buttons;
mod drive;
mod systemd;

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use anyhow::Context;

use crate::booth::demo::{portrait, scenes};
use crate::booth::{
    Booth, BoothSettings, Counters, LiveModels, Parts, Phone, PhoneSettings, Till, Voice,
};
use crate::capture::replay::{Playback, ReplaySource};
use crate::capture::{CameraSettings, FrameSource};
use crate::config::assets::{Asset, locate};
use crate::config::settings::{Overrides, booth_settings};
use crate::config::{self, Config, PhoneConfig, VoiceConfig};
use crate::display::Screen;
use crate::display::sim::PngMirror;
use crate::display::spi;
use crate::engine::Engine;
use crate::handoff::{Limits, PhoneServer};
use crate::input::gpio::{GpioButton, GpioEdges, ReadyLed};
use crate::input::{Button, CoinDecoder};
use crate::print::ipp::IppPrinter;
use crate::print::{DiscardPrinter, FolderPrinter, SheetPrinter};
use crate::session::announcer::VoicePace;
use crate::spec::SpecLibrary;
use crate::spec::digital::DigitalLibrary;
use crate::voice::{AlsaDevice, AplayPlayer};
use buttons::{Buttons, CoinSlot, Input, socket_buttons, stdin_buttons};
use drive::{Files, Inputs, drive};

/// How the booth is to run: what `passbooth run` was told.
#[derive(Debug, Default)]
pub struct Launch {
    /// Simulate camera, screen and button.
    pub simulate: bool,
    /// The config file (the default path without --simulate).
    pub config: Option<PathBuf>,
    /// Camera frames to replay instead of the camera.
    pub frames: Option<PathBuf>,
    /// The libcamera camera in simulation too.
    pub libcamera: bool,
    /// The PNG the simulated screen is mirrored to.
    pub screen: Option<PathBuf>,
    /// An IPP printer over the config's.
    pub printer: Option<String>,
    /// A folder for sheets over any printer.
    pub print_dir: Option<PathBuf>,
    /// Spec, paper and language over the config's.
    pub overrides: Overrides,
    /// Button lines from this socket instead of stdin.
    pub button_socket: Option<PathBuf>,
    /// The simulator's window.
    pub window: bool,
    /// The spec folder over the installed one.
    pub specs: Option<PathBuf>,
    /// The model folder over the installed one.
    pub models: Option<PathBuf>,
}

/// The simulated screen's size (a 240 x 320 portrait panel).
const SIMULATED_PANEL: (u16, u16) = (240, 320);

/// Runs the booth as `l` says until quit or SIGTERM.
pub fn run(l: Launch) -> anyhow::Result<u8> {
    let specs_dir = locate(Asset::Specs, l.specs.as_deref());
    let lib = SpecLibrary::load_dir(&specs_dir)?;
    let config = match (&l.config, l.simulate) {
        (Some(path), _) => Some(Config::load(path, &lib)?),
        (None, false) => Some(Config::load(Path::new(config::DEFAULT_PATH), &lib)?),
        (None, true) => None,
    };
    // Before any face is in memory: no core dumps, nothing swapped.
    eprintln!("privacy: {}", crate::privacy::harden_process());
    let c = config.as_ref();
    let settings = booth_settings(c, &lib, &l.overrides)?;
    let camera: Box<dyn FrameSource> = match &l.frames {
        Some(dir) => Box::new(ReplaySource::from_dir(dir, 10)?),
        None if l.simulate && !l.libcamera => Box::new(ReplaySource::from_images(
            scenes(&portrait().context("the built-in portrait")?),
            10,
            Playback::HoldLast,
        )),
        None => real_camera(c.map(|c| &c.camera))?,
    };
    let printer = printer(&l, c)?;
    let models = locate(Asset::Models, l.models.as_deref());
    let stats = c.and_then(|c| c.stats.clone());
    let counters = match &stats {
        Some(path) => Counters::load_or_zero(path),
        None => Counters::default(),
    };
    let till = c.and_then(|c| c.payment.as_ref()).map(|p| {
        let (till, note) = Till::open(&p.currency, Some(&p.till));
        if let Some(note) = note {
            eprintln!("{note}");
        }
        till
    });
    let phone = match c.and_then(|c| c.phone.as_ref().map(|p| (c, p))) {
        Some((c, p)) => Some(phone(c, p, &specs_dir, &settings.spec.id)?),
        None => None,
    };
    let voice = c.and_then(|c| c.voice.as_ref()).and_then(voice);
    let detector = LiveModels::load(&models)?;
    eprintln!("live detector: {}", detector.choice());
    let kit = Kit {
        settings,
        counters,
        till,
        phone,
        voice,
        camera,
        parts: Parts {
            detector,
            engine: Engine::load(&models)?,
            printer,
        },
    };
    if l.simulate {
        let files = Files {
            stats: stats.as_deref(),
            metrics: c.and_then(|c| c.metrics.as_ref()).map(|m| m.file.as_path()),
        };
        return simulate(kit, &l, files);
    }
    // The real screen and button (frames replayed until the camera lands).
    let c = c.context("the hardware booth needs a config file")?;
    let required = |section: &str| {
        format!(
            "{}: [{section}] is required without --simulate",
            c.path.display()
        )
    };
    let display = c.display.as_ref().with_context(|| required("display"))?;
    let button = c.button.as_ref().with_context(|| required("button"))?;
    let screen = spi::open(display)?;
    let gpio = GpioButton::open(button)?;
    let led = c.led.as_ref().map(ReadyLed::open).transpose()?;
    let coins = match &c.payment {
        Some(p) => Some(CoinSlot::new(
            GpioEdges::open_line(&p.gpio_line(), p.active_low, "coins")?,
            CoinDecoder::new(p.timing()),
        )),
        None => None,
    };
    let clock = crate::clock::monotonic_ms();
    let inputs = Inputs {
        buttons: Buttons::Gpio(gpio, Button::new(button.timing(), clock)),
        coins,
        led,
    };
    let files = Files {
        stats: stats.as_deref(),
        metrics: c.metrics.as_ref().map(|m| m.file.as_path()),
    };
    drive(
        kit.booth(screen, (display.width, display.height)),
        inputs,
        files,
    )
}

/// The simulator's inputs: button lines and coins from stdin, a socket or
/// the window; no LED.
fn simulated(rx: mpsc::Receiver<Input>) -> Inputs {
    Inputs {
        buttons: Buttons::Simulated(rx),
        coins: None,
        led: None,
    }
}

/// The spoken guidance of `[voice]`, unless it is switched off.
fn voice(v: &VoiceConfig) -> Option<Voice> {
    if !v.enabled {
        return None;
    }
    let dir = locate(Asset::Voice, v.dir.as_deref());
    eprintln!(
        "voice: {} at {} % from {}",
        v.device,
        v.volume,
        dir.display()
    );
    let volume = u8::try_from(v.volume.min(100)).unwrap_or(100);
    // Checked when the config was read; a booth without its voice still works.
    let device = match AlsaDevice::parse(&v.device) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("voice: {e}; the booth stays silent");
            return None;
        }
    };
    Some(Voice::new(
        Box::new(AplayPlayer::new(&device, volume)),
        &dir,
        VoicePace {
            repeat_ms: v.repeat_s * 1000,
        },
    ))
}

/// The phone hand-off of `[phone]`: its profile (it must take the booth's
/// spec) and its server, listening before anyone steps in.
fn phone(c: &Config, p: &PhoneConfig, specs: &Path, spec: &str) -> anyhow::Result<Phone> {
    let profiles = DigitalLibrary::load_dir(&DigitalLibrary::dir_of(specs))?;
    let profile = profiles
        .for_spec(&p.profile, spec)
        .with_context(|| format!("config {}: phone.profile", c.path.display()))?
        .clone();
    let server = PhoneServer::start(p.listen)
        .with_context(|| format!("config {}: phone.listen", c.path.display()))?;
    eprintln!("phone: offering {} files on {}", profile.id, p.link_base());
    Ok(Phone::new(
        server,
        PhoneSettings {
            profile,
            limits: Limits {
                fetches: p.fetches,
                lifetime_ms: p.minutes * 60_000,
            },
            link_base: p.link_base(),
            wifi_join: p.wifi_join(),
            print: p.print,
        },
    ))
}

/// Where sheets go: a folder named on the command line, else the printer
/// named there or in the config, else the config's folder; in simulation
/// with none of these, nowhere.
fn printer(l: &Launch, c: Option<&Config>) -> anyhow::Result<Box<dyn SheetPrinter + Send>> {
    let uri = l
        .printer
        .clone()
        .or_else(|| c.and_then(|c| c.printer.uri.clone()));
    let folder = c.and_then(|c| c.printer.folder.clone());
    Ok(match (&l.print_dir, uri, folder) {
        (Some(dir), _, _) => Box::new(FolderPrinter::new(dir)),
        (None, Some(uri), _) => {
            let cert = c.and_then(|c| c.printer.certificate.as_deref());
            let printer = IppPrinter::open(&uri, cert)?;
            if let Some(warning) = printer.plain_on_network() {
                eprintln!("printer: {warning}");
            }
            Box::new(printer)
        }
        (None, None, Some(folder)) => Box::new(FolderPrinter::new(&folder)),
        (None, None, None) if l.simulate => Box::new(DiscardPrinter),
        (None, None, None) => {
            anyhow::bail!("the config names no printer ([printer] uri or folder)")
        }
    })
}

/// The simulator: buttons on stdin or a socket, the screen in a PNG file
/// and optionally a window.
fn simulate(kit: Kit, l: &Launch, files: Files<'_>) -> anyhow::Result<u8> {
    let (tx, rx) = mpsc::channel();
    match &l.button_socket {
        Some(path) => socket_buttons(path, tx.clone())
            .with_context(|| format!("cannot listen on {}", path.display()))?,
        None => stdin_buttons(tx.clone(), l.window),
    }
    match &l.screen {
        Some(png) => eprintln!(
            "passbooth: simulating; screen in {}; type press, long, coin N or quit",
            png.display()
        ),
        None => eprintln!("passbooth: simulating; type press, long, coin N or quit"),
    }
    if l.window {
        return with_window(kit, l.screen.as_deref(), tx, rx, files);
    }
    drive(
        kit.booth(l.screen.clone().map(PngMirror::new), SIMULATED_PANEL),
        simulated(rx),
        files,
    )
}

/// The libcamera camera (opened on first use, so a missing one is a
/// screen message, not a failed start).
#[cfg(feature = "libcamera")]
fn real_camera(c: Option<&CameraSettings>) -> anyhow::Result<Box<dyn FrameSource>> {
    use crate::capture::libcamera::LibcameraSource;
    let settings = c.cloned().unwrap_or_default();
    Ok(Box::new(LibcameraSource::new(settings)?))
}

/// Without the `libcamera` feature there is only replay.
#[cfg(not(feature = "libcamera"))]
fn real_camera(_: Option<&CameraSettings>) -> anyhow::Result<Box<dyn FrameSource>> {
    anyhow::bail!(
        "this passbooth was built without the libcamera feature: use --simulate, or --frames DIR to replay frames (the Pi build, scripts/pi, has the camera)"
    )
}

/// What every booth is built from, whatever its screen and button.
struct Kit {
    settings: BoothSettings,
    counters: Counters,
    till: Option<Till>,
    phone: Option<Phone>,
    voice: Option<Voice>,
    camera: Box<dyn FrameSource>,
    parts: Parts<LiveModels, Engine, Box<dyn SheetPrinter + Send>>,
}

impl Kit {
    fn booth<S: Screen>(self, screen: S, panel: (u16, u16)) -> Booth<Box<dyn FrameSource>, S> {
        let mut booth = Booth::new(self.settings, self.camera, (screen, panel), self.parts, 0)
            .with_counters(self.counters);
        if let Some(till) = self.till {
            booth = booth.with_till(till);
        }
        if let Some(phone) = self.phone {
            booth = booth.with_phone(phone);
        }
        if let Some(voice) = self.voice {
            booth = booth.with_voice(voice);
        }
        booth
    }
}

/// The simulator with an SDL window as well (feature `window`).
#[cfg(feature = "window")]
fn with_window(
    kit: Kit,
    png: Option<&Path>,
    tx: mpsc::Sender<Input>,
    rx: mpsc::Receiver<Input>,
    files: Files<'_>,
) -> anyhow::Result<u8> {
    use crate::display::window::{Key, WindowMirror, display_available};
    use crate::input::Press;
    if !display_available() {
        anyhow::bail!("--window needs a display (DISPLAY or WAYLAND_DISPLAY is not set)");
    }
    let (keys, key_rx) = mpsc::channel::<Key>();
    std::thread::spawn(move || {
        for k in key_rx {
            let input = match k {
                Key::Short => Input::Press(Press::Short),
                Key::Long => Input::Press(Press::Long),
                Key::Coin => Input::Coin(1),
                Key::Quit => Input::Quit,
            };
            if tx.send(input).is_err() {
                return;
            }
        }
    });
    let (w, h) = SIMULATED_PANEL;
    let screen = WindowMirror::new(png.map(Path::to_path_buf), w, h, keys);
    drive(kit.booth(screen, SIMULATED_PANEL), simulated(rx), files)
}

/// Without the `window` feature there is no window to open.
#[cfg(not(feature = "window"))]
fn with_window(
    _: Kit,
    _: Option<&Path>,
    _: mpsc::Sender<Input>,
    _: mpsc::Receiver<Input>,
    _: Files<'_>,
) -> anyhow::Result<u8> {
    anyhow::bail!(
        "this passbooth was built without the window feature (cargo build --features window, with libsdl2-dev)"
    )
}
