//! The systemd unit as shipped: `systemd-analyze verify` finds nothing to
//! say, and `systemd-analyze security` scores its exposure at 2.0 or less.

use std::process::Command;

use tempfile::TempDir;

use crate::common::*;

/// The unit with ExecStart pointing at the binary under test (verify checks
/// that the program exists).
fn unit_here(dir: &TempDir) -> std::path::PathBuf {
    let text = std::fs::read_to_string(repo("systemd/passbooth.service")).unwrap();
    assert!(text.contains("ExecStart=/usr/bin/passbooth run"));
    let path = dir.path().join("passbooth.service");
    std::fs::write(
        &path,
        text.replace("/usr/bin/passbooth", env!("CARGO_BIN_EXE_passbooth")),
    )
    .unwrap();
    path
}

/// The unit with a drop-in (`systemd/NAME`) applied: its `[Service]`
/// lines appended to the unit's (the settings they add are lists, which a
/// drop-in extends the same way), which must be exactly `lines`.
fn unit_with(dir: &TempDir, name: &str, lines: &[&str]) -> std::path::PathBuf {
    let path = unit_here(dir);
    let unit = std::fs::read_to_string(&path).unwrap();
    let drop_in = std::fs::read_to_string(repo(&format!("systemd/{name}"))).unwrap();
    let added: Vec<&str> = drop_in
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty() && *l != "[Service]")
        .collect();
    assert_eq!(added, lines, "{name} adds only what it says");
    let merged = unit.replace("[Install]", &format!("{}\n\n[Install]", added.join("\n")));
    std::fs::write(&path, merged).unwrap();
    path
}

/// The phone hand-off's drop-in opens one subnet, nothing else.
fn unit_with_phone(dir: &TempDir) -> std::path::PathBuf {
    unit_with(dir, "phone.conf", &["IPAddressAllow=10.42.0.0/24"])
}

/// The metrics drop-in opens one folder for writing, nothing else.
fn unit_with_metrics(dir: &TempDir) -> std::path::PathBuf {
    unit_with(
        dir,
        "metrics.conf",
        &["ReadWritePaths=/var/lib/prometheus/node-exporter"],
    )
}

