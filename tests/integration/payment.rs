//! Pay after pass, whole sessions: a scripted person, the real engine and
//! printers, and a coin acceptor whose pulse trains go through the booth's
//! real decoder as the virtual clock runs. Every path where money is
//! involved: paid and printed, a rejected photo that never asks, a printer
//! that fails after payment, a printer that cannot print before it, a
//! customer who walks away.

use std::collections::VecDeque;
use std::path::Path;

use passbooth::booth::script::Person;
use passbooth::booth::worker::{Processed, Processor};
use passbooth::booth::{BoothSettings, PaymentSettings};
use passbooth::capture::FrameSource;
use passbooth::capture::replay::ReplaySource;
use passbooth::checks::Reason;
use passbooth::clock::Millis;
use passbooth::engine::Engine;
use passbooth::imaging::still::Still;
use passbooth::input::{CoinDecoder, Edge, Press, PulseTiming};
use passbooth::print::ipp::IppPrinter;
use passbooth::print::media::Media;
use passbooth::print::problem::Problem;
use passbooth::print::{FolderPrinter, Paper, Receipt, Sheet, SheetPrinter};
use passbooth::session::machine::{State, Timing, Trouble};
use passbooth::session::money::{Money, Price};
use passbooth::spec::Spec;
use tempfile::TempDir;

use crate::booth::{Sees, TestBooth, booth_from, replay};
use crate::common::*;
use crate::printer::{Behaviour, TestPrinter};

/// 6.00 EUR a sheet; the acceptor sends one pulse per euro.
fn payment() -> PaymentSettings {
    PaymentSettings {
        price: Price {
            amount: Money(600),
            currency: "EUR".into(),
        },
        per_pulse: Money(100),
    }
}

fn charging_booth<E: Processor, P: SheetPrinter + Send + 'static>(
    engine: E,
    printer: P,
    timing: Timing,
) -> TestBooth<ReplaySource> {
    let mut settings =
        BoothSettings::new(Spec::load(&repo("specs/us-passport.toml")).unwrap()).unwrap();
    settings.payment = Some(payment());
    settings.timing = timing;
    booth_from(settings, Sees::Script, replay(), printer, engine)
}

fn engine() -> Engine {
    Engine::load(&repo("models")).unwrap()
}

/// The coin acceptor: coins become pulse trains (50 ms pulses, 60 ms
/// apart), decoded by the booth's decoder as time passes.
struct Acceptor {
    decoder: CoinDecoder,
    edges: VecDeque<Edge>,
}

impl Acceptor {
    fn new() -> Self {
        Self {
            decoder: CoinDecoder::new(PulseTiming::default()),
            edges: VecDeque::new(),
        }
    }

    /// A coin of `pulses` pulses dropped at `at`.
    fn coin(&mut self, at: Millis, pulses: u32) {
        for i in 0..u64::from(pulses) {
            let start = at + i * 110;
            self.edges.push_back(Edge {
                at: start,
                pressed: true,
            });
            self.edges.push_back(Edge {
                at: start + 50,
                pressed: false,
            });
        }
    }

    /// A spike on the line (a relay's bounce, a static discharge).
    fn spike(&mut self, at: Millis) {
        self.edges.push_back(Edge { at, pressed: true });
        self.edges.push_back(Edge {
            at: at + 4,
            pressed: false,
        });
    }

    /// Everything the line did up to `now`, into the booth.
    fn feed<C: FrameSource>(&mut self, b: &mut TestBooth<C>, now: Millis) {
        while let Some(e) = self.edges.front().copied().filter(|e| e.at <= now) {
            self.edges.pop_front();
            if let Some(p) = self.decoder.edge(e) {
                b.insert_pulses(p);
            }
        }
        if let Some(p) = self.decoder.tick(now) {
            b.insert_pulses(p);
        }
    }
}

/// Turns of the booth with the person pressing and the acceptor feeding,
/// until `until` holds or `turns` pass; the clock stops while the booth
/// works, as in `script::play`.
fn run<C: FrameSource>(
    b: &mut TestBooth<C>,
    person: &mut Person,
    coins: &mut Acceptor,
    now: &mut Millis,
    turns: u32,
    until: impl Fn(&TestBooth<C>) -> bool,
) {
    let mut turn = 0;
    for _ in 0..turns * 50 {
        if b.busy() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        } else {
            *now += 100;
            turn += 1;
        }
        if turn > turns {
            break;
        }
        coins.feed(b, *now);
        let press = person.press(b.state(), b.live(), turn as u64, b.busy());
        b.step(*now, press).unwrap();
        if until(b) {
            return;
        }
    }
    panic!("never got there: {:?}", b.record().states);
}

fn paying(b: &TestBooth<ReplaySource>) -> bool {
    b.state() == &State::Payment { ready: true }
}

