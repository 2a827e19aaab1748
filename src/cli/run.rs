//! `passbooth run`: the booth, simulated (screen mirrored to a PNG and
//! optionally a window, button on stdin or a unix socket) or on the
//! configured SPI screen, GPIO button and LED. The camera is libcamera's
//! (feature `libcamera`), or replayed frames.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::config::assets::{Asset, locate};
use crate::booth::demo::{portrait, scenes};
use crate::booth::{Booth, BoothSettings, LiveModels};
use crate::capture::FrameSource;
use crate::capture::replay::{Playback, ReplaySource};
use crate::config::{self, Config};
use crate::display::Screen;
use crate::display::sim::PngMirror;
use crate::display::spi;
use crate::engine::Engine;
use crate::input::Press;
use crate::input::gpio::{GpioButton, ReadyLed};
use crate::input::{Button, ButtonTiming};
use crate::print::ipp::IppPrinter;
use crate::print::media::Media;
use crate::print::{DiscardPrinter, FolderPrinter, SheetPrinter};
use crate::daemon::systemd as service;
use crate::session::guide::Signal;
use crate::session::machine::State;
use crate::session::machine::Timing;
use crate::session::prompts::Language;
use crate::spec::SpecLibrary;
use crate::booth::counters::Counters;

/// Loop period: 10 viewfinder frames a second.
const FRAME: Duration = Duration::from_millis(100);

/// Options of `run`: the command line arguments themselves.
#[derive(Debug, clap::Args)]
pub(super) struct RunOptions {
    /// Simulate camera, screen and button.
    #[arg(long)]
    pub simulate: bool,
    /// The booth's config file (default /etc/passbooth/passbooth.toml;
    /// optional with --simulate).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Camera frames to replay (a folder of JPEG/PNG) instead of the
    /// camera; with --simulate the default is the built-in portrait
    /// stepping into view.
    #[arg(long, value_name = "DIR", conflicts_with = "libcamera")]
    pub frames: Option<PathBuf>,
    /// Use the libcamera camera with --simulate too (an emulated Pi with
    /// libcamera's virtual camera; builds with the `libcamera` feature).
    #[arg(long, requires = "simulate")]
    pub libcamera: bool,
    /// PNG file the screen is mirrored to (it shows the live face: nothing
    /// is written unless named; on exit it is left blank).
    #[arg(long, value_name = "PATH", requires = "simulate")]
    pub screen: Option<PathBuf>,
    /// IPP printer URI; without it sheets go to --print-dir.
    #[arg(long, value_name = "URI")]
    pub printer: Option<String>,
    /// Folder for sheets when no printer is given (without either, a
    /// simulated sheet is not kept).
    #[arg(long, value_name = "DIR")]
    pub print_dir: Option<PathBuf>,
    /// Spec id (default: the config's, else us-passport).
    #[arg(long)]
    pub spec: Option<String>,
    /// Paper (default: the config's, else 4x6).
    #[arg(long)]
    pub media: Option<String>,
    /// Screen language: en or de (default: the config's, else en).
    #[arg(long, value_parser = super::parse_lang)]
    pub lang: Option<Language>,
    /// Read button lines from this unix socket instead of stdin.
    #[arg(long, value_name = "PATH", requires = "simulate")]
    pub button_socket: Option<PathBuf>,
    /// Also show the screen in a window (space: press, L: long, Esc:
    /// quit); needs a display and the `window` build feature.
    #[arg(long, requires = "simulate")]
    pub window: bool,
}

enum Input {
    Press(Press),
    Quit,
}

/// One button line: `press`, `long` or `quit`.
fn parse_button(line: &str) -> Option<Input> {
    Some(match line.trim() {
        "press" | "p" | "" => Input::Press(Press::Short),
        "long" | "l" => Input::Press(Press::Long),
        "quit" | "q" => Input::Quit,
        other => {
            eprintln!("passbooth: unknown button '{other}' (press, long, quit)");
            return None;
        }
    })
}

