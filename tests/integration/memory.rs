//! Peak memory of `compose` on a 12-megapixel JPEG, read from the kernel's
//! record of the child process (getrusage RUSAGE_CHILDREN: the largest peak
//! of any child this test binary waited for, so an upper bound).

use passbooth::compose::layout::Crop;
use passbooth::imaging::encode::write_file;
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
    // Reaped below with wait4, which also gives this child's own rusage.
    #[allow(clippy::zombie_processes)]
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_passbooth"))
        .args([
            "compose",
            input.to_str().unwrap(),
            "--spec",
            "us-passport",
            "-o",
            out.to_str().unwrap(),
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut json = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut json).unwrap();
    // This child's own peak (RUSAGE_CHILDREN would be the largest of every
    // child of this test binary, other tests' booths included).
    // SAFETY: wait4 on our own child, writing into the structs we pass.
    let peak_kb = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        let mut status = 0;
        assert_eq!(
            libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut u),
            child.id() as libc::pid_t
        );
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
        u.ru_maxrss as f64
    };
    let r: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(r["output"]["width_px"], 600, "{r}");
    let peak_mb = peak_kb / 1024.0;
    println!("peak RSS of compose on 4000x3000 JPEG: {peak_mb:.1} MB");
    assert!(peak_mb <= MAX_PEAK_RSS_MB, "{peak_mb} MB");
}