fn verify(unit: &std::path::Path) {
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(unit)
        .output()
        .expect("systemd-analyze (package systemd)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.trim(), "", "warnings");
}

#[test]
fn the_unit_verifies_without_a_word() {
    let dir = TempDir::new().unwrap();
    verify(&unit_here(&dir));
    let dir = TempDir::new().unwrap();
    verify(&unit_with_phone(&dir));
    let dir = TempDir::new().unwrap();
    verify(&unit_with_metrics(&dir));
}

/// The exposure score of `unit`.
fn exposure(unit: &std::path::Path) -> (f64, String, bool) {
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--threshold=20"])
        .arg(unit)
        .output()
        .expect("systemd-analyze (package systemd)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let score: f64 = text
        .lines()
        .find_map(|l| {
            l.split("Overall exposure level for passbooth.service: ")
                .nth(1)
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no score in {text}"));
    (score, text, out.status.success())
}

#[test]
fn with_the_phone_drop_in_the_exposure_stays_at_most_2() {
    let dir = TempDir::new().unwrap();
    let (score, text, _) = exposure(&unit_with_phone(&dir));
    println!("exposure with the phone drop-in {score}");
    assert!(score <= 2.0, "exposure {score}\n{text}");
}

#[test]
fn with_the_metrics_drop_in_the_exposure_stays_at_most_2() {
    let dir = TempDir::new().unwrap();
    let (score, text, _) = exposure(&unit_with_metrics(&dir));
    println!("exposure with the metrics drop-in {score}");
    assert!(score <= 2.0, "exposure {score}\n{text}");
}

#[test]
fn the_unit_exposure_is_at_most_2() {
    let dir = TempDir::new().unwrap();
    let (score, text, ok) = exposure(&unit_here(&dir));
    println!("exposure {score}");
    assert!(score <= 2.0, "exposure {score}\n{text}");
    assert!(ok, "over the threshold\n{text}");
    // What the booth relies on is really in the unit.
    let unit = std::fs::read_to_string(repo("systemd/passbooth.service")).unwrap();
    for line in [
        "Type=notify",
        "WatchdogSec=",
        "Restart=on-failure",
        "User=passbooth",
        "SupplementaryGroups=video gpio spi lp audio",
        "DeviceAllow=char-alsa rw",
        "DevicePolicy=closed",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "ReadOnlyPaths=/tmp /var/tmp",
        "InaccessiblePaths=/dev/shm",
        "NoNewPrivileges=yes",
        "MemoryDenyWriteExecute=yes",
        "IPAddressDeny=any",
        "IPAddressAllow=localhost",
        "LimitCORE=0",
        "LockPersonality=yes",
        "SystemCallFilter=@system-service",
    ] {
        assert!(unit.lines().any(|l| l.starts_with(line)), "{line}");
    }
    // The address families, exactly: local sockets (sd_notify, the button
    // socket), IP for the printer and the phone, netlink for the C library's
    // interface lookups; no raw packets, no Bluetooth, nothing else.
    let families: Vec<&str> = unit
        .lines()
        .filter_map(|l| l.strip_prefix("RestrictAddressFamilies="))
        .collect();
    assert_eq!(
        families,
        ["AF_UNIX AF_INET AF_INET6 AF_NETLINK"],
        "one RestrictAddressFamilies= line with exactly these"
    );
}

#[test]
fn litert_works_with_memory_deny_write_execute() {
    // qemu-user's code translator itself needs writable, executable memory.
    if emulated("MemoryDenyWriteExecute") {
        return;
    }
    // MemoryDenyWriteExecute=yes refuses memory that is (or becomes) both
    // writable and executable; the kernel's PR_SET_MDWE applies the same
    // rule to a process. compose runs every model under it.
    use std::os::unix::process::CommandExt;
    const PR_SET_MDWE: libc::c_int = 65;
    const PR_MDWE_REFUSE_EXEC_GAIN: libc::c_ulong = 1;
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("photo.jpg");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_passbooth"));
    cmd.args(["compose"])
        .arg(repo("tests/fixtures/astronaut.png"))
        .args(["--spec", "us-passport", "-o"])
        .arg(&out);
    // SAFETY: only a prctl between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let run = cmd
        .output()
        .expect("compose under MDWE (kernel 6.3 or newer)");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.exists());
}

/// In a mount namespace of its own: /dev/shm, /tmp and /var/tmp replaced by
/// empty read-only folders, except that the two folders given (the checkout
/// and the binary's) are put back, read-only, where they were; then the
/// command after them is run.
const CLOSE_TEMPORARY_FOLDERS: &str = r#"
repo=$1; bin=$2; shift 2
mount --make-rprivate /
mount -t tmpfs -o size=64k none /mnt
mkdir /mnt/repo /mnt/bin
mount --bind "$repo" /mnt/repo
mount --bind "$bin" /mnt/bin
for d in /dev/shm /tmp /var/tmp; do
  mount -t tmpfs -o size=64k none "$d"
  for kept in repo:"$repo" bin:"$bin"; do
    from=/mnt/${kept%%:*}; to=${kept#*:}
    case "$to/" in "$d"/*)
      mkdir -p "$to"
      mount --bind "$from" "$to"
      mount -o remount,bind,ro "$to";;
    esac
  done
  mount -o remount,ro "$d"
done
exec "$@"
"#;

/// What the unit closes (/dev/shm, /tmp, /var/tmp) the booth does not
/// need: a whole session runs with all three read-only and empty, in a
/// mount namespace of its own (there is no systemd here to start the unit
/// itself).
#[test]
fn a_session_runs_with_shm_and_the_temporary_folders_closed() {
    if emulated("mount namespaces for the booth") {
        return;
    }
    let dir = TempDir::new().unwrap();
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_passbooth"));
    let mut cmd = Command::new("unshare");
    cmd.args(["--mount", "sh", "-euc", CLOSE_TEMPORARY_FOLDERS, "close"])
        // The checkout and the binary stay readable wherever they are (a
        // clone in /tmp is a common place to try a project).
        .arg(repo(""))
        .arg(exe.parent().unwrap())
        .arg(exe)
        .args(["run", "--simulate"])
        .current_dir(dir.path());
    let (mut child, rx) = crate::simulate::spawn_command(cmd);
    let mut stdin = child.stdin.take().unwrap();
    let log = crate::simulate::person_session(&mut stdin, &rx);
    assert!(child.wait().unwrap().success(), "{log:?}");
    assert!(log.contains(&"state=printing".to_string()), "{log:?}");
}
