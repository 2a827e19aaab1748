//! The phone hand-off's server with a real HTTP client over loopback: the
//! file to the one-time link a limited number of times, 410 after, 404 to
//! anything else (a wrong token, another path, the last session's link),
//! the link dying at its deadline, and a hostile request answered without
//! stopping the server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use passbooth::handoff::{Limits, PhoneServer};
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
    assert!(path.starts_with("/p/") && path.ends_with(".jpg") && path.len() == 3 + 32 + 4);
    let url = format!("{base}{path}");
    // Wrong token, other paths: 404, and they use nothing up.
    let wrong = format!("{base}/p/{}.jpg", "0".repeat(32));
    for other in [
        wrong.as_str(),
        &format!("{base}/"),
        &format!("{base}/p/"),
        &format!("{base}{path}x"),
    ] {
        assert_eq!(get(other).0, 404, "{other}");
    }
    let (status, body, kind) = get(&url);
    assert_eq!((status, kind.as_deref()), (200, Some("image/jpeg")));
    assert_eq!(body, want);
    assert_eq!(get(&url).0, 200);
    assert!(s.spent(), "the file is wiped once used up");
    assert_eq!(get(&url).0, 410);
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
    assert_eq!(get(&second).0, 200);
}

#[test]
fn the_link_dies_at_its_deadline() {
    let (s, base) = server();
    let url = offered(&s, &base, 5, 200);
    std::thread::sleep(Duration::from_millis(400));
    assert!(s.spent(), "expired, and wiped");
    assert_eq!(get(&url).0, 410);
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
    assert!(text.starts_with("HTTP/1.1 404"), "{text}");
    assert_eq!(get(&url).0, 200);
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
    let (status, file, kind) = get(&link);
    assert_eq!((status, kind.as_deref()), (200, Some("image/jpeg")));
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
    assert_eq!(get(&link).0, 404);
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

#[test]
fn a_phone_that_connects_and_says_nothing_holds_up_nobody() {
    let (s, base) = server();
    let url = offered(&s, &base, 2, 60_000);
    // Silent clients: connected, never a byte (each waits out the read
    // time-out, 3 s, on its own thread).
    let silent: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(s.local_addr()).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(50));
    // A fetch with less patience than that time-out still gets the file.
    let limit =
        crate::common::patience(Duration::from_millis(1000)).min(Duration::from_millis(2500));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(limit))
        .build()
        .into();
    let mut r = agent
        .get(&url)
        .call()
        .expect("answered beside the silent ones");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.body_mut().read_to_vec().unwrap(), photo().to_vec());
    drop(silent);
}
