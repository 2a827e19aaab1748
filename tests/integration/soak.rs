//! Hundreds of whole sessions in one booth: memory must stay flat. The soak
//! runs in a child process (this test binary, re-run on this test alone), so
//! its resident size is not mixed with other tests running in parallel.

use std::process::Command;

use passbooth::booth::script::{Person, play};
use passbooth::print::FolderPrinter;
use passbooth::session::machine::State;
use tempfile::TempDir;

use crate::booth::{Sees, booth_with, replay};
use crate::common::{emulated, skipped};

/// Sessions in a soak; PASSBOOTH_SOAK_SESSIONS lowers it under emulation.
fn sessions() -> u32 {
    std::env::var("PASSBOOTH_SOAK_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500)
}

/// Sessions run before the first measurement (allocator pools, lazy
/// statics and model arenas settle).
const WARM_UP: u32 = 10;
/// Sessions after the warm-up for the growth to be measured at all.
const MEASURED: u32 = 100;
/// Turns of virtual time one session may take (it takes about 100).
const SESSION_TURNS: u64 = 3000;
/// Allowed growth of the resident size over the soak.
const MAX_GROWTH_KB: u64 = 5 * 1024;

fn rss_kb() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64 / 1024
}

/// The child's side: `n` sessions, each printed, printing the resident size
/// after the warm-up and at the end.
fn soak(n: u32) {
    let prints = TempDir::new().unwrap();
    let mut b = booth_with(Sees::Models, replay(), FolderPrinter::new(prints.path()));
    let mut now = 0;
    let mut base = 0;
    for i in 1..=n {
        let mut person = Person::new().in_a_hurry();
        play(&mut b, &mut person, &mut now, SESSION_TURNS, |b, _| {
            assert!(!matches!(b.state(), State::Trouble(_)), "{:?}", b.state());
            Ok(matches!(b.state(), State::Idle) && b.record().prints == i)
        })
        .unwrap();
        assert!(person.reviewed());
        assert!(!b.holds_face_data());
        for sheet in std::fs::read_dir(prints.path()).unwrap() {
            std::fs::remove_file(sheet.unwrap().path()).unwrap();
        }
        if i == WARM_UP {
            base = rss_kb();
        }
    }
    assert_eq!(b.record().prints, n);
    println!("soak: {n} sessions, rss_kb {base} -> {}", rss_kb());
}

#[test]
fn hundreds_of_sessions_keep_memory_flat() {
    let n = sessions();
    if std::env::var_os("PASSBOOTH_SOAK_CHILD").is_some() {
        soak(n);
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "soak::hundreds_of_sessions_keep_memory_flat",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PASSBOOTH_SOAK_CHILD", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = text
        .lines()
        .find_map(|l| l.find("soak: ").map(|i| &l[i..]))
        .unwrap_or_else(|| panic!("no soak line: {text}"));
    println!("{line}");
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    let (sessions, base, end) = (numbers[0], numbers[1], numbers[2]);
    assert_eq!(sessions, u64::from(n));
    // The sessions ran; whether memory stays flat is only measured where it
    // can be: under qemu-user the resident size is the emulator's too, and
    // a soak shortened below MEASURED sessions after the warm-up says
    // nothing about growth.
    if emulated("the soak's memory growth (the resident size is qemu's)") {
        return;
    }
    if n < WARM_UP + MEASURED {
        skipped(&format!(
            "the soak's memory growth: {n} sessions leave fewer than {MEASURED} after the warm-up"
        ));
        return;
    }
    assert!(
        end <= base + MAX_GROWTH_KB,
        "resident size grew {} kB over {n} sessions ({base} -> {end} kB)",
        end.saturating_sub(base)
    );
}
