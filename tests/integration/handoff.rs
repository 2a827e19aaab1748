//! The phone hand-off's server with a real HTTP client over loopback: the
//! page and the sealed file to the one-time link (the file a limited number
//! of times), 410 after, 404 to anything else (a wrong token, another path,
//! the last session's link), the link dying at its deadline by the server's
//! own clock, and hostile clients (a huge request, fifty idle, trickling and
//! reconnecting ones from ten addresses, a slow reader) answered or cut
//! without stopping a phone.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use passbooth::handoff::{Key, Limits, PhoneServer, seal};
use passbooth::imaging::SecretBuf;

/// Status and body of `GET url`, through ureq (errors are statuses).
pub(crate) fn get(url: &str) -> (u16, Vec<u8>, Option<String>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut r = agent.get(url).call().expect("the server answers");
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = r.body_mut().read_to_vec().unwrap();
    (r.status().as_u16(), body, kind)
}

/// What the page does on a phone, in Rust: the page first (as a browser
/// opens the link), then the sealed file beside it, opened with the key in
/// the link's fragment. Status of the first request that failed, or 200
/// and the file.
pub(crate) fn fetch_photo(link: &str) -> (u16, Vec<u8>) {
    let (page, fragment) = link.split_once('#').expect("the link carries its key");
    let (status, html, kind) = get(page);
    if status != 200 {
        return (status, Vec::new());
    }
    assert_eq!(kind.as_deref(), Some("text/html; charset=utf-8"));
    assert!(html.windows(14).any(|w| w == b"secretbox.open"));
    let (status, sealed, kind) = get(&format!("{page}.bin"));
    if status != 200 {
        return (status, Vec::new());
    }
    assert_eq!(kind.as_deref(), Some("application/octet-stream"));
    let key = Key::from_fragment(fragment).expect("a key in the fragment");
    let file = seal::open(&sealed, &key).expect("the link's key opens the file");
    (200, file.to_vec())
}

