//! Fleet metrics: after a paid session at the simulated booth (coins typed
//! on its input), the metrics file passes Prometheus' own `promtool check
//! metrics`, says what happened, and holds nothing but the closed list of
//! names and label values. The printer's state comes from a real IPP
//! printer that reports its ribbon level and runs low on paper.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use passbooth::booth::metrics::{LABELS, METRICS};
use passbooth::checks::Reason;
use passbooth::print::health::REASONS;
use passbooth::print::problem::Problem;
use tempfile::TempDir;

use crate::common::*;
use crate::simulate::{spawn_command, to_review, wait_for};

/// Debian's node_exporter: on PATH, or unpacked by `scripts/dev setup`
/// (installing the package would start a server).
fn node_exporter() -> Option<PathBuf> {
    prometheus_tool(
        "prometheus-node-exporter",
        "node-exporter",
        "prometheus-node-exporter (scripts/dev setup unpacks it from Debian's package)",
    )
}

/// A Prometheus program: `name` on PATH, or in the cache folder `unpacked`
/// where `scripts/dev setup` unpacks its Debian package; a missing one is
/// a missing input (`why`).
fn prometheus_tool(name: &str, unpacked: &str, why: &str) -> Option<PathBuf> {
    let cached = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|c| {
            c.join("passbooth")
                .join(unpacked)
                .join("usr/bin")
                .join(name)
        });
    let found = [Some(PathBuf::from(name)), cached]
        .into_iter()
        .flatten()
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        missing_input(why);
    }
    found
}

