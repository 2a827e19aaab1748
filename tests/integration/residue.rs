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
use crate::printer::{Behaviour, TestPrinter};
use crate::simulate::{spawn, to_review, wait_for};

/// Side of the random patch painted into the portrait, pixels.
const PATCH: u32 = 48;
/// Where the patch is painted (on the shoulder).
const PATCH_AT: (u32, u32) = (640, 860);
/// Bytes per searched needle.
const NEEDLE: usize = 32;

/// Needles of one form of the pattern.
struct Form {
    name: &'static str,
    needles: Vec<Vec<u8>>,
}

/// xorshift from `seed`: a pattern with no dependency.
fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The portrait still with a random patch on the shoulder, and the patch:
/// a fresh pattern per run.
pub(crate) fn marked_still() -> (RgbImage, Vec<[u8; 3]>) {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x9e37_79b9_7f4a_7c15, |d| d.as_nanos() as u64);
    marked_still_from(seed)
}

/// [`marked_still`] with the pattern of `seed`.
pub(crate) fn marked_still_from(seed: u64) -> (RgbImage, Vec<[u8; 3]>) {
    let mut still = in_place(&astronaut());
    let noise = random_bytes((PATCH * PATCH * 3) as usize, seed);
    let patch: Vec<[u8; 3]> = noise.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
    let (x0, y0) = PATCH_AT;
    for y in 0..PATCH {
        for x in 0..PATCH {
            still.put(x0 + x, y0 + y, patch[(y * PATCH + x) as usize]);
        }
    }
    (still, patch)
}

/// The patch's rows as the still holds them (RGB): one needle per row.
fn still_form(patch: &[[u8; 3]]) -> Form {
    Form {
        name: "still RGB",
        needles: patch
            .chunks_exact(PATCH as usize)
            .map(|r| r.concat()[..NEEDLE].to_vec())
            .collect(),
    }
}

/// The patch as the viewfinder frame holds it (the still scaled to 640 x
/// 480 by the same code as the camera stand-in): the middle of each row of
/// the scaled patch.
fn viewfinder_form(still: &RgbImage) -> Form {
    let vf = passbooth::capture::replay::viewfinder_of(still);
    let k = vf.width() as f32 / still.width() as f32;
    let x0 = ((PATCH_AT.0 as f32) * k).ceil() as u32 + 1;
    let (y0, y1) = (
        ((PATCH_AT.1 as f32) * k).ceil() as u32 + 1,
        (((PATCH_AT.1 + PATCH) as f32) * k) as u32 - 1,
    );
    let needles = (y0..y1)
        .map(|y| {
            let start = ((y * vf.width() + x0) * 3) as usize;
            vf.as_bytes()[start..start + NEEDLE].to_vec()
        })
        .collect();
    Form {
        name: "viewfinder RGB",
        needles,
    }
}