/// Waits for `what` to hold (the server's own loop makes it so), at most
/// `within` (stretched on a slow machine).
pub(crate) fn wait_until(within: Duration, mut what: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + crate::common::patience(within);
    while !what() {
        if Instant::now() > end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

fn server() -> (PhoneServer, String) {
    let s = PhoneServer::start("127.0.0.1:0".parse().unwrap()).unwrap();
    let base = format!("http://{}", s.local_addr());
    (s, base)
}

/// The link to a fresh offer of the test photo on `s`.
fn offered(s: &PhoneServer, base: &str, fetches: u32, lifetime_ms: u64) -> String {
    let limits = Limits {
        fetches,
        lifetime_ms,
    };
    format!("{base}{}", s.offer(photo(), limits).unwrap())
}

fn photo() -> SecretBuf<u8> {
    let mut bytes = vec![0xFF, 0xD8];
    bytes.extend((0..50_000u32).map(|i| (i * 7 % 251) as u8));
    bytes.extend([0xFF, 0xD9]);
    SecretBuf::from_vec(bytes)
}

#[test]
fn the_link_gives_the_file_as_often_as_allowed_then_410_and_anything_else_404() {
    let (s, base) = server();
    let want = photo().to_vec();
    let path = s
        .offer(
            photo(),
            Limits {
                fetches: 2,
                lifetime_ms: 60_000,
            },
        )
        .unwrap();
    assert!(path.starts_with("/p/") && path.len() == 3 + 32, "{path}");
    let page = format!("{base}{path}");
    let url = format!("{page}.bin");
    // Wrong token, other paths: 404, and they use nothing up.
    let wrong = format!("{base}/p/{}", "0".repeat(32));
    for other in [
        wrong.as_str(),
        &format!("{wrong}.bin"),
        &format!("{base}/"),
        &format!("{base}/p/"),
        &format!("{base}{path}x"),
        &format!("{base}{path}.jpg"),
    ] {
        assert_eq!(get(other).0, 404, "{other}");
    }
    // The page as often as asked: it holds nothing of the photo.
    for _ in 0..3 {
        let (status, _, kind) = get(&page);
        assert_eq!(
            (status, kind.as_deref()),
            (200, Some("text/html; charset=utf-8"))
        );
    }
    let (status, body, kind) = get(&url);
    assert_eq!(
        (status, kind.as_deref()),
        (200, Some("application/octet-stream"))
    );
    assert_eq!(body, want);
    assert_eq!(get(&url).0, 200);
    assert!(
        wait_until(Duration::from_secs(2), || s.spent()),
        "the server wipes the file once used up"
    );
    assert_eq!(get(&url).0, 410);
    assert_eq!(get(&page).0, 410);
    assert_eq!(s.sent(), 2);
}

#[test]
fn the_last_sessions_link_is_dead_in_the_next_one() {
    let (s, base) = server();
    let first = offered(&s, &base, 3, 60_000);
    s.withdraw();
    assert!(s.spent());
    assert_eq!(get(&first).0, 404);
    let second = offered(&s, &base, 3, 60_000);
    assert_ne!(first, second);
    assert_eq!(get(&first).0, 404);
    assert_eq!(get(&format!("{first}.bin")).0, 404);
    assert_eq!(get(&second).0, 200);
}

#[test]
fn the_link_dies_at_its_deadline_by_the_servers_own_clock() {
    let (s, base) = server();
    let url = offered(&s, &base, 5, 200);
    // `spent` only reads: the expiry is the server loop's own.
    assert!(!s.spent());
    assert!(
        wait_until(Duration::from_secs(3), || s.spent()),
        "expired and wiped by the server"
    );
    assert_eq!(get(&url).0, 410);
    assert_eq!(get(&format!("{url}.bin")).0, 410);
    assert_eq!(s.sent(), 0);
}

#[test]
fn a_huge_request_is_cut_off_and_the_server_goes_on() {
    let (s, base) = server();
    let url = offered(&s, &base, 1, 60_000);
    let mut c = TcpStream::connect(s.local_addr()).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let junk = vec![b'A'; 200_000];
    let _ = c.write_all(b"GET /");
    let _ = c.write_all(&junk);
    let mut answer = Vec::new();
    let _ = c.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 404"),
        "{text}"
    );
    assert_eq!(get(&format!("{url}.bin")).0, 200);
}

/// Every QR code on `img`, decoded.
pub(crate) fn qr_codes(img: &passbooth::imaging::RgbImage) -> Vec<String> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let [r, g, b] = img.get(x as u32, y as u32);
        ((u32::from(r) + u32::from(g) + u32::from(b)) / 3) as u8
    });
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

