//! A real IPP Everywhere printer for tests: `ippeveprinter` (Debian
//! cups-ipp-utils) on loopback, with its own private D-Bus (it needs a system
//! bus to start), a job script that records what each job received, and
//! every document it receives kept in a spool folder.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// What the printer's job script does.
pub enum Behaviour {
    /// Finish every job at once, recording its environment.
    Prints,
    /// Report media-empty and fail the job, as a printer with no paper does.
    OutOfPaper,
    /// Take this long over every job.
    Slow(u32),
}

pub struct TestPrinter {
    pub uri: String,
    dir: TempDir,
    dbus: Child,
    printer: Child,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{what} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl TestPrinter {
    /// Starts a printer with `media_ready` loaded that takes `formats`.
    pub fn start(behaviour: Behaviour, media_ready: &str, formats: &str) -> TestPrinter {
        Self::start_at(behaviour, media_ready, formats, free_port())
    }

    /// [`TestPrinter::start`] on a given loopback port (a printer that comes
    /// back where it was).
    pub fn start_at(
        behaviour: Behaviour,
        media_ready: &str,
        formats: &str,
        port: u16,
    ) -> TestPrinter {
        let dir = TempDir::new().expect("temp dir");
        let d = dir.path();
        let bus = d.join("bus");
        std::fs::write(
            d.join("dbus.conf"),
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path={}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/><allow user="*"/></policy></busconfig>"#,
                bus.display()
            ),
        )
        .expect("dbus config");
        let dbus = Command::new("dbus-daemon")
            .args(["--nofork", "--nopidfile", "--config-file"])
            .arg(d.join("dbus.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (install the dbus package)");
        wait_for("dbus-daemon", || bus.exists());

        let jobs = d.join("jobs");
        std::fs::create_dir_all(&jobs).expect("jobs dir");
        let script = match behaviour {
            Behaviour::Prints => format!(
                "#!/bin/sh\nenv | grep ^IPP_ > {}/job-$IPP_JOB_ID.env\nexit 0\n",
                jobs.display()
            ),
            Behaviour::OutOfPaper => {
                "#!/bin/sh\necho 'STATE: +media-empty' >&2\nexit 1\n".to_string()
            }
            Behaviour::Slow(s) => format!("#!/bin/sh\nsleep {s}\nexit 0\n"),
        };
        let script_path = d.join("job.sh");
        std::fs::write(&script_path, script).expect("job script");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script_path, std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        std::fs::write(
            d.join("attrs"),
            format!(
                "ATTR keyword media-supported na_index-4x6_4x6in,jpn_hagaki_100x148mm,om_dsc-photo_89x119mm,na_5x7_5x7in,iso_a6_105x148mm,iso_a4_210x297mm\n\
                 ATTR keyword media-ready {media_ready}\n\
                 ATTR mimeMediaType document-format-supported {formats}\n"
            ),
        )
        .expect("attrs");
        let spool = d.join("spool");
        std::fs::create_dir_all(&spool).expect("spool");
        // Its TLS certificate and key (self-signed, made on first use).
        std::fs::create_dir_all(d.join("keys")).expect("keys");
        let printer = Command::new("ippeveprinter")
            .env(
                "DBUS_SYSTEM_BUS_ADDRESS",
                format!("unix:path={}", bus.display()),
            )
            .args([
                "-r",
                "off",
                "-n",
                "localhost",
                "-p",
                &port.to_string(),
                "-k",
                "-K",
            ])
            .arg(d.join("keys"))
            .arg("-d")
            .arg(&spool)
            .arg("-c")
            .arg(&script_path)
            .arg("-a")
            .arg(d.join("attrs"))
            .arg("Test Booth Printer")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ippeveprinter (install cups-ipp-utils)");
        wait_for("ippeveprinter", || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        TestPrinter {
            uri: format!("ipp://localhost:{port}/ipp/print"),
            dir,
            dbus,
            printer,
        }
    }

    /// Documents the printer received, in order.
    pub fn received(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("spool"))
            .expect("spool")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e != "prn"))
            .collect();
        v.sort();
        v
    }

    /// The IPP_* environment the job script saw for `job`.
    pub fn job_env(&self, job: u32) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("jobs/job-{job}.env")))
            .unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The port it listens on (plain IPP and TLS alike).
    pub fn port(&self) -> u16 {
        self.uri
            .rsplit(':')
            .next()
            .and_then(|s| s.split('/').next())
            .and_then(|p| p.parse().ok())
            .expect("port in the URI")
    }

    /// Its self-signed certificate (PEM), made on the first TLS connection
    /// if it does not exist yet.
    pub fn certificate(&self) -> PathBuf {
        let cert = self.dir.path().join("keys/localhost.crt");
        if !cert.exists() {
            // Any TLS hello makes ippeveprinter create its credentials.
            let _ = passbooth::print::ipp::IppPrinter::new(&format!(
                "ipps://localhost:{}/ipp/print",
                self.port()
            ))
            .map(|p| p.status());
        }
        wait_for("the printer's certificate", || cert.exists());
        cert
    }
}

impl Drop for TestPrinter {
    fn drop(&mut self) {
        for child in [&mut self.printer, &mut self.dbus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