/// Forwards button lines from `reader` until it ends; `quit_at_end` makes
/// the end of input a quit (stdin), not a closed connection (socket).
fn forward(reader: impl BufRead, tx: &mpsc::Sender<Input>, quit_at_end: bool) {
    for line in reader.lines().map_while(Result::ok) {
        if let Some(input) = parse_button(&line)
            && tx.send(input).is_err()
        {
            return;
        }
    }
    if quit_at_end {
        let _ = tx.send(Input::Quit);
    }
}

/// Button lines from stdin; end of input is quit unless `keep_running`.
fn stdin_buttons(tx: mpsc::Sender<Input>, keep_running: bool) {
    std::thread::spawn(move || forward(std::io::stdin().lock(), &tx, !keep_running));
}

/// Button lines from any client of a unix socket at `path` (`echo press |
/// socat - UNIX-CONNECT:path`); the socket file is replaced if it exists.
fn socket_buttons(path: &Path, tx: mpsc::Sender<Input>) -> anyhow::Result<()> {
    let _ = std::fs::remove_file(path);
    let listener = std::os::unix::net::UnixListener::bind(path)
        .with_context(|| format!("cannot listen on {}", path.display()))?;
    std::thread::spawn(move || {
        for conn in listener.incoming().map_while(Result::ok) {
            forward(std::io::BufReader::new(conn), &tx, false);
        }
    });
    Ok(())
}

pub(super) fn run(
    specs: Option<&Path>,
    models: Option<&Path>,
    o: RunOptions,
) -> anyhow::Result<u8> {
    let lib = SpecLibrary::load_dir(&locate(Asset::Specs, specs))?;
    let config = match (&o.config, o.simulate) {
        (Some(path), _) => Some(Config::load(path, &lib)?),
        (None, false) => Some(Config::load(Path::new(config::DEFAULT_PATH), &lib)?),
        (None, true) => None,
    };
    // Before any face is in memory: no core dumps, nothing swapped.
    eprintln!("privacy: {}", crate::privacy::harden_process());
    // A flag wins over the config file, which wins over the defaults.
    let c = config.as_ref();
    let spec = o
        .spec
        .clone()
        .or_else(|| c.map(|c| c.spec.clone()))
        .unwrap_or_else(|| "us-passport".into());
    let media = match (&o.media, c) {
        (Some(m), _) => Media::parse(m)?,
        (None, Some(c)) => c.media.clone(),
        (None, None) => Media::parse("4x6")?,
    };
    let settings = BoothSettings {
        spec: lib.get(&spec)?.clone(),
        media,
        margin_mm: c.map_or(0.0, |c| c.printer.margin_mm),
        lang: o.lang.or(c.map(|c| c.language)).unwrap_or(Language::En),
        timing: c.map_or_else(Timing::default, |c| c.timing),
    };
    let camera: Box<dyn FrameSource> = match &o.frames {
        Some(dir) => Box::new(ReplaySource::from_dir(dir, 10)?),
        None if o.simulate && !o.libcamera => Box::new(ReplaySource::from_images(
            scenes(&portrait().context("the built-in portrait")?),
            10,
            Playback::HoldLast,
        )),
        None => real_camera(c.map(|c| &c.camera))?,
    };
    let uri = o
        .printer
        .clone()
        .or_else(|| c.and_then(|c| c.printer.uri.clone()));
    let folder = c.and_then(|c| c.printer.folder.clone());
    let printer: Box<dyn SheetPrinter + Send> = match (&o.print_dir, uri, folder) {
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
        (None, None, None) if o.simulate => Box::new(DiscardPrinter),
        (None, None, None) => {
            anyhow::bail!("the config names no printer ([printer] uri or folder)")
        }
    };
    let models = locate(Asset::Models, models);
    let stats = c.and_then(|c| c.stats.clone());
    let counters = match &stats {
        Some(path) => Counters::load(path)?,
        None => Counters::default(),
    };
    let parts = Parts {
        settings,
        counters,
        camera,
        printer,
        engine: Engine::load(&models)?,
        live: LiveModels::load(&models)?,
    };
    if o.simulate {
        let (tx, rx) = mpsc::channel();
        match &o.button_socket {
            Some(path) => socket_buttons(path, tx.clone())?,
            None => stdin_buttons(tx.clone(), o.window),
        }
        match &o.screen {
            Some(png) => eprintln!(
                "passbooth: simulating; screen in {}; type press, long or quit",
                png.display()
            ),
            None => eprintln!("passbooth: simulating; type press, long or quit"),
        }
        if o.window {
            return with_window(parts, o.screen.as_deref(), tx, rx, stats.as_deref());
        }
        return drive(
            parts.booth(o.screen.clone().map(PngMirror::new), (240, 320)),
            Buttons::Stdin(rx),
            None,
            stats.as_deref(),
        );
    }
    // The real screen and button (frames replayed until the camera lands).
    let c = c.context("the hardware booth needs a config file")?;
    let display = c.display.as_ref().with_context(|| {
        format!(
            "{}: [display] is required without --simulate",
            c.path.display()
        )
    })?;
    let button = c.button.as_ref().with_context(|| {
        format!(
            "{}: [button] is required without --simulate",
            c.path.display()
        )
    })?;
    let screen = spi::open(display)?;
    let gpio = GpioButton::open(button)?;
    let led = match &c.led {
        Some(l) => Some(ReadyLed::open(l)?),
        None => None,
    };
    let timing = ButtonTiming {
        debounce_ms: button.debounce_ms,
        long_ms: button.long_press_ms,
        ..ButtonTiming::default()
    };
    let booth = parts.booth(screen, (display.width, display.height));
    drive(
        booth,
        Buttons::Gpio(gpio, Button::new(timing, crate::clock::monotonic_ms())),
        led,
        stats.as_deref(),
    )
}

