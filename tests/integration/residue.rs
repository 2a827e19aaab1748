//! The privacy promise, checked in a live process: a booth session runs in a
//! child (`run --simulate`) on a portrait carrying a random pattern; its
//! whole memory (`/proc/PID/maps` + `/proc/PID/mem`) is scanned for that
//! pattern in every form it takes. During the session the scan must find
//! the photo (which proves the scanner); after it, with the process alive
//! and idle, nothing of the person may be found.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::time::Duration;

use passbooth::booth::demo::in_place;
use passbooth::imaging::RgbImage;
use passbooth::imaging::decode::decode_file;
use passbooth::imaging::encode::write_file;
use tempfile::TempDir;

use crate::common::*;
use crate::simulate::{spawn, wait_for};

/// Side of the random patch painted into the portrait, pixels.
const PATCH: u32 = 48;
/// Bytes per searched needle.
const NEEDLE: usize = 32;

/// Needles of one form of the pattern.
struct Form {
    name: &'static str,
    needles: Vec<Vec<u8>>,
}

/// xorshift: a fresh pattern per run, with no dependency.
fn random_bytes(n: usize) -> Vec<u8> {
    let mut x = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x9e37_79b9_7f4a_7c15, |d| d.as_nanos() as u64)
        | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The portrait still with a random patch on the shoulder, and the patch.
pub(crate) fn marked_still() -> (RgbImage, Vec<[u8; 3]>) {
    let mut still = in_place(&astronaut());
    let noise = random_bytes((PATCH * PATCH * 3) as usize);
    let patch: Vec<[u8; 3]> = noise.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
    let (x0, y0) = (640, 860);
    for y in 0..PATCH {
        for x in 0..PATCH {
            still.put(x0 + x, y0 + y, patch[(y * PATCH + x) as usize]);
        }
    }
    (still, patch)
}

/// The patch as RGB, RGBA and luma rows: one needle per row.
fn pattern_forms(patch: &[[u8; 3]]) -> Vec<Form> {
    let rows: Vec<&[[u8; 3]]> = patch.chunks_exact(PATCH as usize).collect();
    let rgb = rows.iter().map(|r| r.concat()[..NEEDLE].to_vec()).collect();
    let rgba = rows
        .iter()
        .map(|r| {
            r.iter()
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .take(NEEDLE)
                .collect()
        })
        .collect();
    let luma = rows
        .iter()
        .map(|r| {
            r.iter()
                .take(NEEDLE)
                .map(|p| {
                    (0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]))
                        .round() as u8
                })
                .collect()
        })
        .collect();
    vec![
        Form {
            name: "portrait RGB",
            needles: rgb,
        },
        Form {
            name: "portrait RGBA",
            needles: rgba,
        },
        Form {
            name: "portrait luma",
            needles: luma,
        },
    ]
}

/// Needles from `bytes` that cannot match flat or common memory: 32-byte
/// windows with at least 24 distinct values, up to `max` of them.
pub(crate) fn distinctive(bytes: &[u8], max: usize) -> Vec<Vec<u8>> {
    let step = (bytes.len() / (max * 8)).max(NEEDLE);
    bytes
        .chunks_exact(NEEDLE)
        .step_by(step / NEEDLE)
        .filter(|w| {
            let mut seen = [false; 256];
            w.iter().for_each(|&b| seen[b as usize] = true);
            seen.iter().filter(|&&s| s).count() >= 24
        })
        .take(max)
        .map(<[u8]>::to_vec)
        .collect()
}