/// A booth session with the phone hand-off (printing too, or not) up to
/// the "done" screen, its link read off that screen like a phone would, and
/// the file fetched and held to the portal's rules; then on to idle.
/// Returns the sheets printed.
fn phone_session(print: bool) -> usize {
    use passbooth::booth::script::{Person, play};
    use passbooth::booth::{Phone, PhoneSettings};
    use passbooth::checks::digital::verify;
    use passbooth::display::sim::snapshot;
    use passbooth::engine::Engine;
    use passbooth::print::FolderPrinter;
    use passbooth::session::machine::{State, Timing};
    use passbooth::spec::digital::DigitalProfile;

    use crate::booth::{Sees, booth_seeing, replay};
    use crate::common::repo;

    let prints = tempfile::tempdir().unwrap();
    let profile = DigitalProfile::load(&repo("specs/digital/us-passport-online.toml")).unwrap();
    let server = PhoneServer::start("127.0.0.1:0".parse().unwrap()).unwrap();
    let base = format!("http://{}", server.local_addr());
    let wifi = "WIFI:T:WPA;S:PhotoBooth;P:photo-booth-42;;";
    let phone = Phone::new(
        server,
        PhoneSettings {
            profile: profile.clone(),
            limits: Limits {
                fetches: 2,
                lifetime_ms: 120_000,
            },
            link_base: base.clone(),
            wifi_join: Some(wifi.to_string()),
            print,
        },
    );
    let timing = Timing {
        done_ms: 60_000,
        ..Timing::default()
    };
    let engine = Engine::load(&repo("models")).unwrap();
    let printer = FolderPrinter::new(prints.path());
    let mut b = booth_seeing(Sees::Script, replay(), printer, engine, timing).with_phone(phone);
    let mut now = 0;
    play(&mut b, &mut Person::new(), &mut now, 600, |b, _| {
        Ok(*b.state() == State::Done)
    })
    .unwrap();
    assert_eq!(*b.state(), State::Done, "{:?}", b.record().states);
    assert!(b.holds_face_data(), "the file on offer is face data");

    // What a phone sees: the two codes on the screen.
    let codes = qr_codes(&snapshot(b.framebuffer()));
    assert!(
        codes.iter().any(|c| c == wifi),
        "no Wi-Fi code in {codes:?}"
    );
    let link = codes
        .iter()
        .find(|c| c.starts_with(&base))
        .unwrap_or_else(|| panic!("no link in {codes:?}"))
        .clone();
    assert_eq!(Some(link.as_str()), b.phone_link());
    let (status, file) = fetch_photo(&link);
    assert_eq!(status, 200);
    let rules = verify(&file, &profile);
    assert!(rules.iter().all(|c| c.passed), "{rules:?}");

    // The session ends (the "done" screen times out): the link dies and
    // the file is gone from the booth; the counters say only "sent".
    play(&mut b, &mut Person::new(), &mut now, 1200, |b, _| {
        Ok(*b.state() == State::Idle)
    })
    .unwrap();
    assert_eq!(*b.state(), State::Idle);
    assert!(b.phone_link().is_none());
    let page = link.split('#').next().unwrap_or_default();
    assert_eq!(get(page).0, 404);
    assert_eq!(get(&format!("{page}.bin")).0, 404);
    assert_eq!(b.counters().phone_sends, 1);
    assert!(!b.holds_face_data());
    assert_eq!(
        b.record().prints as usize,
        std::fs::read_dir(prints.path()).map_or(0, |d| d.count())
    );
    b.record().prints as usize
}

#[test]
fn a_booth_session_ends_with_the_file_on_a_phone_through_the_qr_code_on_its_screen() {
    assert_eq!(phone_session(true), 1, "the sheet is printed too");
}

#[test]
fn a_booth_that_hands_out_files_only_prints_nothing() {
    assert_eq!(phone_session(false), 0);
}

/// A connection to `to` from `from` (loopback has a whole /8 of
/// addresses: as many hosts as a test wants), with a receive buffer of
/// `rcvbuf` bytes if given (set before connecting, so the window is small
/// from the start), and then segments of an Ethernet link: loopback's
/// 64 kB MTU would let the booth hand whole files to the kernel, where a
/// phone on Wi-Fi (MTU 1500, MSS 1460) takes them 1460 bytes at a time.
fn connect_from(
    from: Ipv4Addr,
    to: SocketAddr,
    rcvbuf: Option<libc::c_int>,
) -> std::io::Result<TcpStream> {
    use std::os::fd::FromRawFd;
    let sockaddr = |ip: Ipv4Addr, port: u16| libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(ip).to_be(),
        },
        sin_zero: [0; 8],
    };
    let SocketAddr::V4(to) = to else {
        return Err(std::io::Error::other("IPv4 only"));
    };
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: plain socket calls on a descriptor this function owns; the
    // addresses live across each call.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let stream = TcpStream::from_raw_fd(fd);
        if let Some(size) = rcvbuf {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_RCVBUF,
                (&size as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
            let mss: libc::c_int = 1460;
            if libc::setsockopt(
                fd,
                libc::IPPROTO_TCP,
                libc::TCP_MAXSEG,
                (&mss as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
        }
        let local = sockaddr(from, 0);
        if libc::bind(fd, (&local as *const libc::sockaddr_in).cast(), len) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let remote = sockaddr(*to.ip(), to.port());
        if libc::connect(fd, (&remote as *const libc::sockaddr_in).cast(), len) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(stream)
    }
}

/// `GET url` with at most `limit` for the whole exchange.
fn get_within(url: &str, limit: Duration) -> Result<Vec<u8>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(limit))
        .build()
        .into();
    let mut r = agent.get(url).call().map_err(|e| e.to_string())?;
    r.body_mut().read_to_vec().map_err(|e| e.to_string())
}