/// What node_exporter's textfile collector serves from `folder`, scraped
/// over loopback. As root it runs as `nobody`, as the Debian package runs
/// it as a user of its own: it reads only what others may read.
fn scrape(exporter: &Path, folder: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let port = crate::residue::free_port();
    let mut cmd = if nix_is_root() {
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut c = Command::new("setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(exporter);
        c
    } else {
        Command::new(exporter)
    };
    cmd.arg("--collector.disable-defaults")
        .arg("--collector.textfile")
        .arg(format!(
            "--collector.textfile.directory={}",
            folder.display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut server = cmd.spawn().expect("node_exporter starts");
    let url = format!("http://127.0.0.1:{port}/metrics");
    let mut text = None;
    let end = std::time::Instant::now() + patience(Duration::from_secs(20));
    while text.is_none() && std::time::Instant::now() < end {
        // Waiting on the server's own answer: it listens when it is ready.
        match ureq::get(&url).call() {
            Ok(mut r) => text = r.body_mut().read_to_string().ok(),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    text.expect("node_exporter answered")
}

fn nix_is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Prometheus' checker: on PATH, or unpacked by `scripts/dev setup`.
fn promtool() -> Option<PathBuf> {
    prometheus_tool(
        "promtool",
        "promtool",
        "promtool (scripts/dev setup unpacks it from Debian's prometheus)",
    )
}

/// Every series line's name and labels, checked against the closed lists.
fn check_closed(text: &str) -> BTreeSet<String> {
    let names: BTreeSet<&str> = METRICS.iter().map(|m| m.0).collect();
    let mut seen = BTreeSet::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (series, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
        let (name, labels) = match series.split_once('{') {
            Some((n, l)) => (n, Some(l.trim_end_matches('}'))),
            None => (series, None),
        };
        assert!(names.contains(name), "{name} is not in the list");
        seen.insert(name.to_string());
        let Some(labels) = labels else {
            assert!(!LABELS.iter().any(|l| l.0 == name), "{line}: label missing");
            continue;
        };
        let (key, val) = labels.split_once('=').unwrap();
        let val = val.trim_matches('"');
        let want = LABELS.iter().find(|l| l.0 == name).map(|l| l.1);
        assert_eq!(Some(key), want, "{line}");
        let closed = match (name, key) {
            ("passbooth_rejections_total", _) => {
                Reason::ALL.iter().any(|r| r.code() == val) || val == "no_photo"
            }
            ("passbooth_printer_errors_total", _) => Problem::CODES.contains(&val),
            ("passbooth_printer_state", _) => {
                ["idle", "processing", "stopped", "unknown"].contains(&val)
            }
            ("passbooth_printer_state_reason", _) => REASONS.contains(&val),
            ("passbooth_printer_supply_percent", _) => val.parse::<u8>().is_ok(),
            _ => false,
        };
        assert!(closed, "{line}: '{val}' is not a value the list allows");
    }
    seen
}

fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

fn config(dir: &Path, printer: &str, metrics: &Path) -> PathBuf {
    let path = dir.join("booth.toml");
    std::fs::write(
        &path,
        format!(
            "spec = \"us-passport\"\n[printer]\n{printer}\nmedia = \"4x6\"\n\
             [payment]\nprice = \"6.00\"\ncurrency = \"EUR\"\nline = 23\nunit = \"2.00\"\n\
             till = \"{}\"\n[metrics]\nfile = \"{}\"\n",
            dir.join("till.json").display(),
            metrics.display()
        ),
    )
    .unwrap();
    path
}

#[test]
fn after_a_paid_session_the_metrics_file_passes_promtool_and_holds_only_its_list() {
    let Some(promtool) = promtool() else {
        return;
    };
    let p = crate::printer::TestPrinter::start(
        crate::printer::Behaviour::PrintsRunningLow,
        "na_index-4x6_4x6in",
        "image/jpeg",
    );
    let dir = TempDir::new().unwrap();
    let metrics = dir.path().join("passbooth.prom");
    let cfg = config(dir.path(), &format!("uri = \"{}\"", p.uri), &metrics);
    // The unit's umask: files the booth makes are its own alone, unless
    // it says otherwise (the metrics file must be readable by others).
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_passbooth"));
    cmd.args(["run", "--simulate", "--config", cfg.to_str().unwrap()])
        .current_dir(dir.path());
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: umask is async-signal-safe, as pre_exec requires.
        unsafe {
            cmd.pre_exec(|| {
                libc::umask(0o077);
                Ok(())
            });
        }
    }
    let (mut child, rx) = spawn_command(cmd);
    let mut stdin = child.stdin.take().unwrap();
    let mut log = to_review(&mut stdin, &rx);
    writeln!(stdin, "press").unwrap();
    log.extend(wait_for(&rx, "state=payment", Duration::from_secs(10)));
    // Three 2-euro coins (one pulse each).
    for _ in 0..3 {
        writeln!(stdin, "coin").unwrap();
    }
    log.extend(wait_for(&rx, "state=done", Duration::from_secs(30)));
    // The printer is asked about itself as the sheet is out; the file
    // follows within a few turns.
    let low = "passbooth_printer_state_reason{reason=\"media-low\"} 1";
    let end = std::time::Instant::now() + patience(Duration::from_secs(5));
    while !std::fs::read_to_string(&metrics).is_ok_and(|t| t.contains(low))
        && std::time::Instant::now() < end
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    writeln!(stdin, "quit").unwrap();
    log.extend(wait_for(&rx, "state=stopped", Duration::from_secs(10)));
    assert!(child.wait().unwrap().success(), "{log:?}");
    let text = std::fs::read_to_string(&metrics).unwrap();
    let check = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(std::fs::File::open(&metrics).unwrap())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "promtool: {}{}\n{text}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let seen = check_closed(&text);
    assert!(seen.contains("passbooth_printer_supply_percent"), "{text}");
    assert_eq!(value(&text, "passbooth_prints_total"), Some(1.0), "{text}");
    assert_eq!(value(&text, "passbooth_coins_total"), Some(3.0));
    assert_eq!(value(&text, "passbooth_paid_cents_total"), Some(600.0));
    assert_eq!(value(&text, "passbooth_credit_cents"), Some(0.0));
    assert_eq!(value(&text, "passbooth_printer_up"), Some(1.0));
    assert_eq!(value(&text, "passbooth_printer_paper_loaded"), Some(1.0));
    assert_eq!(
        value(&text, "passbooth_printer_supply_percent{supply=\"0\"}"),
        Some(37.0)
    );
    // The paper ran low printing the sheet: seen before it runs out.
    assert_eq!(
        value(
            &text,
            "passbooth_printer_state_reason{reason=\"media-low\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert!(!dir.path().join("passbooth.prom.tmp").exists());
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&metrics).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o644,
            "node_exporter runs as its own user and must read it"
        );
    }
    // Debian's node_exporter serves it, as Prometheus parses it.
    if let Some(exporter) = node_exporter() {
        let served = scrape(&exporter, dir.path());
        assert_eq!(
            value(&served, "passbooth_prints_total"),
            Some(1.0),
            "{served}"
        );
        assert_eq!(value(&served, "passbooth_paid_cents_total"), Some(600.0));
        assert_eq!(
            value(&served, "node_textfile_scrape_error"),
            Some(0.0),
            "{served}"
        );
    }
    // doctor says the same to the operator.
    let out = passbooth(&["doctor", "--config", cfg.to_str().unwrap()]);
    let report = String::from_utf8_lossy(&out.stdout);
    let supplies = report
        .lines()
        .find(|l| l.contains("supplies"))
        .unwrap_or_default();
    assert!(
        supplies.starts_with("warn supplies")
            && supplies.contains("Ribbon 37 %")
            && supplies.contains("media-low"),
        "{report}"
    );
}

#[test]
fn the_list_check_catches_a_name_or_label_off_the_list() {
    let good = "passbooth_prints_total 3\npassbooth_rejections_total{reason=\"glasses\"} 1\n";
    check_closed(good);
    for bad in [
        "passbooth_customer_name 1\n",
        "passbooth_rejections_total{reason=\"alice\"} 1\n",
        "passbooth_rejections_total{person=\"glasses\"} 1\n",
    ] {
        let caught = std::panic::catch_unwind(|| check_closed(bad)).is_err();
        assert!(caught, "{bad}");
    }
}
