//! Peak memory of `compose` on a 12-megapixel JPEG, read from the kernel's
//! record of the child process (getrusage RUSAGE_CHILDREN: the largest peak
//! of any child this test binary waited for, so an upper bound).

use passbooth::imaging::encode::write_file;
use passbooth::imaging::warp::Crop;
use passbooth::vision::Point;
use tempfile::TempDir;

use crate::common::*;

/// The brief's budget for composing a 12 MP photo.
const MAX_PEAK_RSS_MB: f64 = 250.0;

#[test]
fn composing_a_12_megapixel_jpeg_stays_under_250_mb() {
    if emulated("peak memory") {
        return;
    }
    let dir = TempDir::new().unwrap();
    let src = astronaut();
    let crop = Crop {
        center: Point::new(256.0, 256.0),
        width: 682.7,
        height: 512.0,
        angle: 0.0,
    };
    let big = resample(&src, crop, 4000, 3000);
    let input = dir.path().join("12mp.jpg");
    write_file(&big, &input, 300).unwrap();
    drop(big);
    let out = dir.path().join("out.jpg");
    // A process started by this (large) test binary inherits its RSS
    // high-water mark at exec, so neither RUSAGE_CHILDREN nor wait4 here
    // measure compose alone. A small Python parent forks and execs it and
    // reports the child's own peak.
    const MEASURE: &str = "import os, sys\n\
pid = os.fork()\n\
if pid == 0:\n    os.execv(sys.argv[1], sys.argv[1:])\n\
_, status, usage = os.wait4(pid, 0)\n\
sys.stderr.write('maxrss_kb %d\\n' % usage.ru_maxrss)\n\
sys.exit(os.waitstatus_to_exitcode(status))\n";
    let run = std::process::Command::new("python3")
        .args(["-c", MEASURE, env!("CARGO_BIN_EXE_passbooth")])
        .args([
            "compose",
            input.to_str().unwrap(),
            "--spec",
            "us-passport",
            "-o",
            out.to_str().unwrap(),
            "--json",
        ])
        .output()
        .expect("python3");
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    let peak_kb: f64 = err
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kb "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak in {err}"));
    let json = String::from_utf8_lossy(&run.stdout).to_string();
    let r: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(r["output"]["width_px"], 600, "{r}");
    let peak_mb = peak_kb / 1024.0;
    println!("peak RSS of compose on 4000x3000 JPEG: {peak_mb:.1} MB");
    assert!(peak_mb <= MAX_PEAK_RSS_MB, "{peak_mb} MB");
}
