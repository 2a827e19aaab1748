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
use crate::simulate::{ENDED, spawn, to_countdown, to_review, wait_for, wait_for_all};
use std::sync::mpsc::Receiver;

/// Side of the random patch painted into the portrait, pixels.
const PATCH: u32 = 48;
/// Where the patch is painted (on the shoulder).
const PATCH_AT: (u32, u32) = (640, 860);
/// Bytes per searched needle.
const NEEDLE: usize = 32;

/// Needles of one form of the pattern.
pub(crate) struct Form {
    pub(crate) name: &'static str,
    pub(crate) needles: Vec<Vec<u8>>,
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
    // The unmarked still is rendered once per test run (seconds under
    // emulation); each marked one is a copy.
    static IN_PLACE: std::sync::OnceLock<RgbImage> = std::sync::OnceLock::new();
    let mut still = IN_PLACE.get_or_init(|| in_place(&astronaut())).copy();
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

/// Every readable mapping of process `pid`, read in pieces that overlap by
/// a needle (so none is missed across two reads): `each(name, address,
/// bytes)`.
fn read_memory(pid: u32, mut each: impl FnMut(&str, u64, &[u8])) {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("maps");
    let mem = File::open(format!("/proc/{pid}/mem")).expect("mem (run as root)");
    let mut buf = vec![0u8; 16 << 20];
    for line in maps.lines() {
        let mut parts = line.split_whitespace();
        let (Some(range), Some(perms)) = (parts.next(), parts.next()) else {
            continue;
        };
        let name = parts.nth(3).unwrap_or("[anon]");
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
            each(name, at, &buf[..n]);
            at += (n.saturating_sub(NEEDLE - 1)).max(1) as u64;
        }
    }
}

/// Hits of each form, with where they were.
type Hits = Vec<(&'static str, usize, Vec<String>)>;

/// The hits of some forms in the pieces of memory it is fed.
struct Counter<'a> {
    finders: Vec<Vec<memchr::memmem::Finder<'a>>>,
    hits: Hits,
}

impl<'a> Counter<'a> {
    fn new(forms: &'a [Form]) -> Self {
        Self {
            finders: forms
                .iter()
                .map(|f| f.needles.iter().map(memchr::memmem::Finder::new).collect())
                .collect(),
            hits: forms.iter().map(|f| (f.name, 0, Vec::new())).collect(),
        }
    }

    fn feed(&mut self, name: &str, at: u64, bytes: &[u8]) {
        for (fs, hit) in self.finders.iter().zip(&mut self.hits) {
            let found = fs.iter().map(|f| f.find_iter(bytes).count()).sum::<usize>();
            if found > 0 {
                hit.1 += found;
                hit.2.push(format!("{name}@{at:x}"));
            }
        }
    }
}

/// Hits of each form in the memory of process `pid`, with where they were.
fn scan(pid: u32, forms: &[Form]) -> Hits {
    let mut counter = Counter::new(forms);
    read_memory(pid, |name, at, bytes| counter.feed(name, at, bytes));
    counter.hits
}

/// A copy of the whole readable memory of process `pid` (for a form whose
/// needles are only known later: the document the printer receives).
struct MemoryCopy(Vec<(String, u64, Vec<u8>)>);

impl MemoryCopy {
    fn of(pid: u32) -> Self {
        let mut pieces = Vec::new();
        read_memory(pid, |name, at, bytes| {
            pieces.push((name.to_string(), at, bytes.to_vec()))
        });
        Self(pieces)
    }

    fn scan(&self, forms: &[Form]) -> Hits {
        let mut counter = Counter::new(forms);
        for (name, at, bytes) in &self.0 {
            counter.feed(name, *at, bytes);
        }
        counter.hits
    }
}

/// Waits until the booth says it has reached checkpoint `point` and the
/// kernel has stopped it there (the parent sees the stop), so that its
/// memory holds still for a scan until [`resume`].
pub(crate) fn stopped_at(child: &std::process::Child, rx: &Receiver<String>, point: &str) {
    wait_for(rx, &format!("checkpoint={point}"), Duration::from_secs(60));
    let pid = child.id() as i32;
    let mut status = 0;
    // SAFETY: waiting on our own child; WUNTRACED reports the stop without
    // reaping it.
    let waited = unsafe { libc::waitpid(pid, &mut status, libc::WUNTRACED) };
    assert_eq!(waited, pid, "waitpid: {}", std::io::Error::last_os_error());
    assert!(
        libc::WIFSTOPPED(status),
        "the booth did not stop: {status:#x}"
    );
}