/// The libcamera camera (opened on first use, so a missing one is a
/// screen message, not a failed start).
#[cfg(feature = "libcamera")]
fn real_camera(c: Option<&crate::capture::CameraSettings>) -> anyhow::Result<Box<dyn FrameSource>> {
    use crate::capture::libcamera::{CameraSettings, LibcameraSource};
    let settings = c.cloned().unwrap_or_default();
    Ok(Box::new(LibcameraSource::new(settings)?))
}

/// Without the `libcamera` feature there is only replay.
#[cfg(not(feature = "libcamera"))]
fn real_camera(_: Option<&crate::capture::CameraSettings>) -> anyhow::Result<Box<dyn FrameSource>> {
    anyhow::bail!(
        "this passbooth was built without the libcamera feature: use --simulate, or --frames DIR to replay frames (the Pi build, scripts/pi, has the camera)"
    )
}

/// What every booth is built from, whatever its screen and button.
struct Parts {
    settings: BoothSettings,
    counters: Counters,
    camera: Box<dyn FrameSource>,
    printer: Box<dyn SheetPrinter + Send>,
    engine: Engine,
    live: LiveModels,
}

impl Parts {
    fn booth<S: Screen>(self, screen: S, panel: (u16, u16)) -> Booth<Box<dyn FrameSource>, S> {
        let counters = self.counters;
        Booth::new(
            self.settings,
            self.camera,
            screen,
            self.printer,
            self.engine,
            self.live,
            panel,
            0,
        )
        .with_counters(counters)
    }
}

/// The simulator with an SDL window as well (feature `window`).
#[cfg(feature = "window")]
fn with_window(
    parts: Parts,
    png: Option<&Path>,
    tx: mpsc::Sender<Input>,
    rx: mpsc::Receiver<Input>,
    stats: Option<&Path>,
) -> anyhow::Result<u8> {
    use crate::display::window::{Key, WindowMirror, display_available};
    if !display_available() {
        anyhow::bail!("--window needs a display (DISPLAY or WAYLAND_DISPLAY is not set)");
    }
    let (keys, key_rx) = mpsc::channel::<Key>();
    std::thread::spawn(move || {
        for k in key_rx {
            let input = match k {
                Key::Short => Input::Press(Press::Short),
                Key::Long => Input::Press(Press::Long),
                Key::Quit => Input::Quit,
            };
            if tx.send(input).is_err() {
                return;
            }
        }
    });
    let screen = WindowMirror::new(png.map(Path::to_path_buf), 240, 320, keys);
    drive(
        parts.booth(screen, (240, 320)),
        Buttons::Stdin(rx),
        None,
        stats,
    )
}