#[test]
fn fifty_idle_trickling_and_reconnecting_clients_never_keep_a_phone_waiting() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let (s, base) = server();
    let addr = s.local_addr();
    let url = format!("{}.bin", offered(&s, &base, 10, 120_000));
    let stop = Arc::new(AtomicBool::new(false));
    // Ten hosts of five clients each: two silent (reconnecting at once when
    // cut), two sending a byte of a request every 300 ms, one connecting
    // and dropping again and again.
    let hosts: Vec<Ipv4Addr> = (2..12).map(|i| Ipv4Addr::new(127, 0, 0, i)).collect();
    let attackers: Vec<_> = hosts
        .iter()
        .flat_map(|&host| (0..5).map(move |kind| (host, kind)))
        .map(|(host, kind)| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let Ok(mut c) = connect_from(host, addr, None) else {
                        std::thread::sleep(Duration::from_millis(20));
                        continue;
                    };
                    c.set_read_timeout(Some(Duration::from_millis(300))).ok();
                    let mut sink = [0u8; 64];
                    match kind {
                        // Silent: held until the server cuts it.
                        0 | 1 => loop {
                            match c.read(&mut sink) {
                                Err(e)
                                    if matches!(
                                        e.kind(),
                                        std::io::ErrorKind::WouldBlock
                                            | std::io::ErrorKind::TimedOut
                                    ) && !stop.load(Ordering::SeqCst) => {}
                                _ => break,
                            }
                        },
                        // Trickling a request that never ends.
                        2 | 3 => {
                            while !stop.load(Ordering::SeqCst) && c.write_all(b"G").is_ok() {
                                let _ = c.read(&mut sink);
                            }
                        }
                        // Reconnecting silently.
                        _ => std::thread::sleep(Duration::from_millis(100)),
                    }
                }
            })
        })
        .collect();
    // Rounds of real fetches: at once, after the first idle ones were cut,
    // and later again.
    let want = photo().to_vec();
    for round in 0..3 {
        std::thread::sleep(Duration::from_millis(if round == 0 { 300 } else { 1500 }));
        let started = Instant::now();
        let got = get_within(&url, Duration::from_secs(2));
        assert_eq!(
            got.as_deref().map_err(String::as_str),
            Ok(&want[..]),
            "round {round}: a phone beside 50 hostile clients, after {:?}",
            started.elapsed()
        );
    }
    stop.store(true, Ordering::SeqCst);
    for a in attackers {
        let _ = a.join();
    }
    assert!(s.turned_away() > 0, "idle clients were cut");
}

#[test]
fn the_server_answers_every_client_on_one_thread() {
    let threads = || std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count());
    let (s, base) = server();
    let _url = offered(&s, &base, 1, 60_000);
    let before = threads();
    // Thirty clients that have sent half a request: a server with a thread
    // per client (or a pool that grows with them) holds thirty threads.
    let held: Vec<TcpStream> = (0..30)
        .map(|_| {
            let mut c = TcpStream::connect(s.local_addr()).unwrap();
            c.write_all(b"GET /p/").unwrap();
            c
        })
        .collect();
    let mut peak = before;
    for _ in 0..20 {
        peak = peak.max(threads());
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(held);
    // Other tests start and end threads meanwhile: a few, never thirty.
    assert!(
        peak < before + 10,
        "threads {before} -> {peak} with 30 clients"
    );
}