/// Lets a booth stopped at a checkpoint go on.
pub(crate) fn resume(child: &std::process::Child) {
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGCONT) }, 0);
}

/// A marked portrait as a folder of camera frames, and every form the booth
/// gives it before printing: the still's RGB rows, the viewfinder frame, the
/// composed photo and the review screen's Rgb565 pixels.
pub(crate) struct Marked {
    pub(crate) dir: TempDir,
    pub(crate) frames: std::path::PathBuf,
    pub(crate) forms: Vec<Form>,
    /// The composed photo as a PNG file (a form for disks, not memory).
    pub(crate) png: Form,
}

impl Marked {
    pub(crate) fn new() -> Self {
        Self::tinted(0)
    }

    /// [`Marked::new`] with every pixel of the portrait lowered by `tint`
    /// levels (a few: more can tip the photo's checks): its photo, screen
    /// and document then match no other test's (they all show the same
    /// scene), not only around the patch.
    pub(crate) fn tinted(tint: u8) -> Self {
        let dir = TempDir::new().unwrap();
        let frames = dir.path().join("frames");
        std::fs::create_dir_all(&frames).unwrap();
        let (mut still, patch) = marked_still();
        if tint > 0 {
            still
                .as_bytes_mut()
                .iter_mut()
                .for_each(|v| *v = v.saturating_sub(tint));
            // The patch goes back over the tint, as the still form expects.
            let (x0, y0) = PATCH_AT;
            for y in 0..PATCH {
                for x in 0..PATCH {
                    still.put(x0 + x, y0 + y, patch[(y * PATCH + x) as usize]);
                }
            }
        }
        let frame = frames.join("0001.png");
        write_file(&still, &frame, 72).unwrap();
        // The composed photo, as the engine makes it from this still (compose
        // is deterministic and the booth runs the same engine).
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
        let png_bytes = std::fs::read(&photo_path).unwrap();
        std::fs::remove_file(&photo_path).unwrap();
        let png = Form {
            name: "photo PNG",
            needles: distinctive(&png_bytes[1024..], 64),
        };
        let forms = vec![
            still_form(&patch),
            viewfinder_form(&still),
            Form {
                name: "composed photo",
                needles: distinctive(photo.as_bytes(), 64),
            },
            review_form(&photo),
        ];
        for f in forms.iter().chain([&png]) {
            assert!(
                f.needles.len() >= 16,
                "{}: {} needles",
                f.name,
                f.needles.len()
            );
        }
        Self {
            dir,
            frames,
            forms,
            png,
        }
    }

    /// The simulated booth on these frames, printing to `printer`, stopping
    /// at the checkpoints `stop_at`.
    fn booth(&self, printer: &str, stop_at: &str) -> (std::process::Child, Receiver<String>) {
        spawn(
            &[
                "run",
                "--simulate",
                "--frames",
                self.frames.to_str().unwrap(),
                "--printer",
                printer,
            ],
            self.dir.path(),
            &[(passbooth::privacy::checkpoint::STOP_AT, stop_at)],
        )
    }
}

/// Index of each form in [`Marked::forms`].
const STILL: usize = 0;
const VIEWFINDER: usize = 1;
const PHOTO: usize = 2;
const SCREEN: usize = 3;