/// The review screen as the framebuffer holds it (Rgb565, native byte
/// order): the composed photo drawn by the booth's own screen code.
fn review_form(photo: &RgbImage) -> Form {
    use passbooth::booth::screens::{Screens, View};
    use passbooth::display::Framebuffer;
    let mut fb = Framebuffer::new(240, 320);
    let view = View::Review {
        photo: Some(photo),
        accepted: true,
        reason: None,
        confirm: passbooth::session::prompts::Prompt::PressToPrint,
    };
    let lang = passbooth::session::prompts::Language::En;
    Screens::new((240, 320), &[lang]).draw(&mut fb, &view, lang);
    let bytes: Vec<u8> = fb
        .pixels()
        .iter()
        .flat_map(|p| {
            use embedded_graphics::prelude::RawData;
            embedded_graphics::pixelcolor::raw::RawU16::from(*p)
                .into_inner()
                .to_ne_bytes()
        })
        .collect();
    Form {
        name: "review screen Rgb565",
        needles: distinctive(&bytes, 64),
    }
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
    // Every form a face takes in the booth, from the still to the screen.
    let forms = vec![
        still_form(&patch),
        viewfinder_form(&still),
        Form {
            name: "composed photo",
            needles: distinctive(photo.as_bytes(), 64),
        },
        review_form(&photo),
    ];
    drop(still);
    for f in &forms {
        assert!(
            f.needles.len() >= 16,
            "{}: {} needles",
            f.name,
            f.needles.len()
        );
    }

    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let (mut child, rx) = spawn(
        &[
            "run",
            "--simulate",
            "--frames",
            frames.to_str().unwrap(),
            "--printer",
            &p.uri,
        ],
        dir.path(),
        &[],
    );
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    // No press left over in the review: it would print before the scan.
    to_review(&mut stdin, &rx);

    // Each form is findable. The still lives only while the engine works on
    // it, so its needles are shown on this process's own copy (the scanner
    // is the same); every other form is found in the booth during review.
    let own = scan(std::process::id(), &forms[..1]);
    assert!(own[0].1 > 0, "the scanner finds the still's rows here");
    let during = scan(pid, &forms);
    for (name, n, _) in &during[1..] {
        assert!(*n > 0, "{name} not found during the session: {during:?}");
    }

    // Print through the IPP printer, back to idle, and wait while it idles.
    writeln!(stdin, "press").unwrap();
    wait_for(&rx, "state=done", Duration::from_secs(30));
    writeln!(stdin, "press").unwrap();
    wait_for(&rx, "state=idle", Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(500));

    // The document the printer received is one more form, shown findable on
    // this process's copy of it.
    let docs = p.received();
    assert_eq!(docs.len(), 1, "{docs:?}");
    let doc = std::fs::read(&docs[0]).unwrap();
    let mut forms = forms;
    forms.push(Form {
        name: "print document",
        needles: distinctive(&doc[1024..], 64),
    });
    let own = scan(std::process::id(), &forms[forms.len() - 1..]);
    assert!(own[0].1 > 0, "the scanner finds the document here");
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

/// A free port on loopback (bound, read, released).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn the_file_a_phone_fetched_is_gone_from_the_booth_once_its_link_is_spent() {
    if emulated("the memory residue scan") {
        return;
    }
    use crate::handoff::{PhoneBooth, get, hung_up, read_rest, slow_reader};
    use passbooth::handoff::{Key, seal};
    let PhoneBooth {
        mut child,
        mut stdin,
        rx,
        link,
        port,
        dir: _dir,
    } = PhoneBooth::at_done(2);
    let pid = child.id();
    let (page, fragment) = link.split_once('#').expect("the key in the fragment");
    // A slow reader holds the first fetch open: 576 bytes taken, then
    // nothing (1 kB receive window; the sealed file does not fit in the
    // sockets' buffers).
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    let (slow, _) = slow_reader(addr, &format!("{page}.bin"));
    // A phone takes the second, and opens it with the link's key.
    assert_eq!(get(page).0, 200);
    let (status, sealed, _) = get(&format!("{page}.bin"));
    assert_eq!(status, 200);
    let file = seal::open(&sealed, &Key::from_fragment(fragment).unwrap())
        .expect("the link's key opens the file")
        .to_vec();
    assert_eq!(get(&format!("{page}.bin")).0, 410, "two fetches allowed");
    // Past the generic headers: the sealed bytes as they cross the
    // network, and the portal file inside them.
    let forms = [
        Form {
            name: "sealed phone file",
            needles: distinctive(&sealed[1024..], 64),
        },
        Form {
            name: "plain phone file",
            needles: distinctive(&file[1024..], 64),
        },
    ];
    assert!(forms.iter().all(|f| f.needles.len() >= 16));
    // The slow reader's transfer keeps the sealed file in the booth: the
    // scan of the booth's own memory finds it (the scanner works there);
    // the plain file is gone from the booth as soon as it is sealed.
    let during = scan(pid, &forms);
    assert!(
        during[0].1 > 0,
        "the scan finds the sealed file in the booth"
    );
    assert_eq!(
        during[1].1, 0,
        "the plain file left in the booth after sealing at {:?}",
        during[1].2
    );
    // The session ends (a press on the done screen): the slow reader is
    // cut, the booth holds neither form.
    writeln!(stdin, "press").unwrap();
    wait_for(&rx, "state=idle", Duration::from_secs(30));
    assert!(
        hung_up(&slow, Duration::from_secs(5)),
        "the slow reader is cut"
    );
    let (_, was_reset) = read_rest(slow);
    assert!(
        was_reset,
        "the slow reader's transfer is reset at the session's end"
    );
    let after = scan(pid, &forms);
    writeln!(stdin, "quit").unwrap();
    let _ = child.wait();
    for (name, hits, at) in &after {
        assert_eq!(*hits, 0, "the {name} still in the booth at {at:?}");
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
