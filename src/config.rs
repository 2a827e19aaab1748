//! The booth's one config file (`/etc/passbooth/passbooth.toml`), parsed and
//! validated once at start into a typed [`Config`]; an operator's typo is an
//! error naming the file and the field, before anyone steps in front.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::print::media::Media;
use crate::session::machine::Timing;
use crate::session::prompts::Language;
use crate::spec::SpecLibrary;

/// Default location of the config file.
pub const DEFAULT_PATH: &str = "/etc/passbooth/passbooth.toml";

/// A GPIO line on a character device.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpioLine {
    /// The chip, e.g. /dev/gpiochip0.
    #[serde(default = "default_chip")]
    pub chip: PathBuf,
    /// The line offset on that chip (BCM number on a Pi).
    pub line: u32,
}

fn default_chip() -> PathBuf {
    PathBuf::from("/dev/gpiochip0")
}

/// Panel controllers we drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Driver {
    /// Sitronix ST7789 (240x240, 240x320).
    St7789,
    /// Ilitek ILI9341 (240x320).
    Ili9341,
}

/// The screen.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplayConfig {
    /// Controller.
    pub driver: Driver,
    /// Width as mounted, px.
    pub width: u16,
    /// Height as mounted, px.
    pub height: u16,
    /// Rotation, degrees: 0, 90, 180 or 270.
    #[serde(default)]
    pub rotation: u16,
    /// SPI device.
    #[serde(default = "default_spi")]
    pub spi: PathBuf,
    /// SPI clock, Hz.
    #[serde(default = "default_spi_hz")]
    pub spi_hz: u32,
    /// Data/command line.
    pub dc: GpioLine,
    /// Reset line, if wired.
    pub reset: Option<GpioLine>,
    /// Backlight line, if wired.
    pub backlight: Option<GpioLine>,
}

fn default_spi() -> PathBuf {
    PathBuf::from("/dev/spidev0.0")
}

fn default_spi_hz() -> u32 {
    32_000_000
}

/// The big button.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ButtonConfig {
    /// Chip.
    #[serde(default = "default_chip")]
    pub chip: PathBuf,
    /// Line.
    pub line: u32,
    /// Pressed pulls the line low (a button to ground with a pull-up).
    #[serde(default = "yes")]
    pub active_low: bool,
    /// Debounce, ms.
    #[serde(default = "default_debounce")]
    pub debounce_ms: u64,
    /// Long press, ms.
    #[serde(default = "default_long")]
    pub long_press_ms: u64,
}

fn yes() -> bool {
    true
}
fn default_debounce() -> u64 {
    30
}
fn default_long() -> u64 {
    1000
}

/// The printer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterConfig {
    /// IPP URI: ipp://localhost:631/printers/NAME, ipp://HOST/ipp/print, or
    /// ipps://HOST/ipp/print (encrypted: use it for a printer on the network).
    pub uri: Option<String>,
    /// The certificate (PEM) an ipps:// printer must present, pinned (its own
    /// self-signed one); without it, public certificate authorities.
    pub certificate: Option<PathBuf>,
    /// A folder to write sheets to instead (simulation, testing).
    pub folder: Option<PathBuf>,
    /// Paper.
    pub media: String,
    /// Copies of each sheet.
    #[serde(default = "one")]
    pub copies: u32,
    /// Unprintable border, mm.
    #[serde(default)]
    pub margin_mm: f64,
}

fn one() -> u32 {
    1
}

/// The camera.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraConfig {
    /// libcamera camera id or model; the first camera if absent.
    pub name: Option<String>,
    /// Viewfinder size.
    #[serde(default = "default_viewfinder")]
    pub viewfinder: [u32; 2],
    /// Still size; the sensor's largest if absent.
    pub still: Option<[u32; 2]>,
}

fn default_viewfinder() -> [u32; 2] {
    [640, 480]
}

impl Default for CameraConfig {
    fn default() -> Self {
        Self {
            name: None,
            viewfinder: default_viewfinder(),
            still: None,
        }
    }
}

/// Session time limits, seconds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeoutConfig {
    /// Countdown.
    #[serde(default = "three")]
    pub countdown_s: u64,
    /// Review without a press.
    #[serde(default = "thirty")]
    pub review_s: u64,
    /// Whole session.
    #[serde(default = "three_hundred")]
    pub session_s: u64,
    /// Retakes per session.
    #[serde(default = "three_u32")]
    pub max_retakes: u32,
}

