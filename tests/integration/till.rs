//! The till's invariant under everything a booth lives through: random
//! sequences of coins, people, long presses, time-outs, printer jams and
//! restarts, in every mode (printing or not, a phone or not, charging or
//! not), the invariant checked after every step: every coin dropped is in
//! the till, taken for a delivered sheet or file or held, the file on disk
//! is the ledger, and only what was paid for is delivered. And a real
//! booth process killed with SIGKILL with credit on it gives that credit
//! back when it starts again.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use passbooth::booth::script::Person;
use passbooth::booth::{BoothSettings, Ledger, PaymentSettings, Phone, PhoneSettings, Till};
use passbooth::capture::replay::ReplaySource;
use passbooth::engine::Engine;
use passbooth::handoff::{Limits, PhoneServer};
use passbooth::input::Press;
use passbooth::print::media::Media;
use passbooth::print::problem::Problem;
use passbooth::print::{FolderPrinter, Paper, Receipt, Sheet, SheetPrinter};
use passbooth::session::machine::{State, Timing};
use passbooth::session::money::{Money, Price};
use passbooth::spec::Spec;
use passbooth::spec::digital::DigitalProfile;

use crate::booth::{Sees, TestBooth, booth_from, replay};
use crate::common::repo;

const PRICE: Money = Money(300);
const PER_PULSE: Money = Money(100);

/// A folder printer that jams while `jammed` is set (it says so when asked
/// before payment, too).
struct Jammable {
    inner: FolderPrinter,
    jammed: Arc<AtomicBool>,
}

impl SheetPrinter for Jammable {
    fn print_sheet(&mut self, sheet: &Sheet, paper: &Paper) -> Result<Receipt, Problem> {
        if self.jammed.load(Ordering::SeqCst) {
            return Err(Problem::PaperJam("media-jam".into()));
        }
        self.inner.print_sheet(sheet, paper)
    }
    fn ready(&mut self, media: &Media) -> Result<(), Problem> {
        if self.jammed.load(Ordering::SeqCst) {
            return Err(Problem::PaperJam("media-jam".into()));
        }
        self.inner.ready(media)
    }
}

/// One booth mode.
#[derive(Debug, Clone, Copy)]
struct Mode {
    print: bool,
    phone: bool,
    charge: bool,
}

/// The booth of `mode`, its till (if it charges) opened on `till`.
fn build(
    mode: Mode,
    sheets: &Path,
    till: &Path,
    jammed: &Arc<AtomicBool>,
) -> TestBooth<ReplaySource> {
    let mut settings =
        BoothSettings::new(Spec::load(&repo("specs/us-passport.toml")).unwrap()).unwrap();
    settings.timing = Timing {
        payment_ms: 20_000,
        done_ms: 1000,
        ..Timing::default()
    };
    if mode.charge {
        settings.payment = Some(PaymentSettings {
            price: Price {
                amount: PRICE,
                currency: "EUR".into(),
            },
            per_pulse: PER_PULSE,
        });
    }
    let printer = Jammable {
        inner: FolderPrinter::new(sheets),
        jammed: jammed.clone(),
    };
    let engine = Engine::load(&repo("models")).unwrap();
    let mut b = booth_from(settings, Sees::Script, replay(), printer, engine);
    if mode.phone {
        let server = PhoneServer::start("127.0.0.1:0".parse().unwrap()).unwrap();
        let base = format!("http://{}", server.local_addr());
        let profile = DigitalProfile::load(&repo("specs/digital/us-passport-online.toml")).unwrap();
        b = b.with_phone(Phone::new(
            server,
            PhoneSettings {
                profile,
                limits: Limits {
                    fetches: 1,
                    lifetime_ms: 60_000,
                },
                link_base: base,
                wifi_join: None,
                print: mode.print,
            },
        ));
    }
    if mode.charge {
        b = b.with_till(Till::open("EUR", Some(till)).0);
    }
    b
}

/// A small deterministic generator (xorshift), so a failing sequence can
/// be replayed from its seed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }
}

/// What the test knows happened, to hold the booth's till against.
#[derive(Default)]
struct Seen {
    /// Cents dropped into the acceptor.
    dropped: u64,
    /// Files put on offer on a booth that hands out files only.
    files: u64,
    /// The link seen last (a new one is a new file).
    last_link: Option<String>,
}

fn check(
    b: &TestBooth<ReplaySource>,
    mode: Mode,
    seen: &Seen,
    sheets: &Path,
    till: &Path,
    at: &str,
) {
    let printed = std::fs::read_dir(sheets).map_or(0, |d| d.count()) as u64;
    let delivered = if mode.print { printed } else { seen.files };
    if !mode.print {
        assert_eq!(printed, 0, "{at}: a files-only booth printed");
    }
    let Some(t) = b.till() else {
        assert!(!mode.charge, "{at}: a charging booth without a till");
        assert_eq!(b.credit(), Money(0), "{at}: credit on a free booth");
        return;
    };
    let l = t.ledger();
    assert!(l.balanced(), "{at}: {l:?}");
    assert_eq!(l.inserted, seen.dropped, "{at}: a coin is missing: {l:?}");
    assert_eq!(
        l.taken,
        delivered * PRICE.0,
        "{at}: {delivered} delivered for {} taken ({mode:?})",
        l.taken
    );
    // The file on disk is the ledger: a kill now loses nothing.
    if l.coins > 0 {
        let on_disk: Ledger = serde_json::from_slice(&std::fs::read(till).unwrap()).unwrap();
        assert_eq!(&on_disk, l, "{at}: the till file is behind");
    }
}