fn sheets(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

#[test]
fn an_accepted_photo_is_paid_for_coin_by_coin_then_printed() {
    let out = TempDir::new().unwrap();
    let mut b = charging_booth(engine(), FolderPrinter::new(out.path()), Timing::default());
    let (mut coins, mut now) = (Acceptor::new(), 0);
    let mut person = Person::new();
    run(&mut b, &mut person, &mut coins, &mut now, 600, paying);
    // Framing, the checks and the review were free; nothing printed yet.
    assert_eq!((b.record().prints, sheets(out.path())), (0, 0));
    let asking = b.framebuffer().pixels().to_vec();
    // A spike is not money; a 2-euro coin is 2.00.
    coins.spike(now + 100);
    coins.coin(now + 300, 2);
    run(&mut b, &mut person, &mut coins, &mut now, 20, |b| {
        b.credit() == Money(200)
    });
    for _ in 0..5 {
        now += 100;
        b.step(now, None).unwrap();
    }
    assert_eq!(b.credit(), Money(200), "the spike paid nothing");
    assert!(paying(&b));
    assert_ne!(
        b.framebuffer().pixels(),
        &asking[..],
        "the screen shows the credit"
    );
    // Two more coins back to back: paid, printed, the price taken.
    coins.coin(now + 100, 2);
    coins.coin(now + 700, 2);
    run(&mut b, &mut person, &mut coins, &mut now, 600, |b| {
        b.state() == &State::Done
    });
    assert_eq!((b.record().prints, sheets(out.path())), (1, 1));
    assert_eq!(b.credit(), Money(0));
    let c = b.counters();
    assert_eq!(
        (c.coins, c.credit_cents, c.paid_cents, c.carried_cents),
        (3, 600, 600, 0)
    );
    let states: Vec<&str> = b.record().states.iter().map(|s| s.1).collect();
    assert!(
        states.ends_with(&["review", "payment", "printing", "done"]),
        "{states:?}"
    );
}

/// The real engine, its verdict turned to a rejection (glasses).
struct Rejecting(Engine);

impl Processor for Rejecting {
    fn process(&mut self, still: &dyn Still, spec: &Spec) -> Result<Processed, String> {
        let mut p = Processor::process(&mut self.0, still, spec)?;
        p.accepted = false;
        p.reason = Some(Reason::Glasses);
        Ok(p)
    }
    fn wipe(&mut self) {
        Processor::wipe(&mut self.0)
    }
}

#[test]
fn a_rejected_photo_never_asks_for_money_and_early_coins_stay_credit() {
    let out = TempDir::new().unwrap();
    let mut b = charging_booth(
        Rejecting(engine()),
        FolderPrinter::new(out.path()),
        Timing::default(),
    );
    let (mut coins, mut now) = (Acceptor::new(), 0);
    let mut person = Person::new();
    // A coin while framing: credit, not a payment.
    run(&mut b, &mut person, &mut coins, &mut now, 100, |b| {
        b.state() == &State::Framing
    });
    coins.coin(now, 3);
    run(&mut b, &mut person, &mut coins, &mut now, 600, |b| {
        matches!(b.state(), State::Review { accepted: false })
    });
    // The person presses to retake, and back in framing gives up.
    now += 100;
    b.step(now, Some(Press::Short)).unwrap();
    assert_eq!(b.state(), &State::Framing);
    now += 100;
    b.step(now, Some(Press::Long)).unwrap();
    let states: Vec<&str> = b.record().states.iter().map(|s| s.1).collect();
    assert!(!states.contains(&"payment"), "{states:?}");
    assert_eq!((b.record().prints, sheets(out.path())), (0, 0));
    assert_eq!(b.credit(), Money(300));
    assert_eq!(b.counters().paid_cents, 0);
}

/// A real IPP printer that jams on the first sheet: it says it is ready,
/// and the print fails as a jammed printer's does.
struct JamsOnce {
    printer: IppPrinter,
    jammed: bool,
}

impl SheetPrinter for JamsOnce {
    fn print_sheet(&mut self, sheet: &Sheet, paper: &Paper) -> Result<Receipt, Problem> {
        if !std::mem::replace(&mut self.jammed, true) {
            return Err(Problem::PaperJam("media-jam".into()));
        }
        self.printer.print_sheet(sheet, paper)
    }
    fn ready(&mut self, media: &Media) -> Result<(), Problem> {
        self.printer.ready(media)
    }
}

#[test]
fn a_printer_fault_after_payment_keeps_the_credit_and_calls_staff() {
    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let printer = JamsOnce {
        printer: IppPrinter::new(&p.uri).unwrap(),
        jammed: false,
    };
    let mut b = charging_booth(engine(), printer, Timing::default());
    let (mut coins, mut now) = (Acceptor::new(), 0);
    let mut person = Person::new();
    run(&mut b, &mut person, &mut coins, &mut now, 600, paying);
    coins.coin(now + 100, 6);
    run(&mut b, &mut person, &mut coins, &mut now, 600, |b| {
        matches!(b.state(), State::Trouble(_))
    });
    assert_eq!(b.state(), &State::Trouble(Trouble::Printer("paper_jam")));
    assert_eq!(b.credit(), Money(600), "the money is still the customer's");
    assert_eq!(b.counters().paid_cents, 0);
    assert!(!b.holds_face_data());
    // Staff clear the jam (a long press): the customer starts again and
    // the credit pays for the sheet.
    now += 100;
    b.step(now, Some(Press::Long)).unwrap();
    assert_eq!(b.state(), &State::Idle);
    let mut again = Person::new().walking_up_on(1);
    run(&mut b, &mut again, &mut coins, &mut now, 900, |b| {
        b.state() == &State::Done
    });
    assert_eq!(b.record().prints, 1);
    assert_eq!(b.credit(), Money(0));
    assert_eq!(b.counters().paid_cents, 600);
}

/// A real IPP printer with A6 loaded where the booth prints 4 x 6 in: it
/// says so when asked, before the customer is asked for money.
#[test]
fn a_printer_that_cannot_print_calls_staff_before_anyone_pays() {
    let p = TestPrinter::start(Behaviour::Prints, "iso_a6_105x148mm", "image/jpeg");
    let mut b = charging_booth(
        engine(),
        IppPrinter::new(&p.uri).unwrap(),
        Timing::default(),
    );
    let (mut coins, mut now) = (Acceptor::new(), 0);
    let mut person = Person::new();
    run(&mut b, &mut person, &mut coins, &mut now, 100, |b| {
        b.state() == &State::Framing
    });
    coins.coin(now, 1);
    run(&mut b, &mut person, &mut coins, &mut now, 900, |b| {
        matches!(b.state(), State::Trouble(_))
    });
    assert_eq!(b.state(), &State::Trouble(Trouble::Printer("wrong_media")));
    let states: Vec<&str> = b.record().states.iter().map(|s| s.1).collect();
    // The payment screen asked the printer first and never asked for money.
    assert!(
        states.ends_with(&["review", "payment", "trouble"]),
        "{states:?}"
    );
    assert_eq!(b.credit(), Money(100));
    assert_eq!(b.record().prints, 0);
}

#[test]
fn credit_left_at_a_timeout_is_kept_for_the_next_customer_and_counted() {
    let out = TempDir::new().unwrap();
    let timing = Timing {
        payment_ms: 5000,
        ..Timing::default()
    };
    let mut b = charging_booth(engine(), FolderPrinter::new(out.path()), timing);
    let (mut coins, mut now) = (Acceptor::new(), 0);
    b.step(now, None).unwrap();
    let attract = b.framebuffer().pixels().to_vec();
    let mut person = Person::new();
    run(&mut b, &mut person, &mut coins, &mut now, 600, paying);
    coins.coin(now + 100, 2);
    // 2.00 in, then nobody: the payment screen times out to the attract screen.
    run(&mut b, &mut person, &mut coins, &mut now, 200, |b| {
        b.state() == &State::Idle
    });
    assert_eq!(b.credit(), Money(200));
    // The next person sees the credit beside the price ("6.00 EUR - 2.00").
    assert_ne!(
        b.framebuffer().pixels(),
        &attract[..],
        "no credit on the attract screen"
    );
    assert_eq!(b.counters().carried_cents, 200);
    assert_eq!((b.record().prints, sheets(out.path())), (0, 0));
    // The next customer walks away from the payment screen too, putting
    // nothing in: the 2.00 was left once, and is not counted again.
    let mut idler = Person::new().walking_up_on(1);
    run(&mut b, &mut idler, &mut coins, &mut now, 600, paying);
    run(&mut b, &mut idler, &mut coins, &mut now, 200, |b| {
        b.state() == &State::Idle
    });
    assert_eq!(b.counters().carried_cents, 200);
    assert_eq!(b.till().map(|t| t.ledger().left), Some(200));
    // The next customer pays only the rest.
    let mut next = Person::new().walking_up_on(1);
    let start_turns = now;
    run(&mut b, &mut next, &mut coins, &mut now, 600, paying);
    assert!(now > start_turns);
    coins.coin(now + 100, 4);
    run(&mut b, &mut next, &mut coins, &mut now, 600, |b| {
        b.state() == &State::Done
    });
    assert_eq!((b.record().prints, sheets(out.path())), (1, 1));
    let c = b.counters();
    assert_eq!(
        (c.credit_cents, c.paid_cents, b.credit()),
        (600, 600, Money(0))
    );
    // With the credit spent, the attract screen is the plain one again.
    run(&mut b, &mut next, &mut coins, &mut now, 600, |b| {
        b.state() == &State::Idle
    });
    assert_eq!(b.framebuffer().pixels(), &attract[..]);
}