/// Hits of each form in the memory of process `pid`, with where they were.
fn scan(pid: u32, forms: &[Form]) -> Vec<(&'static str, usize, Vec<String>)> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("maps");
    let mem = File::open(format!("/proc/{pid}/mem")).expect("mem (run as root)");
    let finders: Vec<Vec<memchr::memmem::Finder<'_>>> = forms
        .iter()
        .map(|f| f.needles.iter().map(memchr::memmem::Finder::new).collect())
        .collect();
    let mut hits: Vec<(usize, Vec<String>)> = vec![(0, Vec::new()); forms.len()];
    let mut buf = vec![0u8; 16 << 20];
    for line in maps.lines() {
        let mut parts = line.split_whitespace();
        let (Some(range), Some(perms)) = (parts.next(), parts.next()) else {
            continue;
        };
        let name = parts.nth(3).unwrap_or("[anon]").to_string();
        if !perms.starts_with('r') || name == "[vvar]" || name == "[vsyscall]" {
            continue;
        }
        let Some((a, b)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (u64::from_str_radix(a, 16), u64::from_str_radix(b, 16)) else {
            continue;
        };
        let mut at = start;
        while at < end {
            let len = ((end - at) as usize).min(buf.len());
            let Ok(n) = mem.read_at(&mut buf[..len], at) else {
                break;
            };
            if n == 0 {
                break;
            }
            for (i, fs) in finders.iter().enumerate() {
                let found = fs
                    .iter()
                    .map(|f| f.find_iter(&buf[..n]).count())
                    .sum::<usize>();
                if found > 0 {
                    hits[i].0 += found;
                    hits[i].1.push(format!("{name}@{at:x}"));
                }
            }
            // Overlap, so a needle across two reads is not missed.
            at += (n.saturating_sub(NEEDLE - 1)).max(1) as u64;
        }
    }
    forms
        .iter()
        .zip(hits)
        .map(|(f, (n, w))| (f.name, n, w))
        .collect()
}

#[test]
fn after_a_session_no_trace_of_the_face_is_left_in_the_live_process() {
    // Under qemu-user the scanned process is the emulator, whose own memory
    // (not the booth's) this scan cannot tell apart.
    if emulated("the memory residue scan") {
        return;
    }
    let dir = TempDir::new().unwrap();
    let frames = dir.path().join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    let (still, patch) = marked_still();
    let frame = frames.join("0001.png");
    write_file(&still, &frame, 72).unwrap();
    drop(still);
    // The composed photo, as the engine makes it from this still (compose is
    // deterministic and the booth runs the same engine).
    let photo_path = dir.path().join("photo.png");
    let out = passbooth(&[
        "compose",
        frame.to_str().unwrap(),
        "--spec",
        "us-passport",
        "-o",
        photo_path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let photo = decode_file(&photo_path).unwrap();
    let composed = Form {
        name: "composed photo",
        needles: distinctive(photo.as_bytes(), 64),
    };
    assert!(
        composed.needles.len() >= 16,
        "{} needles",
        composed.needles.len()
    );

    let prints = dir.path().join("prints");
    let (mut child, rx) = spawn(
        &[
            "run",
            "--simulate",
            "--frames",
            frames.to_str().unwrap(),
            "--print-dir",
            prints.to_str().unwrap(),
            "--screen",
            dir.path().join("screen.png").to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "press").unwrap();
    wait_for(&rx, "state=framing", Duration::from_secs(20));
    let mut log = Vec::new();
    let end = std::time::Instant::now() + patience(Duration::from_secs(30));
    // Press until the countdown starts, then no more: a press left over
    // in the review would print before the scan.
    while !log.iter().any(|l: &String| l == "state=countdown") {
        writeln!(stdin, "press").unwrap();
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(500)) {
            log.push(line);
        }
        assert!(std::time::Instant::now() < end, "no countdown: {log:?}");
    }
    wait_for(&rx, "state=review", Duration::from_secs(30));

    // The scanner sees the pattern where it is: this test process holds the
    // patch as RGB.
    let mut forms = pattern_forms(&patch);
    let own = scan(std::process::id(), &forms[..1]);
    assert!(
        own[0].1 > 0,
        "the scanner finds the RGB pattern in this process"
    );
    // During the session: the photo on the review screen is in memory.
    forms.push(composed);
    let during = scan(pid, &forms);
    let photo_hits = during
        .iter()
        .find(|(n, _, _)| *n == "composed photo")
        .map_or(0, |h| h.1);
    assert!(
        photo_hits > 0,
        "the scanner finds the photo during the session: {during:?}"
    );

    // Print, back to idle, and wait while the booth idles.
    writeln!(stdin, "press").unwrap();
    wait_for(&rx, "state=done", Duration::from_secs(30));
    writeln!(stdin, "press").unwrap();
    wait_for(&rx, "state=idle", Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(500));

    // The printed document is one more form.
    let docs = files_in(&prints);
    assert_eq!(docs.len(), 1, "{docs:?}");
    let doc = std::fs::read(&docs[0]).unwrap();
    forms.push(Form {
        name: "print document",
        needles: distinctive(&doc[1024..], 64),
    });
    let after = scan(pid, &forms);
    writeln!(stdin, "quit").unwrap();
    let _ = child.wait();
    println!(
        "during: {:?}",
        during.iter().map(|h| (h.0, h.1)).collect::<Vec<_>>()
    );
    println!(
        "after:  {:?}",
        after.iter().map(|h| (h.0, h.1)).collect::<Vec<_>>()
    );
    for (name, n, where_) in &after {
        assert_eq!(
            *n, 0,
            "{name} still in memory after the session at {where_:?}"
        );
    }
}

/// Mappings of process `pid` without a file behind them (heap, stacks,
/// anonymous memory) whose pages are not locked, as "range name size".
pub(crate) fn unlocked_anonymous_mappings(pid: u32) -> Vec<String> {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).expect("smaps");
    let mut out = Vec::new();
    let mut current: Option<(String, bool)> = None;
    let mut size = String::new();
    for line in smaps.lines() {
        let mut parts = line.split_whitespace();
        let first = parts.next().unwrap_or("");
        if first.contains('-') && first.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            let name = parts.nth(4).unwrap_or("").to_string();
            let anonymous = name.is_empty() || name == "[heap]" || name.starts_with("[stack");
            current = Some((format!("{first} {name}"), anonymous));
        } else if first == "Size:" {
            size = parts.next().unwrap_or("").to_string();
        } else if let (Some("VmFlags:"), Some((what, true))) = (Some(first), &current) {
            let flags: Vec<&str> = parts.collect();
            // A guard page (no access at all) has nothing to lock.
            let guard = !flags.contains(&"rd") && !flags.contains(&"wr");
            if !guard && !flags.contains(&"lo") {
                out.push(format!("{what} {size} kB"));
            }
        }
    }
    out
}

#[test]
fn after_a_session_every_anonymous_mapping_of_the_booth_is_still_locked() {
    if emulated("which mappings the kernel has locked") {
        return;
    }
    let dir = TempDir::new().unwrap();
    let prints = dir.path().join("prints");
    let (mut child, rx) = spawn(
        &[
            "run",
            "--simulate",
            "--print-dir",
            prints.to_str().unwrap(),
            "--screen",
            dir.path().join("screen.png").to_str().unwrap(),
        ],
        dir.path(),
        &[],
    );
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let mut start = Vec::new();
    while !start
        .iter()
        .any(|l: &String| l.starts_with("passbooth: simulating"))
    {
        let line = rx
            .recv_timeout(patience(Duration::from_secs(30)))
            .unwrap_or_else(|_| panic!("the booth did not start: {start:?}"));
        start.push(line);
    }
    std::thread::sleep(Duration::from_millis(300));
    // mlockall is in force (as root here; the unit grants LimitMEMLOCK).
    assert!(
        start
            .iter()
            .any(|l| l.starts_with("privacy:") && l.contains("memory locked yes")),
        "{start:?}"
    );
    let before = unlocked_anonymous_mappings(pid);
    assert!(before.is_empty(), "unlocked before any session: {before:?}");
    writeln!(stdin, "press").unwrap();
    wait_for(&rx, "state=framing", Duration::from_secs(20));
    let end = std::time::Instant::now() + patience(Duration::from_secs(60));
    let mut log = Vec::new();
    while !log.iter().any(|l: &String| l == "state=printing") {
        writeln!(stdin, "press").unwrap();
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(300)) {
            log.push(line);
        }
        assert!(std::time::Instant::now() < end, "no print: {log:?}");
    }
    wait_for(&rx, "state=idle", Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(300));
    let after = unlocked_anonymous_mappings(pid);
    writeln!(stdin, "quit").unwrap();
    let _ = child.wait();
    assert!(after.is_empty(), "a session unlocked: {after:?}");
}