fn live_through(mode: Mode, seed: u64, steps: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (sheets, till) = (dir.path().join("sheets"), dir.path().join("till.json"));
    std::fs::create_dir(&sheets).unwrap();
    let jammed = Arc::new(AtomicBool::new(false));
    let mut b = build(mode, &sheets, &till, &jammed);
    let mut dice = Dice(seed);
    let mut seen = Seen::default();
    let (mut now, mut person, mut turns) = (0u64, Person::new(), 0u64);
    for step in 0..steps {
        let what = dice.roll(12);
        let at = format!("seed {seed} step {step} ({what}) in {}", b.state().name());
        match what {
            // A coin of 1 to 3 pulses.
            0 | 1 => {
                let pulses = 1 + dice.roll(3) as u32;
                b.insert_pulses(pulses);
                if mode.charge {
                    seen.dropped += PER_PULSE.0 * u64::from(pulses);
                }
            }
            // Staff, or a customer giving up.
            2 => {
                now += 100;
                turn(&mut b, now, Some(Press::Long), &mut seen, mode);
            }
            // Nobody for a while: every time-out runs out.
            3 => {
                now += 40_000;
                turn(&mut b, now, None, &mut seen, mode);
            }
            // The printer jams, or is cleared.
            4 => {
                jammed.fetch_xor(true, Ordering::SeqCst);
            }
            // A restart: the booth process ends (nothing is written on the
            // way out: a kill is the same to the till) and starts again,
            // half the time with a sheet at the printer: its price was set
            // aside when paid, and is taken at the next start (the printer
            // has the job; here the worker finishes it as the booth ends).
            5 => {
                if dice.roll(2) == 0 {
                    settle(&mut b, now, &mut seen, mode);
                }
                drop(b);
                b = build(mode, &sheets, &till, &jammed);
                seen.last_link = None;
                (person, turns) = (Person::new(), 0);
            }
            // A person uses the booth for ten seconds (through to the
            // payment screen, or on to the sheet when paid).
            _ => {
                if b.state() == &State::Idle {
                    person = Person::new().walking_up_on(turns + 1);
                }
                for _ in 0..100 {
                    settle(&mut b, now, &mut seen, mode);
                    now += 100;
                    turns += 1;
                    let press = person.press(b.state(), b.live(), turns, b.busy());
                    turn(&mut b, now, press, &mut seen, mode);
                }
            }
        }
        settle(&mut b, now, &mut seen, mode);
        check(&b, mode, &seen, &sheets, &till, &at);
    }
    // The sequence reached what it is about: deliveries, and (charging)
    // coins taken for them.
    let printed = std::fs::read_dir(&sheets).map_or(0, |d| d.count()) as u64;
    let delivered = if mode.print { printed } else { seen.files };
    println!(
        "{mode:?}: {delivered} delivered, {} cents dropped",
        seen.dropped
    );
    assert!(
        delivered > 0,
        "{mode:?}: nothing delivered in {steps} steps: {:?}",
        b.record().states
    );
    if mode.charge {
        assert!(b.till().is_some_and(|t| t.ledger().taken > 0));
    }
}

/// Turns until the worker has no job (a sheet printing is then out, or
/// failed, and the booth has heard which).
fn settle(b: &mut TestBooth<ReplaySource>, now: u64, seen: &mut Seen, mode: Mode) {
    while b.busy() {
        std::thread::sleep(std::time::Duration::from_millis(2));
        turn(b, now, None, seen, mode);
    }
}

/// One turn of the booth, and what a phone would see after it: a new link
/// on a files-only booth is a file handed out.
fn turn(
    b: &mut TestBooth<ReplaySource>,
    now: u64,
    press: Option<Press>,
    seen: &mut Seen,
    mode: Mode,
) {
    b.step(now, press).unwrap();
    let link = b.phone_link().map(str::to_string);
    if link.is_some() && link != seen.last_link && !mode.print {
        seen.files += 1;
    }
    seen.last_link = link;
}

#[test]
fn every_coin_is_taken_for_a_delivery_or_held_in_every_mode_through_restarts() {
    // Under emulation every session is ten times slower: the till is the
    // same code there, so one mode, briefly, shows it runs.
    let emulated = std::env::var_os("PASSBOOTH_EMULATED").is_some();
    let modes = [
        (true, false, true),
        (false, true, true),
        (true, true, true),
        (true, false, false),
        (false, true, false),
        (true, true, false),
    ];
    let (modes, steps) = if emulated {
        (&modes[..1], 12)
    } else {
        (&modes[..], 48)
    };
    for (i, &(print, phone, charge)) in modes.iter().enumerate() {
        let mode = Mode {
            print,
            phone,
            charge,
        };
        live_through(mode, 0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1), steps);
    }
}

