//! A real IPP Everywhere printer for tests: `ippeveprinter` (Debian
//! cups-ipp-utils) on loopback, with its own private D-Bus (it needs a system
//! bus to start), a job script that records what each job received, and
//! every document it receives kept in a spool folder.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
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
    /// Print, and report the paper running low (`media-low`), as a
    /// printer near the end of its stack does.
    PrintsRunningLow,
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

/// The papers the test printer takes.
const MEDIA: [&str; 6] = [
    "na_index-4x6_4x6in",
    "jpn_hagaki_100x148mm",
    "om_dsc-photo_89x119mm",
    "na_5x7_5x7in",
    "iso_a6_105x148mm",
    "iso_a4_210x297mm",
];

/// ippeveprinter's attribute file: the papers (as keywords and as the
/// media-col values a CUPS IPP Everywhere queue builds its PPD from and
/// validates jobs against, borderless and with margins), what is loaded,
/// and the formats (PWG raster too, which CUPS needs for a PPD).
fn attributes(media_ready: &str, formats: &str) -> String {
    let sizes: Vec<(i32, i32)> = MEDIA
        .iter()
        .map(|m| {
            passbooth::print::media::Media::parse(m)
                .expect("media")
                .hundredths()
        })
        .collect();
    let size = |(x, y): (i32, i32)| {
        format!("{{ MEMBER integer x-dimension {x} MEMBER integer y-dimension {y} }}")
    };
    let col = |xy, tb: i32, lr: i32| {
        format!(
            "{{ MEMBER collection media-size {} MEMBER integer media-bottom-margin {tb} \
             MEMBER integer media-left-margin {lr} MEMBER integer media-right-margin {lr} \
             MEMBER integer media-top-margin {tb} }}",
            size(xy)
        )
    };
    let database: Vec<String> = sizes
        .iter()
        .flat_map(|&xy| [col(xy, 0, 0), col(xy, 1270, 635)])
        .collect();
    let ready = passbooth::print::media::Media::parse(media_ready)
        .map(|m| col(m.hundredths(), 0, 0))
        .unwrap_or_else(|_| database[0].clone());
    let mut a = vec![
        format!("ATTR keyword media-supported {}", MEDIA.join(",")),
        format!("ATTR keyword media-ready {media_ready}"),
        format!("ATTR keyword media-default {media_ready}"),
        format!(
            "ATTR collection media-size-supported {}",
            sizes.iter().map(|&xy| size(xy)).collect::<Vec<_>>().join(",")
        ),
        format!("ATTR collection media-col-database {}", database.join(",")),
        format!("ATTR collection media-col-ready {ready}"),
        format!("ATTR collection media-col-default {ready}"),
        "ATTR keyword media-col-supported media-size,media-bottom-margin,media-left-margin,media-right-margin,media-top-margin,media-source,media-type".into(),
        "ATTR integer media-bottom-margin-supported 0,1270".into(),
        "ATTR integer media-top-margin-supported 0,1270".into(),
        "ATTR integer media-left-margin-supported 0,635".into(),
        "ATTR integer media-right-margin-supported 0,635".into(),
        format!("ATTR mimeMediaType document-format-supported {formats},image/pwg-raster"),
        "ATTR resolution pwg-raster-document-resolution-supported 300dpi".into(),
        "ATTR keyword pwg-raster-document-type-supported srgb_8,sgray_8".into(),
        "ATTR keyword pwg-raster-document-sheet-back normal".into(),
        // A dye-sub's ribbon, a third used.
        "ATTR integer marker-levels 37".into(),
        "ATTR name marker-names Ribbon".into(),
        "ATTR keyword marker-types ink-ribbon".into(),
    ];
    a.push(String::new());
    a.join("\n")
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
            Behaviour::PrintsRunningLow => {
                "#!/bin/sh\necho 'STATE: +media-low' >&2\nexit 0\n".to_string()
            }
        };
        let script_path = d.join("job.sh");
        std::fs::write(&script_path, script).expect("job script");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script_path, std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        std::fs::write(d.join("attrs"), attributes(media_ready, formats)).expect("attrs");
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

    /// Switches the printer off (its port closes).
    pub fn switch_off(&mut self) {
        let _ = self.printer.kill();
        let _ = self.printer.wait();
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

/// How a test reaches the printer: straight to it, or through a queue of a
/// real cupsd (IPP Everywhere), as operators set booths up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// passbooth talks to the printer.
    Direct,
    /// passbooth talks to a CUPS queue, CUPS to the printer.
    Cups,
}

/// Both routes: every printing test runs once each way.
pub const ROUTES: [Route; 2] = [Route::Direct, Route::Cups];

/// A printer reached one way or the other.
pub struct Target {
    /// What passbooth prints to.
    pub uri: String,
    /// The printer itself.
    pub printer: TestPrinter,
    /// The CUPS server in between, if any (dropped after the printer).
    pub cups: Option<crate::cups::Cupsd>,
}

impl Target {
    /// Starts the printer and, for [`Route::Cups`], a cupsd with a queue
    /// "booth" in front of it.
    pub fn start(route: Route, behaviour: Behaviour, media_ready: &str, formats: &str) -> Target {
        let printer = TestPrinter::start(behaviour, media_ready, formats);
        match route {
            Route::Direct => Target {
                uri: printer.uri.clone(),
                printer,
                cups: None,
            },
            Route::Cups => {
                let cups = crate::cups::Cupsd::start();
                cups.add_queue("booth", &["-v", &printer.uri, "-m", "everywhere"]);
                Target {
                    uri: cups.queue_uri("booth"),
                    printer,
                    cups: Some(cups),
                }
            }
        }
    }

    /// Documents that reached the printer.
    pub fn received(&self) -> Vec<PathBuf> {
        self.printer.received()
    }

    /// What CUPS logged, for assertion messages (empty when direct).
    pub fn log(&self) -> String {
        self.cups.as_ref().map(|c| c.log()).unwrap_or_default()
    }
}
