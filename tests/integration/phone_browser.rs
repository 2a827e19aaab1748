//! The phone hand-off in a real browser: Debian's headless Chromium,
//! driven through chromedriver, opens the link read off the booth's
//! screen, the page opens the sealed file and the person presses "Save
//! photo"; the saved file must be the portal file to the byte. Meanwhile
//! tcpdump records the booth's port: the capture must hold the sealed
//! transfer but never the photo, a JPEG's markers or the key.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{emulated, missing_input, patience};
use crate::handoff::{PhoneBooth, fetch_photo, wait_until};
use crate::residue::{distinctive, free_port};
use crate::simulate::wait_for;

/// A child process killed when the test ends, however it ends.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The browser and its driver, if this machine has them.
fn chromium() -> Option<(PathBuf, PathBuf)> {
    let found = |p: &str| Path::new(p).exists().then(|| PathBuf::from(p));
    Some((found("/usr/bin/chromium")?, found("/usr/bin/chromedriver")?))
}

/// One WebDriver command: `method` on `path` of the driver at `base`.
fn webdriver(base: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let url = format!("{base}{path}");
    let mut reply = match (method, body) {
        ("GET", _) => agent.get(&url).call(),
        ("DELETE", _) => agent.delete(&url).call(),
        (_, body) => agent
            .post(&url)
            .header("content-type", "application/json")
            .send(body.unwrap_or(json!({})).to_string()),
    }
    .expect("chromedriver answers");
    let text = reply.body_mut().read_to_string().expect("a reply");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Starts tcpdump on loopback for `port`, writing `pcap`; returns once it
/// says it is listening.
fn capture(port: u16, pcap: &Path) -> Reaped {
    let mut child = Command::new("tcpdump")
        .args(["-i", "lo", "-U", "-n", "-s", "0", "-w"])
        .arg(pcap)
        .arg(format!("tcp port {port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tcpdump starts");
    let err = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let seen = rx.recv_timeout(patience(Duration::from_secs(10)));
    assert!(
        seen.as_deref().is_ok_and(|l| l.contains("listening on")),
        "tcpdump did not start: {seen:?}"
    );
    Reaped(child)
}

#[test]
fn a_real_browser_saves_the_photo_from_the_screens_link_and_the_air_carries_nothing_readable() {
    if emulated("the browser test (no Chromium in the Pi's root)") {
        return;
    }
    let Some((browser, driver)) = chromium() else {
        return missing_input(
            "Debian's chromium and chromium-driver (scripts/dev setup installs them)",
        );
    };
    let Ok(tcpdump) = Command::new("tcpdump").arg("--version").output() else {
        return missing_input("tcpdump (scripts/dev setup installs it)");
    };
    assert!(tcpdump.status.success());
    let mut booth = PhoneBooth::at_done(2);
    let work = tempfile::tempdir().unwrap();
    let pcap = work.path().join("air.pcap");
    let sniffer = capture(booth.port, &pcap);

    // The browser, as on a phone: a fresh profile, downloads to a folder.
    let downloads = work.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    let driver_port = free_port();
    let _driver = Reaped(
        Command::new(&driver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let base = format!("http://127.0.0.1:{driver_port}");
    assert!(
        wait_until(Duration::from_secs(20), || {
            ureq::get(&format!("{base}/status")).call().is_ok()
        }),
        "chromedriver never became ready"
    );
    let profile = work.path().join("profile");
    let session = webdriver(
        &base,
        "POST",
        "/session",
        Some(json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": browser,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-quic", "--no-first-run",
                         "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", profile.display())],
                "prefs": {
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false
                }
            }
        }}})),
    );
    let id = session["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {session}"))
        .to_string();
    let at = |p: &str| format!("/session/{id}{p}");

    webdriver(&base, "POST", &at("/url"), Some(json!({"url": booth.link})));
    // The page opens the file, then shows it and the button.
    let mut save = Value::Null;
    let ready = wait_until(Duration::from_secs(20), || {
        save = webdriver(
            &base,
            "POST",
            &at("/element"),
            Some(json!({"using": "css selector", "value": "#done:not(.hidden) #save"})),
        );
        save["value"].is_object() && !save["value"].get("error").is_some_and(Value::is_string)
    });
    let status = webdriver(
        &base,
        "POST",
        &at("/execute/sync"),
        Some(json!({"script": "return document.getElementById('status').textContent", "args": []})),
    );
    assert!(ready, "the page never showed the photo: {status}");
    // The key has left the address bar.
    let shown = webdriver(&base, "GET", &at("/url"), None);
    let shown = shown["value"].as_str().unwrap_or_default().to_string();
    assert!(
        !shown.contains('#'),
        "the key is still in the address: {shown}"
    );
    let element = save["value"]
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(Value::as_str)
        .expect("an element id")
        .to_string();
    webdriver(
        &base,
        "POST",
        &at(&format!("/element/{element}/click")),
        None,
    );
    let saved = downloads.join("photo.jpg");
    assert!(
        wait_until(Duration::from_secs(20), || saved.exists()
            && std::fs::read_dir(&downloads)
                .map(|d| d.count() == 1)
                .unwrap_or(false)),
        "no photo.jpg saved: {:?}",
        std::fs::read_dir(&downloads).map(|d| d.count())
    );
    let browser_file = std::fs::read(&saved).unwrap();
    webdriver(&base, "DELETE", &at(""), None);

    // The portal file, by the second fetch the link allows.
    let (code, file) = fetch_photo(&booth.link);
    assert_eq!(code, 200);
    assert_eq!(browser_file, file, "the saved photo is the portal file");
    assert_eq!(&file[..3], b"\xff\xd8\xff");

    // What crossed the air: the page, the sealed file twice, and nothing
    // of the photo, no JPEG marker, no key.
    drop(sniffer);
    let air = std::fs::read(&pcap).unwrap();
    let (page, key) = booth.link.split_once('#').unwrap();
    let token = page.rsplit('/').next().unwrap_or_default();
    let has = |needle: &[u8]| air.windows(needle.len()).any(|w| w == needle);
    assert!(
        has(format!("GET /p/{token}.bin").as_bytes()),
        "the capture holds the sealed file's request ({} bytes captured)",
        air.len()
    );
    assert!(!has(key.as_bytes()), "the key crossed the air");
    for marker in [&b"\xff\xd8\xff\xe0"[..], b"JFIF\0", b"\xff\xd8\xff\xdb"] {
        assert!(!has(marker), "a JPEG marker {marker:?} crossed the air");
    }
    let needles = distinctive(&file[600..], 48);
    assert!(needles.len() >= 16);
    let leaked = needles.iter().filter(|n| has(n)).count();
    assert_eq!(leaked, 0, "{leaked} pieces of the photo crossed the air");

    writeln!(booth.stdin, "quit").unwrap();
    wait_for(&booth.rx, "state=stopped", Duration::from_secs(30));
    let _ = booth.child.wait();
}