fn three() -> u64 {
    3
}
fn thirty() -> u64 {
    30
}
fn three_hundred() -> u64 {
    300
}
fn three_u32() -> u32 {
    3
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        Self {
            countdown_s: 3,
            review_s: 30,
            session_s: 300,
            max_retakes: 3,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    spec: String,
    #[serde(default = "english")]
    language: Language,
    printer: PrinterConfig,
    #[serde(default)]
    camera: CameraConfig,
    display: Option<DisplayConfig>,
    button: Option<ButtonConfig>,
    led: Option<GpioLine>,
    #[serde(default)]
    timeouts: TimeoutConfig,
    stats: Option<PathBuf>,
}

fn english() -> Language {
    Language::En
}

/// A validated config.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from.
    pub path: PathBuf,
    /// Spec id (known to exist).
    pub spec: String,
    /// Screen language.
    pub language: Language,
    /// Printer.
    pub printer: PrinterConfig,
    /// Paper, parsed.
    pub media: Media,
    /// Camera.
    pub camera: CameraConfig,
    /// Screen (required for the hardware booth).
    pub display: Option<DisplayConfig>,
    /// Button (required for the hardware booth).
    pub button: Option<ButtonConfig>,
    /// Ready LED.
    pub led: Option<GpioLine>,
    /// Session timing.
    pub timing: Timing,
    /// Where the counters are kept (`passbooth stats`); none if absent.
    pub stats: Option<PathBuf>,
}

/// Why a config file is unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Cannot read.
    #[error("cannot read config {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Not valid TOML for a config (syntax, unknown or missing field).
    #[error("config {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A value is impossible.
    #[error("config {path}: {field}: {problem}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Dotted field name.
        field: String,
        /// What is wrong.
        problem: String,
    },
}