/// A slow reader of the sealed file: a 1 kB receive window, 576 bytes
/// taken, then nothing. Returns the stream and the bytes read so far.
pub(crate) fn slow_reader(addr: SocketAddr, url: &str) -> (TcpStream, usize) {
    let path = url.split_once("//").map_or(url, |(_, r)| r);
    let path = &path[path.find('/').unwrap_or(0)..];
    let mut c = connect_from(Ipv4Addr::LOCALHOST, addr, Some(1024)).unwrap();
    c.write_all(format!("GET {path} HTTP/1.1\r\nHost: booth\r\n\r\n").as_bytes())
        .unwrap();
    let mut first = [0u8; 576];
    c.read_exact(&mut first).unwrap();
    assert!(first.starts_with(b"HTTP/1.1 200"), "{:?}", &first[..20]);
    (c, first.len())
}

/// Waits, reading nothing, until the server ends `c` (a reset or its
/// close), at most `within`; whether it did.
pub(crate) fn hung_up(c: &TcpStream, within: Duration) -> bool {
    use std::os::fd::AsRawFd;
    let mut fd = libc::pollfd {
        fd: c.as_raw_fd(),
        events: libc::POLLRDHUP,
        revents: 0,
    };
    let ms = crate::common::patience(within).as_millis() as libc::c_int;
    // SAFETY: one live pollfd for the duration of the call.
    let n = unsafe { libc::poll(&mut fd, 1, ms) };
    n == 1
}

/// Reads `c` to its end: the bytes it gave and whether it was reset.
pub(crate) fn read_rest(mut c: TcpStream) -> (usize, bool) {
    c.set_read_timeout(Some(crate::common::patience(Duration::from_secs(30))))
        .unwrap();
    let mut total = 0;
    let mut buf = [0u8; 4096];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return (total, false),
            Ok(n) => total += n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return (total, true),
            Err(e) => panic!("neither reset nor ended: {e}"),
        }
    }
}

/// A server offering a 600 kB file (more than the sockets' buffers hold)
/// `fetches` times: the server, the link's page and the file.
fn big_offer(fetches: u32) -> (PhoneServer, String, Vec<u8>) {
    let (s, base) = server();
    let big: Vec<u8> = (0..600_000u32).map(|i| (i * 13 % 251) as u8).collect();
    let limits = Limits {
        fetches,
        lifetime_ms: 120_000,
    };
    let path = s.offer(SecretBuf::from_vec(big.clone()), limits).unwrap();
    (s, format!("{base}{path}"), big)
}

#[test]
fn a_slow_reader_is_cut_the_moment_the_session_ends() {
    let (s, page, big) = big_offer(2);
    let (c, first) = slow_reader(s.local_addr(), &format!("{page}.bin"));
    let ended = Instant::now();
    s.withdraw();
    assert!(hung_up(&c, Duration::from_secs(5)), "cut");
    let (rest, was_reset) = read_rest(c);
    assert!(was_reset, "the transfer is reset, not finished");
    assert!(
        first + rest < big.len() / 4,
        "{} of {} bytes still reached the reader after the session ended",
        first + rest,
        big.len()
    );
    assert!(
        ended.elapsed() < passbooth::handoff::TRANSFER_DEADLINE,
        "cut by the session's end, not by the transfer deadline"
    );
    assert!(s.spent());
}

#[test]
fn a_reader_that_stops_reading_is_cut_at_the_transfer_deadline() {
    let (s, page, big) = big_offer(3);
    let started = Instant::now();
    let (c, first) = slow_reader(s.local_addr(), &format!("{page}.bin"));
    let limit = passbooth::handoff::TRANSFER_DEADLINE + Duration::from_secs(5);
    assert!(hung_up(&c, limit), "cut by the deadline");
    let (rest, was_reset) = read_rest(c);
    assert!(was_reset, "a stalled transfer is reset");
    assert!(first + rest < big.len() / 4);
    assert!(
        started.elapsed() >= passbooth::handoff::TRANSFER_DEADLINE,
        "not before its deadline: {:?}",
        started.elapsed()
    );
    // The offer itself lives on for the phone that reads.
    assert!(!s.spent());
    assert_eq!(get(&format!("{page}.bin")).1, big);
}

