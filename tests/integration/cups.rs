//! A real CUPS 2.4 server for the printing tests: started by the test with
//! its own config, spool and loopback port (no system service), with the
//! cupsd.conf settings the README gives operators, read from the README
//! itself. Queues: IPP Everywhere in front of an ippeveprinter, and a
//! Gutenprint driver queue (Canon SELPHY) whose output a file device keeps.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::common::*;
use crate::printer::{Behaviour, Route, Target, TestPrinter};

/// A private cupsd.
pub struct Cupsd {
    dir: TempDir,
    port: u16,
    child: Child,
}

/// The cupsd.conf lines the README tells operators to add (the block after
/// "### CUPS without spool files").
pub fn readme_settings() -> String {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let section = readme
        .split("### CUPS without spool files")
        .nth(1)
        .expect("the README's CUPS section");
    section
        .split("```")
        .nth(1)
        .expect("a cupsd.conf block in it")
        .trim()
        .to_string()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Cupsd {
    /// Starts cupsd in the foreground with everything under a new folder.
    pub fn start() -> Cupsd {
        let dir = TempDir::new().unwrap();
        let d = dir.path();
        // Filters and backends run as lp: the folders must be reachable.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        for sub in ["spool/tmp", "cache", "state", "log", "ppd", "out"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        // The file device's output folder, writable by lp.
        std::fs::set_permissions(d.join("out"), std::fs::Permissions::from_mode(0o777)).unwrap();
        let port = free_port();
        std::fs::write(
            d.join("cups-files.conf"),
            format!(
                "SystemGroup root\nUser lp\nGroup lp\nServerRoot {r}\nRequestRoot {r}/spool\n\
                 TempDir {r}/spool/tmp\nCacheDir {r}/cache\nStateDir {r}/state\n\
                 AccessLog {r}/log/access_log\nErrorLog {r}/log/error_log\nPageLog {r}/log/page_log\n\
                 FileDevice Yes\n",
                r = d.display()
            ),
        )
        .unwrap();
        let base = std::fs::read_to_string("/usr/share/cups/cupsd.conf.default")
            .or_else(|_| std::fs::read_to_string("/etc/cups/cupsd.conf"))
            .expect("cupsd.conf (install the cups-daemon package)");
        let conf: String = base
            .lines()
            .filter(|l| {
                !l.starts_with("Listen ")
                    && !l.starts_with("Port ")
                    && !l.starts_with("Browsing")
                    && !l.starts_with("IdleExitTimeout")
                    && !l.starts_with("LogLevel")
            })
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(
            d.join("cupsd.conf"),
            format!(
                "Listen 127.0.0.1:{port}\nListen {}/cups.sock\nBrowsing No\nLogLevel debug\n{conf}\n{}\n",
                d.display(),
                readme_settings()
            ),
        )
        .unwrap();
        let child = Command::new("cupsd")
            .args(["-f", "-c"])
            .arg(d.join("cupsd.conf"))
            .arg("-s")
            .arg(d.join("cups-files.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cupsd (install the cups-daemon package)");
        let end = Instant::now() + patience(Duration::from_secs(20));
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < end,
                "cupsd did not start: {}",
                Self::log_of(d)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Cupsd { dir, port, child }
    }

    fn log_of(d: &Path) -> String {
        std::fs::read_to_string(d.join("log/error_log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.starts_with("D "))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Runs a CUPS admin command against this server.
    pub fn admin(&self, program: &str, args: &[&str]) -> std::process::Output {
        Command::new(program)
            .env("CUPS_SERVER", self.dir.path().join("cups.sock"))
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e} (install cups-client)"))
    }

    /// The queue's IPP URI.
    pub fn queue_uri(&self, name: &str) -> String {
        format!("ipp://localhost:{}/printers/{name}", self.port)
    }

    /// Adds queue `name` with `lpadmin ARGS`, and insists on its PPD: lpadmin
    /// exits 0 even when it could not build one (the queue is then raw and
    /// drops media-col).
    pub fn add_queue(&self, name: &str, args: &[&str]) {
        let mut all = vec!["-p", name, "-E"];
        all.extend_from_slice(args);
        let out = self.admin("lpadmin", &all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ppd = self.dir.path().join(format!("ppd/{name}.ppd"));
        let end = Instant::now() + patience(Duration::from_secs(20));
        while !ppd.exists() {
            assert!(
                Instant::now() < end,
                "no PPD for {name}: {}",
                Self::log_of(self.dir.path())
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every file in the spool folder (documents are `d<job>-<n>`).
    pub fn spool_documents(&self) -> Vec<PathBuf> {
        files_in(&self.dir.path().join("spool"))
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('d'))
            })
            .collect()
    }

    /// The folder a file device writes into.
    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// The server's log (without debug lines), for assertion messages.
    pub fn log(&self) -> String {
        Self::log_of(self.dir.path())
    }
}

impl Drop for Cupsd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_readme_settings_are_the_ones_tested() {
    let s = readme_settings();
    for line in ["PreserveJobFiles No", "MaxJobs"] {
        assert!(s.lines().any(|l| l.starts_with(line)), "{line} in {s}");
    }
}

#[test]
fn a_private_cupsd_takes_an_everywhere_queue_in_front_of_ippeveprinter() {
    let q = queue(Behaviour::Prints);
    let cups = q.cups.as_ref().unwrap();
    let out = cups.admin("lpstat", &["-p", "booth"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("printer booth is idle"),
        "{text}\n{}",
        q.log()
    );
}

/// A 4x6 sheet file of the fixture, made by passbooth.
fn sheet(dir: &Path) -> PathBuf {
    composed(dir, "sheet.jpg", &["--sheet", "4x6"])
}

fn print(file: &Path, uri: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["print", file.to_str().unwrap(), "--printer", uri];
    args.extend_from_slice(extra);
    let run = passbooth(&args);
    (
        run.status.code(),
        String::from_utf8_lossy(&run.stderr).to_string(),
    )
}

/// An ippeveprinter with 4x6 paper behind an IPP Everywhere queue.
fn queue(behaviour: Behaviour) -> Target {
    Target::start(Route::Cups, behaviour, "na_index-4x6_4x6in", "image/jpeg")
}

/// No document of any job in the queue's spool.
fn assert_spool_empty(cups: &Cupsd) {
    let left = cups.spool_documents();
    assert!(left.is_empty(), "documents left in the spool: {left:?}");
}

fn jobs_left(cups: &Cupsd) -> String {
    String::from_utf8_lossy(&cups.admin("lpstat", &["-o"]).stdout).to_string()
}

#[test]
fn good_jobs_through_a_cups_without_history_report_printed() {
    let q = queue(Behaviour::Prints);
    let dir = TempDir::new().unwrap();
    let file = sheet(dir.path());
    for n in 1..=3 {
        let (code, err) = print(&file, &q.uri, &["--media", "4x6"]);
        assert_eq!(code, Some(0), "job {n}: {err}\n{}", q.log());
        assert_eq!(q.received().len(), n);
    }
    let cups = q.cups.as_ref().unwrap();
    assert_spool_empty(cups);
}

#[test]
fn a_timed_out_job_is_really_canceled_and_leaves_nothing_in_the_spool() {
    let q = queue(Behaviour::Slow(30));
    let dir = TempDir::new().unwrap();
    let (code, err) = print(
        &sheet(dir.path()),
        &q.uri,
        &["--media", "4x6", "--timeout", "2"],
    );
    assert_eq!(code, Some(4), "{err}");
    assert!(
        err.contains("[timeout]") && !err.contains("could not be canceled"),
        "{err}"
    );
    let cups = q.cups.as_ref().unwrap();
    assert_eq!(jobs_left(cups), "", "the queue is empty");
    assert_spool_empty(cups);
}

#[test]
fn a_queue_whose_printer_is_off_is_offline_soon_and_never_prints_later() {
    let mut q = queue(Behaviour::Prints);
    let port = q.printer.port();
    q.printer.switch_off();
    let dir = TempDir::new().unwrap();
    // Offline, not the job's time-out (that ends as [timeout], after 120 s).
    let (code, err) = print(&sheet(dir.path()), &q.uri, &["--media", "4x6"]);
    assert_eq!(code, Some(4), "{err}");
    assert!(err.contains("[printer_offline]"), "{err}");
    let cups = q.cups.as_ref().unwrap();
    assert_eq!(jobs_left(cups), "");
    assert!(cups.spool_documents().is_empty());
    // The printer comes back: the canceled sheet does not come out for the
    // next customer: the next job through the queue is the only one the
    // printer gets (a job still held would go first).
    let back = TestPrinter::start_at(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg", port);
    let (code, err) = print(&sheet(dir.path()), &q.uri, &["--media", "4x6"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(back.received().len(), 1, "{:?}", back.received());
}

#[test]
fn out_of_paper_through_cups_is_said_and_clears_when_paper_is_loaded() {
    let mut q = queue(Behaviour::OutOfPaper);
    let dir = TempDir::new().unwrap();
    let file = sheet(dir.path());
    let (code, err) = print(&file, &q.uri, &["--media", "4x6"]);
    assert_eq!(code, Some(4), "{err}");
    assert!(err.contains("[out_of_paper]"), "{err}");
    // Paper goes in: the printer is fine again, while the queue still holds
    // the reason it relayed during the last job.
    let port = q.printer.port();
    q.printer.switch_off();
    let fine = TestPrinter::start_at(Behaviour::Prints, "na_index-4x6_4x6in", "image/jpeg", port);
    let queue = passbooth::print::ipp::IppPrinter::new(&q.uri)
        .unwrap()
        .status()
        .unwrap();
    assert!(
        queue.reasons.iter().any(|r| r.starts_with("media-empty")),
        "{:?}",
        queue.reasons
    );
    let (code, err) = print(&file, &q.uri, &["--media", "4x6"]);
    assert_eq!(
        code,
        Some(0),
        "a stale out-of-paper is not trusted: {err}\n{}",
        q.log()
    );
    assert_eq!(fine.received().len(), 1);
}

#[test]
fn print_through_cups_takes_the_configs_paper() {
    let q = queue(Behaviour::Prints);
    let dir = TempDir::new().unwrap();
    let config = repo("config/simulate.toml");
    let (code, err) = print(
        &sheet(dir.path()),
        &q.uri,
        &["--config", config.to_str().unwrap()],
    );
    assert_eq!(code, Some(0), "{err}");
    let env = q.printer.job_env(1);
    assert!(env.contains("x-dimension=10160 y-dimension=15240"), "{env}");
}

#[test]
fn a_missing_or_rejecting_queue_is_said_in_plain_words() {
    let q = queue(Behaviour::Prints);
    let cups = q.cups.as_ref().unwrap();
    let dir = TempDir::new().unwrap();
    let file = sheet(dir.path());
    let missing = q.uri.replace("/printers/booth", "/printers/nosuch");
    let (code, first) = print(&file, &missing, &["--media", "4x6"]);
    assert_eq!(code, Some(4), "{first}");
    assert!(
        first.contains("no printer or queue at that address"),
        "{first}"
    );
    assert!(cups.admin("cupsreject", &["booth"]).status.success());
    let (code, err) = print(&file, &q.uri, &["--media", "4x6"]);
    assert_eq!(code, Some(4), "{err}");
    assert!(err.contains("not accepting jobs"), "{err}");
    for e in [&first, &err] {
        assert!(
            !e.contains("ClientError") && !e.contains("ServerError"),
            "{e}"
        );
    }
}

#[test]
fn doctor_looks_past_an_idle_queue_to_its_printer() {
    let mut q = queue(Behaviour::Prints);
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("booth.toml");
    std::fs::write(
        &config,
        format!(
            "spec = \"us-passport\"\n\n[printer]\nuri = {:?}\nmedia = \"4x6\"\n",
            q.uri
        ),
    )
    .unwrap();
    let doctor = || {
        let out = passbooth(&["doctor", "--config", config.to_str().unwrap()]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find(|l| l.contains("printer"))
            .unwrap_or("")
            .to_string()
    };
    assert!(doctor().starts_with("ok   printer"), "{}", doctor());
    q.printer.switch_off();
    let line = doctor();
    assert!(
        line.starts_with("FAIL printer") && line.contains("[printer_offline]"),
        "{line}"
    );
}

/// Canon SELPHY CP910 through Gutenprint: the queue names its papers by
/// their printed size with overspray (custom_105.66x158.5mm for a postcard).
const SELPHY_POSTCARD: &str = "custom_105.66x158.5mm_105.66x158.5mm";

#[test]
fn a_selphy_driver_queue_prints_a_sheet_and_keeps_nothing() {
    let cups = Cupsd::start();
    let out = cups.out().join("selphy.prn");
    cups.add_queue(
        "selphy",
        &[
            "-v",
            &format!("file://{}", out.display()),
            "-m",
            "gutenprint.5.3://canon-cp910/expert",
        ],
    );
    let uri = cups.queue_uri("selphy");
    let dir = TempDir::new().unwrap();
    let photo = composed(dir.path(), "photo.jpg", &[]);
    // The overspray is cut off: photos stay 6 mm inside the printed area.
    let (code, err) = print(&photo, &uri, &["--media", SELPHY_POSTCARD, "--margin", "6"]);
    assert_eq!(code, Some(0), "{err}\n{}", cups.log());
    // What the driver sends to the printer: a full-page colour raster.
    let sent = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    assert!(sent > 1 << 20, "{sent} bytes from the driver");
    assert_spool_empty(&cups);
    // A paper the driver does not name is refused before anything is sent,
    // with the papers it does name.
    std::fs::remove_file(&out).unwrap();
    let (code, err) = print(&photo, &uri, &["--media", "postcard"]);
    assert_eq!(code, Some(4), "{err}");
    assert!(
        err.contains("[media_not_supported]") && err.contains(SELPHY_POSTCARD),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn a_job_canceled_at_the_queue_is_said_and_leaves_nothing_in_the_spool() {
    let q = queue(Behaviour::Slow(30));
    let cups = q.cups.as_ref().unwrap();
    let dir = TempDir::new().unwrap();
    let file = sheet(dir.path());
    let child = Command::new(env!("CARGO_BIN_EXE_passbooth"))
        .args([
            "print",
            file.to_str().unwrap(),
            "--printer",
            &q.uri,
            "--media",
            "4x6",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let end = Instant::now() + patience(Duration::from_secs(20));
    while jobs_left(cups).is_empty() {
        assert!(Instant::now() < end, "the job never reached the queue");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Staff cancel it (as CUPS's admin).
    assert!(cups.admin("cancel", &["-a", "booth"]).status.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("[job_canceled]"), "{err}\n{}", q.log());
    assert_eq!(jobs_left(cups), "");
    assert_spool_empty(cups);
}