impl Config {
    /// Reads and validates `path` against the spec library.
    pub fn load(path: &Path, specs: &SpecLibrary) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml(&text, path, specs)
    }

    /// Parses and validates config text; `path` is for messages.
    pub fn from_toml(text: &str, path: &Path, specs: &SpecLibrary) -> Result<Config, ConfigError> {
        let raw: ConfigFile = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().replace('\n', " "),
        })?;
        let bad = |field: &str, problem: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            field: field.into(),
            problem,
        };
        specs
            .get(&raw.spec)
            .map_err(|e| bad("spec", e.to_string()))?;
        let media =
            Media::parse(&raw.printer.media).map_err(|e| bad("printer.media", e.to_string()))?;
        match (&raw.printer.uri, &raw.printer.folder) {
            (Some(_), Some(_)) => {
                return Err(bad("printer", "give uri or folder, not both".into()));
            }
            (None, None) => {
                return Err(bad("printer", "give uri (an IPP printer) or folder".into()));
            }
            (Some(uri), None)
                if uri
                    .parse()
                    .ok()
                    .and_then(|u| crate::print::transport::http_url(&u))
                    .is_none() =>
            {
                return Err(bad(
                    "printer.uri",
                    format!("'{uri}' is not an ipp:// or ipps:// URI"),
                ));
            }
            _ => {}
        }
        // A pinned certificate must be one now, not at the first print.
        if let Some(cert) = &raw.printer.certificate {
            crate::print::transport::Trust::pinned_from_file(cert)
                .map_err(|e| bad("printer.certificate", e))?;
        }
        if !(1..=20).contains(&raw.printer.copies) {
            return Err(bad(
                "printer.copies",
                format!("{} is outside 1-20", raw.printer.copies),
            ));
        }
        if !(0.0..=10.0).contains(&raw.printer.margin_mm) {
            return Err(bad(
                "printer.margin_mm",
                format!("{} is outside 0-10", raw.printer.margin_mm),
            ));
        }
        let [vw, vh] = raw.camera.viewfinder;
        if !(160..=1920).contains(&vw) || !(120..=1080).contains(&vh) {
            return Err(bad(
                "camera.viewfinder",
                format!("{vw}x{vh} is not a viewfinder size"),
            ));
        }
        let mut lines: Vec<(&str, &GpioLine)> = Vec::new();
        if let Some(d) = &raw.display {
            let sizes: &[(u16, u16)] = match d.driver {
                Driver::St7789 => &[(240, 240), (240, 320), (320, 240)],
                Driver::Ili9341 => &[(240, 320), (320, 240)],
            };
            if !sizes.contains(&(d.width, d.height)) {
                return Err(bad(
                    "display.width",
                    format!(
                        "{}x{} is not a size of a {:?} panel ({sizes:?})",
                        d.width, d.height, d.driver
                    ),
                ));
            }
            if ![0, 90, 180, 270].contains(&d.rotation) {
                return Err(bad(
                    "display.rotation",
                    format!("{} is not 0, 90, 180 or 270", d.rotation),
                ));
            }
            if !(1_000_000..=100_000_000).contains(&d.spi_hz) {
                return Err(bad(
                    "display.spi_hz",
                    format!("{} Hz is outside 1-100 MHz", d.spi_hz),
                ));
            }
            lines.push(("display.dc", &d.dc));
            if let Some(r) = &d.reset {
                lines.push(("display.reset", r));
            }
            if let Some(b) = &d.backlight {
                lines.push(("display.backlight", b));
            }
        }
        if let Some(b) = &raw.button {
            if !(5..=200).contains(&b.debounce_ms) {
                return Err(bad(
                    "button.debounce_ms",
                    format!("{} is outside 5-200", b.debounce_ms),
                ));
            }
            if !(300..=5000).contains(&b.long_press_ms) {
                return Err(bad(
                    "button.long_press_ms",
                    format!("{} is outside 300-5000", b.long_press_ms),
                ));
            }
        }
        let button_line = raw.button.as_ref().map(|b| GpioLine {
            chip: b.chip.clone(),
            line: b.line,
        });
        if let Some(b) = &button_line {
            lines.push(("button.line", b));
        }
        if let Some(l) = &raw.led {
            lines.push(("led.line", l));
        }
        for (i, (name, a)) in lines.iter().enumerate() {
            if let Some((other, _)) = lines[..i].iter().find(|(_, b)| b == a) {
                return Err(bad(
                    name,
                    format!("line {} on {} is already {other}", a.line, a.chip.display()),
                ));
            }
        }
        let t = &raw.timeouts;
        if !(1..=10).contains(&t.countdown_s)
            || !(5..=600).contains(&t.review_s)
            || !(30..=3600).contains(&t.session_s)
            || t.max_retakes > 10
        {
            return Err(bad(
                "timeouts",
                "countdown 1-10 s, review 5-600 s, session 30-3600 s, retakes 0-10".into(),
            ));
        }
        let timing = Timing {
            countdown_ms: t.countdown_s * 1000,
            review_ms: t.review_s * 1000,
            session_ms: t.session_s * 1000,
            max_retakes: t.max_retakes,
            ..Timing::default()
        };
        Ok(Config {
            path: path.to_path_buf(),
            spec: raw.spec,
            language: raw.language,
            printer: raw.printer,
            media,
            camera: raw.camera,
            display: raw.display,
            button: raw.button,
            led: raw.led,
            timing,
            stats: raw.stats,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> SpecLibrary {
        SpecLibrary::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")).unwrap()
    }

    fn example(name: &str) -> String {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("config")
                .join(name),
        )
        .unwrap()
    }

    fn err(text: &str) -> String {
        Config::from_toml(text, Path::new("/etc/passbooth/passbooth.toml"), &specs())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn every_example_config_is_valid() {
        for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("config")).unwrap() {
            let p = e.unwrap().path();
            let c = Config::load(&p, &specs()).unwrap_or_else(|e| panic!("{e}"));
            assert!(c.timing.countdown_ms >= 1000, "{}", p.display());
        }
    }

    #[test]
    fn an_ipps_printer_with_a_pinned_certificate_is_accepted() {
        let dir = tempfile::TempDir::new().unwrap();
        let pem = dir.path().join("printer.pem");
        // A self-signed certificate, PEM, as a printer hands out.
        std::fs::write(&pem, TEST_CERT).unwrap();
        let text = example("st7789-240x320.toml").replace(
            "uri = \"ipp://localhost:631/printers/selphy\"",
            &format!(
                "uri = \"ipps://localhost/ipp/print\"\ncertificate = {:?}",
                pem
            ),
        );
        let c =
            Config::from_toml(&text, Path::new("/etc/passbooth/passbooth.toml"), &specs()).unwrap();
        assert_eq!(c.printer.certificate.as_deref(), Some(pem.as_path()));
    }

    /// ippeveprinter's kind of certificate (CN and SAN localhost).
    const TEST_CERT: &str = "-----BEGIN CERTIFICATE-----
MIID3DCCAsSgAwIBAgIEaw0WMzANBgkqhkiG9w0BAQsFADBrMQswCQYDVQQGEwJV
UzESMBAGA1UEAxMJbG9jYWxob3N0MRIwEAYDVQQKEwlsb2NhbGhvc3QxEDAOBgNV
BAsTB1Vua25vd24xEDAOBgNVBAgTB1Vua25vd24xEDAOBgNVBAcTB1Vua25vd24w
HhcNMjYxMTMwMDYyMjQzWhcNMzYxMTI3MDYyMjQzWjBrMQswCQYDVQQGEwJVUzES
MBAGA1UEAxMJbG9jYWxob3N0MRIwEAYDVQQKEwlsb2NhbGhvc3QxEDAOBgNVBAsT
B1Vua25vd24xEDAOBgNVBAgTB1Vua25vd24xEDAOBgNVBAcTB1Vua25vd24wggEi
MA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQC8z4jyzFf3ylMLOkGfPyhMiqFz
5So12pbDopn66WeN8XlM/etQiYYfWspGyk4/j2ysL7aHzKlxY3vOFduIN50Wjo9+
Vi120WKRM5lUa2baFXDOfY5c+EzQXigb0JSdt1lGP5+tQooTNspv/o2Dh0hSNGvF
VgZGZgwH/Px6x1y3H4Cw/tPwWEY0DxS2gzNO4loXP5jPvFHf4Zo20TXbyOQTBCFH
+ImE7k8UDIxwf+uM0O60g7FZIp6jU1pVwM+pJd9k8oT6f8fxfHPkzcsev/votULY
Wq7JKwOUoxBisU2M5p3MtT2aqZmVs0PdUf8KkJtX+/8aJEt89aaQU9fTWD+5AgMB
AAGjgYcwgYQwDAYDVR0TAQH/BAIwADAwBgNVHREEKTAngglsb2NhbGhvc3SCD2xv
Y2FsaG9zdC5sb2NhbIIJbG9jYWxob3N0MBMGA1UdJQQMMAoGCCsGAQUFBwMBMA4G
A1UdDwEB/wQEAwIFoDAdBgNVHQ4EFgQUlj8J0v0Jwib4NmBBIOpcL3jpgxQwDQYJ
KoZIhvcNAQELBQADggEBAEU614Fefzak7OcyQlyiqRP17kiSmCDha8uKEcZAvVwv
shxT/bF6zwyLUjJuqnlsjxXw1C9Zn3fIM9N/LrifNQRsj0NQiWx4iji9JoIbAVr6
g20MBrfPxy6/CKBpIwSDwJi08bzvwfIUCl6pHeSypiDbfkTCDnznvL7spiFXmEG+
w91fIhJ0dinAVDwRXBM+rxcZtdn5xMVACZTRYeVm/M7fCIfFP2y28gE3zz05WNGz
Zp//HKGo1l1fSOA3nECgnQvfK4LVYxgVBKI6/37MDUro8V+YKndRAZUkZ+gOKC2y
y/+ZZzdOMtS4+sx78QmcGfnIn6dMdhgqJXkIv5pz/dc=
-----END CERTIFICATE-----
";

    #[test]
    fn the_st7789_example_reads_as_written() {
        let c = Config::from_toml(
            &example("st7789-240x320.toml"),
            Path::new("x.toml"),
            &specs(),
        )
        .unwrap();
        let d = c.display.unwrap();
        assert_eq!((d.driver, d.width, d.height), (Driver::St7789, 240, 320));
        assert_eq!(c.button.unwrap().line, 17);
        assert_eq!(c.media.keyword, "jpn_hagaki_100x148mm");
    }

    #[test]
    fn mistakes_name_file_and_field() {
        let base = example("st7789-240x320.toml");
        let cases = [
            (
                base.replace("spec = \"us-passport\"", "spec = \"atlantis\""),
                "spec",
            ),
            (
                base.replace("media = \"postcard\"", "media = \"huge\""),
                "printer.media",
            ),
            (
                base.replace("height = 320", "height = 480"),
                "display.width",
            ),
            (
                base.replace("rotation = 0", "rotation = 45"),
                "display.rotation",
            ),
            (base.replace("line = 17", "line = 25"), "button.line"),
            (
                base.replace("debounce_ms = 30", "debounce_ms = 1"),
                "button.debounce_ms",
            ),
            (
                base.replace("[button]", "[button]\ncolour = \"red\""),
                "colour",
            ),
            (
                base.replace(
                    "uri = \"ipp://localhost:631/printers/selphy\"",
                    "uri = \"lp0\"",
                ),
                "printer.uri",
            ),
            (
                base.replace(
                    "uri = \"ipp://localhost:631/printers/selphy\"",
                    "uri = \"ipps://localhost/ipp/print\"\ncertificate = \"/nonexistent/printer.pem\"",
                ),
                "printer.certificate",
            ),
            (
                base.replace(
                    "uri = \"ipp://localhost:631/printers/selphy\"",
                    "uri = \"ipps://localhost/ipp/print\"\ncertificate = \"/etc/hostname\"",
                ),
                "printer.certificate",
            ),
        ];
        for (text, field) in cases {
            let e = err(&text);
            assert!(
                e.contains("/etc/passbooth/passbooth.toml") && e.contains(field),
                "{field}: {e}"
            );
        }
    }
}