/// Without the `window` feature there is no window to open.
#[cfg(not(feature = "window"))]
fn with_window(
    _: Parts,
    _: Option<&Path>,
    _: mpsc::Sender<Input>,
    _: mpsc::Receiver<Input>,
    _: Option<&Path>,
) -> anyhow::Result<u8> {
    anyhow::bail!(
        "this passbooth was built without the window feature (cargo build --features window, with libsdl2-dev)"
    )
}

/// Where presses come from.
enum Buttons {
    /// Lines on stdin (simulation).
    Stdin(mpsc::Receiver<Input>),
    /// The GPIO line through the debouncer.
    Gpio(GpioButton, Button),
}

impl Buttons {
    /// The press since the last call, `None` for nothing, `Err` to quit.
    fn next(&mut self) -> Result<Option<Press>, ()> {
        match self {
            Buttons::Stdin(rx) => match rx.try_recv() {
                Ok(Input::Press(p)) => Ok(Some(p)),
                Ok(Input::Quit) => Err(()),
                Err(_) => Ok(None),
            },
            Buttons::Gpio(line, button) => {
                while let Some(edge) = line.poll() {
                    if let Some(p) = button.edge(edge) {
                        return Ok(Some(p));
                    }
                }
                Ok(button.tick(crate::clock::monotonic_ms()))
            }
        }
    }
}

/// The booth's main loop, ten turns a second, until quit or SIGTERM; wipes
/// before returning.
fn drive<C: FrameSource, S: Screen>(
    mut booth: Booth<C, S>,
    mut buttons: Buttons,
    mut led: Option<ReadyLed>,
    stats: Option<&Path>,
) -> anyhow::Result<u8> {
    service::catch_terminate();
    let start = Instant::now();
    let result = turns(&mut booth, &mut buttons, &mut led, stats, start);
    service::notify("STOPPING=1");
    if let Some(l) = led.as_mut() {
        l.set(false);
    }
    // Every way out, an error included, wipes and blanks the screen.
    let wiped = booth.shut_down(start.elapsed().as_millis() as u64);
    eprintln!("state=stopped");
    result?;
    wiped?;
    Ok(0)
}

/// The loop's turns until quit, SIGTERM or an error.
fn turns<C: FrameSource, S: Screen>(
    booth: &mut Booth<C, S>,
    buttons: &mut Buttons,
    led: &mut Option<ReadyLed>,
    stats: Option<&Path>,
    start: Instant,
) -> anyhow::Result<()> {
    let watchdog = service::watchdog_interval();
    let mut last_ping = start;
    booth.step(0, None)?;
    service::notify("READY=1");
    loop {
        let tick = Instant::now();
        let now = start.elapsed().as_millis() as u64;
        let Ok(press) = buttons.next() else { break };
        if service::terminating() {
            break;
        }
        booth.step(now, press)?;
        if let (Some(path), Some(counters)) = (stats, booth.counters_if_changed())
            && let Err(e) = counters.save(path)
        {
            // Counting must never stop the booth.
            eprintln!("stats: {e}");
        }
        if let Some(l) = led.as_mut() {
            // Lit when pressing the button does something now.
            let ready = match booth.state() {
                State::Idle | State::Review { .. } => true,
                State::Framing => matches!(booth.live(), Some((Signal::Green, _))),
                _ => false,
            };
            l.set(ready);
        }
        if let Some(every) = watchdog
            && last_ping.elapsed() >= every
        {
            service::notify("WATCHDOG=1");
            last_ping = Instant::now();
        }
        if let Some(rest) = FRAME.checked_sub(tick.elapsed()) {
            std::thread::sleep(rest);
        }
    }
    Ok(())
}