/// A simulated booth that charges 6.00 with 2.00 a pulse, its till and
/// stats in `dir`.
fn charging_config(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("booth.toml");
    std::fs::write(
        &path,
        format!(
            "spec = \"us-passport\"\nstats = \"{}\"\n[printer]\nfolder = \"{}\"\nmedia = \"4x6\"\n\
             [payment]\nprice = \"6.00\"\ncurrency = \"EUR\"\nline = 23\nunit = \"2.00\"\n\
             till = \"{}\"\n",
            dir.join("stats.json").display(),
            dir.join("sheets").display(),
            dir.join("till.json").display()
        ),
    )
    .unwrap();
    path
}

#[test]
fn credit_on_a_booth_killed_mid_payment_is_there_when_it_starts_again() {
    use std::io::Write;
    use std::time::Duration;

    use crate::simulate::{spawn, wait_for};

    let dir = tempfile::tempdir().unwrap();
    let cfg = charging_config(dir.path());
    let args = ["run", "--simulate", "--config", cfg.to_str().unwrap()];
    let (mut child, rx) = spawn(&args, dir.path(), &[]);
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "coin").unwrap();
    wait_for(&rx, "payment: credit 2.00 EUR", Duration::from_secs(30));
    // A power cut, or the watchdog's kill: nothing runs on the way out.
    child.kill().unwrap();
    child.wait().unwrap();
    let ledger: Ledger =
        serde_json::from_slice(&std::fs::read(dir.path().join("till.json")).unwrap()).unwrap();
    assert_eq!((ledger.coins, ledger.inserted, ledger.held), (1, 200, 200));

    // On main the credit lived only in RAM: the next coin showed 2.00.
    let (mut child, rx) = spawn(&args, dir.path(), &[]);
    let mut stdin = child.stdin.take().unwrap();
    wait_for(
        &rx,
        "till: credit 2.00 EUR held from before",
        Duration::from_secs(30),
    );
    writeln!(stdin, "coin").unwrap();
    wait_for(&rx, "payment: credit 4.00 EUR", Duration::from_secs(30));
    writeln!(stdin, "quit").unwrap();
    wait_for(&rx, "state=stopped", Duration::from_secs(30));
    assert!(child.wait().unwrap().success());

    // Then a random run of lives: coins, and each life ended by SIGKILL,
    // SIGTERM or a quit; the till file holds every coin after each.
    let mut dice = Dice(0xD1CE_5EED);
    let mut held = 400u64;
    // Each start loads the models: slow under emulation, so fewer lives.
    let lives = if std::env::var_os("PASSBOOTH_EMULATED").is_some() {
        2
    } else {
        6
    };
    for life in 0..lives {
        let (mut child, rx) = spawn(&args, dir.path(), &[]);
        let mut stdin = child.stdin.take().unwrap();
        wait_for(
            &rx,
            &format!("till: credit {} EUR held from before", Money(held)),
            Duration::from_secs(30),
        );
        for _ in 0..=dice.roll(3) {
            writeln!(stdin, "coin").unwrap();
            held += 200;
            wait_for(
                &rx,
                &format!("payment: credit {} EUR", Money(held)),
                Duration::from_secs(30),
            );
        }
        let how = dice.roll(3);
        match how {
            0 => child.kill().unwrap(),
            1 => {
                // SAFETY: a signal to our own child, which is alive.
                unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
            }
            _ => writeln!(stdin, "quit").unwrap(),
        }
        let status = child.wait().unwrap();
        assert!(how == 0 || status.success(), "life {life}: {status:?}");
        let ledger: Ledger =
            serde_json::from_slice(&std::fs::read(dir.path().join("till.json")).unwrap()).unwrap();
        assert!(ledger.balanced(), "life {life}: {ledger:?}");
        assert_eq!(
            (ledger.inserted, ledger.held),
            (held, held),
            "life {life} ({how})"
        );
    }
}

#[test]
fn a_damaged_stats_file_is_kept_aside_and_the_booth_runs() {
    use std::io::Write;
    use std::time::Duration;

    use crate::simulate::{spawn, wait_for};

    let dir = tempfile::tempdir().unwrap();
    let cfg = charging_config(dir.path());
    // The finding: `run` exited 1 on this, a restart loop under systemd.
    std::fs::write(
        dir.path().join("stats.json"),
        "{\"sessions\": 5, \"prints\": \"x\"",
    )
    .unwrap();
    let args = ["run", "--simulate", "--config", cfg.to_str().unwrap()];
    let (mut child, rx) = spawn(&args, dir.path(), &[]);
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "quit").unwrap();
    let log = wait_for(&rx, "state=stopped", Duration::from_secs(30));
    assert!(child.wait().unwrap().success(), "{log:?}");
    let said: Vec<_> = log.iter().filter(|l| l.starts_with("stats: ")).collect();
    assert_eq!(said.len(), 1, "{log:?}");
    assert!(
        said[0].contains("was damaged") && said[0].contains("counting from zero"),
        "{said:?}"
    );
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("stats.json.damaged-"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept for the operator");
}