/// A simulated booth (`run --simulate`, a child process) with `[phone]`
/// on loopback, taken through a session to its "done" screen, and the
/// link read off the screen's QR code as a phone would.
pub(crate) struct PhoneBooth {
    pub child: std::process::Child,
    pub stdin: std::process::ChildStdin,
    pub rx: std::sync::mpsc::Receiver<String>,
    /// The booth's log so far (stderr, line by line).
    pub log: Vec<String>,
    pub link: String,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl PhoneBooth {
    /// The booth at "done", each link good for `fetches` files.
    pub(crate) fn at_done(fetches: u32) -> PhoneBooth {
        use crate::simulate::{spawn, to_review, wait_for};
        let dir = tempfile::TempDir::new().unwrap();
        let port = crate::residue::free_port();
        let config = dir.path().join("booth.toml");
        std::fs::write(
            &config,
            format!(
                "spec = \"us-passport\"\n[printer]\nfolder = \"{}\"\nmedia = \"4x6\"\n\
                 [phone]\nprofile = \"us-passport-online\"\nlisten = \"127.0.0.1:{port}\"\n\
                 fetches = {fetches}\nminutes = 2\n\
                 wifi = {{ ssid = \"passbooth\", password = \"photo-booth-42\" }}\n",
                dir.path().join("prints").display()
            ),
        )
        .unwrap();
        let screen = dir.path().join("screen.png");
        let (mut child, rx) = spawn(
            &[
                "run",
                "--simulate",
                "--config",
                config.to_str().unwrap(),
                "--screen",
                screen.to_str().unwrap(),
            ],
            dir.path(),
            &[],
        );
        let mut stdin = child.stdin.take().unwrap();
        let mut log = to_review(&mut stdin, &rx);
        writeln!(stdin, "press").unwrap();
        log.extend(wait_for(&rx, "state=done", Duration::from_secs(30)));
        // The mirror is written as the screen is flushed, just after the
        // line.
        let mut codes = Vec::new();
        wait_until(Duration::from_secs(10), || {
            codes = passbooth::imaging::decode::decode_file(&screen)
                .map(|s| qr_codes(&s))
                .unwrap_or_default();
            codes.len() == 2
        });
        assert!(
            codes
                .iter()
                .any(|c| c.starts_with("WIFI:T:WPA;S:passbooth;")),
            "{codes:?}"
        );
        let link = codes
            .iter()
            .find(|c| c.starts_with(&format!("http://127.0.0.1:{port}/p/")))
            .unwrap_or_else(|| panic!("no link on the screen: {codes:?}"))
            .clone();
        PhoneBooth {
            child,
            stdin,
            rx,
            log,
            link,
            port,
            dir,
        }
    }
}

#[test]
fn the_longest_link_the_config_allows_reads_off_both_panels() {
    use passbooth::booth::screens::{Screens, View};
    use passbooth::display::Framebuffer;
    use passbooth::display::sim::snapshot;
    use passbooth::session::prompts::Language;
    let base = format!(
        "http://{}:65535",
        "b".repeat(passbooth::config::MAX_LINK_BASE - "http://:65535".len())
    );
    assert_eq!(base.len(), passbooth::config::MAX_LINK_BASE);
    let key = Key::random().unwrap();
    let link = format!("{base}/p/{}#{}", "a".repeat(32), key.fragment());
    let join = "WIFI:T:WPA;S:passbooth-booth-1;P:photo-booth-42-and-more;;";
    for (w, h) in [(240u16, 320u16), (320, 240)] {
        let mut fb = Framebuffer::new(w, h);
        let view = View::Handoff {
            link: &link,
            join: Some(join),
            printed: true,
        };
        Screens::new((w, h), &[Language::En]).draw(&mut fb, &view, Language::En);
        let codes = qr_codes(&snapshot(&fb));
        assert!(codes.contains(&link), "{w}x{h}: {codes:?}");
        assert!(codes.iter().any(|c| c == join), "{w}x{h}: {codes:?}");
    }
}