#[test]
fn after_a_session_no_trace_of_the_face_is_left_in_the_live_process() {
    // Under qemu-user the scanned process is the emulator, whose own memory
    // (not the booth's) this scan cannot tell apart.
    if emulated("the memory residue scan") {
        return;
    }
    let marked = Marked::new();
    let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
    let (mut child, rx) = marked.booth(&p.uri, "still,sheet");
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    // Each form is found in the booth while it holds it, so the scan after
    // can fail: the still while the engine works on it (the booth stopped
    // there), the rest during the review.
    to_countdown(&mut stdin, &rx);
    stopped_at(&child, &rx, "still");
    let at_still = scan(pid, &marked.forms[STILL..=STILL]);
    resume(&child);
    assert!(
        at_still[0].1 > 0,
        "the still's rows not found while the engine works"
    );
    wait_for(&rx, "state=review", Duration::from_secs(60));
    let during = scan(pid, &marked.forms);
    for (name, n, _) in &during[VIEWFINDER..] {
        assert!(*n > 0, "{name} not found during the session: {during:?}");
    }

    // Print through the IPP printer; the booth's memory is copied while the
    // document is being sent (its needles are known once it has arrived).
    writeln!(stdin, "press").unwrap();
    stopped_at(&child, &rx, "sheet");
    let at_sheet = MemoryCopy::of(pid);
    resume(&child);
    wait_for(&rx, "state=done", Duration::from_secs(30));
    writeln!(stdin, "press").unwrap();
    wait_for_all(&rx, &ENDED, Duration::from_secs(30));

    let docs = p.received();
    assert_eq!(docs.len(), 1, "{docs:?}");
    let doc = std::fs::read(&docs[0]).unwrap();
    let mut forms = marked.forms;
    forms.push(Form {
        name: "print document",
        needles: distinctive(&doc[1024..], 64),
    });
    let sent = at_sheet.scan(&forms[forms.len() - 1..]);
    drop(at_sheet);
    assert!(
        sent[0].1 > 0,
        "the document not found in the booth while it was sent"
    );
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

/// SIGTERM in each part of a session, the booth held at its last moment
/// (everything dropped, about to exit) and its whole memory scanned: no
/// form of the face is left. In each part, the form the booth then holds is
/// first found in it.
#[test]
fn sigterm_erases_the_session_before_the_process_exits() {
    if emulated("the memory residue scan") {
        return;
    }
    let marked = Marked::new();
    for part in ["framing", "review", "printing"] {
        let p = TestPrinter::start(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg");
        let (mut child, rx) = marked.booth(&p.uri, "sheet,exit");
        let pid = child.id();
        let mut stdin = child.stdin.take().unwrap();
        let held = match part {
            // The countdown: the live picture has shown her in place.
            "framing" => {
                to_countdown(&mut stdin, &rx);
                VIEWFINDER
            }
            "review" => {
                to_review(&mut stdin, &rx);
                SCREEN
            }
            _ => {
                to_review(&mut stdin, &rx);
                writeln!(stdin, "press").unwrap();
                stopped_at(&child, &rx, "sheet");
                PHOTO
            }
        };
        let before = scan(pid, &marked.forms[held..=held]);
        assert!(
            before[0].1 > 0,
            "{part}: the {} not found in the booth before SIGTERM",
            before[0].0
        );
        // SAFETY: signalling our own child (stopped or running).
        assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGTERM) }, 0);
        if part == "printing" {
            resume(&child);
        }
        stopped_at(&child, &rx, "exit");
        let at_exit = scan(pid, &marked.forms);
        resume(&child);
        drop(stdin);
        assert!(child.wait().unwrap().success(), "{part}: exit status");
        for (name, n, where_) in &at_exit {
            assert_eq!(*n, 0, "{part}: {name} in memory at exit at {where_:?}");
        }
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
        mut log,
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
    log.extend(wait_for_all(&rx, &ENDED, Duration::from_secs(30)));
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
    log.extend(wait_for(&rx, "state=stopped", Duration::from_secs(30)));
    let _ = child.wait();
    for (name, hits, at) in &after {
        assert_eq!(*hits, 0, "the {name} still in the booth at {at:?}");
    }
    // The whole log of the session, from start to stop, holds nothing of
    // the link: not its token (the path), not its key, not the address a
    // phone fetches.
    let token = page.rsplit('/').next().expect("a token in the link");
    assert!(token.len() >= 32 && fragment.len() >= 32, "{link}");
    assert!(
        log.iter().any(|l| l == "state=done") && log.last().is_some_and(|l| l == "state=stopped"),
        "the whole log was read: {log:?}"
    );
    for line in &log {
        for (what, secret) in [("token", token), ("key", fragment), ("link", page)] {
            assert!(!line.contains(secret), "the log holds the {what}: {line}");
        }
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
    // mlockall is in force (as root here; the unit grants LimitMEMLOCK):
    // its line comes after the call.
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
    wait_for_all(&rx, &ENDED, Duration::from_secs(30));
    let after = unlocked_anonymous_mappings(pid);
    writeln!(stdin, "quit").unwrap();
    let _ = child.wait();
    assert!(after.is_empty(), "a session unlocked: {after:?}");
}
