//! The booth's one config file (`/etc/passbooth/passbooth.toml`), parsed and
//! validated once at start into a typed [`Config`]; an operator's typo is an
//! error naming the file and the field, before anyone steps in front.

pub mod assets;
pub mod settings;
mod validate;

pub use validate::MAX_LINK_BASE;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::booth::PaymentSettings;
use crate::capture::CameraSettings;
use crate::display::spi::DisplayConfig;
use crate::gpio::GpioLine;
use crate::input::gpio::ButtonConfig;
use crate::print::media::Media;
use crate::session::machine::Timing;
use crate::session::money::{Money, Price};
use crate::session::prompts::{Language, Languages};
use crate::spec::SpecLibrary;

/// Default location of the config file.
pub const DEFAULT_PATH: &str = "/etc/passbooth/passbooth.toml";

/// The printer (`[printer]`).
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

/// Pay after pass (`[payment]`): a coin acceptor or bill validator in
/// pulse mode on a GPIO line, and the price of a printed sheet.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentConfig {
    /// The price of one sheet, "6.00".
    pub price: String,
    /// ISO 4217 currency code, "EUR".
    pub currency: String,
    /// The acceptor's chip device.
    #[serde(default = "GpioLine::default_chip")]
    pub chip: PathBuf,
    /// The acceptor's signal line.
    pub line: u32,
    /// A pulse pulls the line low (open-collector output with a pull-up).
    #[serde(default = "yes")]
    pub active_low: bool,
    /// The money `pulses_per_unit` pulses stand for, "1.00".
    #[serde(default = "one_unit")]
    pub unit: String,
    /// Pulses the acceptor sends per unit.
    #[serde(default = "one")]
    pub pulses_per_unit: u32,
    /// A real pulse's length, shortest and longest, ms.
    #[serde(default = "pulse_ms")]
    pub pulse_ms: [u64; 2],
    /// Pulses closer than this are one coin, ms.
    #[serde(default = "gap_ms")]
    pub gap_ms: u64,
    /// Waiting for money this long ends the session (credit stays), s.
    #[serde(default = "payment_timeout_s")]
    pub timeout_s: u64,
    /// Where the till keeps the credit across restarts (amounts only).
    #[serde(default = "till_file")]
    pub till: PathBuf,
}

fn till_file() -> PathBuf {
    PathBuf::from("/var/lib/passbooth/till.json")
}

fn one_unit() -> String {
    "1.00".into()
}

fn pulse_ms() -> [u64; 2] {
    let t = crate::input::PulseTiming::default();
    [t.min_ms, t.max_ms]
}

fn gap_ms() -> u64 {
    crate::input::PulseTiming::default().gap_ms
}

fn payment_timeout_s() -> u64 {
    Timing::default().payment_ms / 1000
}

impl PaymentConfig {
    /// The acceptor's line.
    pub fn gpio_line(&self) -> GpioLine {
        GpioLine {
            chip: self.chip.clone(),
            line: self.line,
        }
    }

    /// The decoder's timing.
    pub fn timing(&self) -> crate::input::PulseTiming {
        crate::input::PulseTiming {
            min_ms: self.pulse_ms[0],
            max_ms: self.pulse_ms[1],
            gap_ms: self.gap_ms,
        }
    }

    /// The price and what a pulse is worth (validated: both are whole
    /// cents).
    pub fn settings(&self) -> Result<PaymentSettings, String> {
        let amount = Money::parse(&self.price)?;
        let unit = Money::parse(&self.unit)?;
        Ok(PaymentSettings {
            price: Price {
                amount,
                currency: self.currency.clone(),
            },
            per_pulse: Money(unit.0 / u64::from(self.pulses_per_unit.max(1))),
        })
    }
}

/// Fleet metrics (`[metrics]`): Prometheus' text format in a file for
/// node_exporter's textfile collector.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// The file, ending in `.prom`, in the collector's folder.
    pub file: PathBuf,
}

/// The spoken guidance (`[voice]`): present, the booth speaks every
/// instruction in the session's language through ALSA.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceConfig {
    /// Whether it speaks (a section kept with `enabled = false` mutes it).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Loudness, 0-100 % of the recordings'.
    #[serde(default = "eighty")]
    pub volume: u32,
    /// The same words are not said again sooner than this, seconds.
    #[serde(default = "six")]
    pub repeat_s: u64,
    /// The ALSA device ("default", "plughw:1,0", "hdmi").
    #[serde(default = "default_device")]
    pub device: String,
    /// The recordings (default: the package's, `passbooth voice render`).
    pub dir: Option<PathBuf>,
}

fn eighty() -> u32 {
    80
}

fn six() -> u64 {
    6
}

fn default_device() -> String {
    "default".into()
}

/// Session time limits, seconds (`[timeouts]`); a missing one is the
/// session's own default ([`Timing::default`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeoutConfig {
    /// Countdown.
    pub countdown_s: u64,
    /// Review without a press.
    pub review_s: u64,
    /// Whole session.
    pub session_s: u64,
    /// Retakes per session.
    pub max_retakes: u32,
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        let t = Timing::default();
        Self {
            countdown_s: t.countdown_ms / 1000,
            review_s: t.review_ms / 1000,
            session_s: t.session_ms / 1000,
            max_retakes: t.max_retakes,
        }
    }
}

/// The photo file to the customer's phone (`[phone]`): served only on the
/// address named here, which should be the booth's own Wi-Fi access point.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneConfig {
    /// The digital profile whose file the customer gets (`passbooth specs`
    /// lists them; it must take the booth's spec).
    pub profile: String,
    /// Address and port to listen on: the access point's own address.
    pub listen: std::net::SocketAddr,
    /// The start of the link phones open (default `http://<listen>`).
    pub link: Option<String>,
    /// The booth's Wi-Fi, shown as a join code beside the link.
    pub wifi: Option<WifiConfig>,
    /// Fetches of each link (phones fetch a link before it is opened).
    #[serde(default = "three")]
    pub fetches: u32,
    /// Minutes each link lives (and the "done" screen shows it).
    #[serde(default = "three_minutes")]
    pub minutes: u64,
    /// Print the sheet as well (the default); `false`: files only.
    #[serde(default = "yes")]
    pub print: bool,
}

/// The booth's Wi-Fi network, for the join code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WifiConfig {
    /// Network name.
    pub ssid: String,
    /// WPA passphrase; none for an open network.
    pub password: Option<String>,
}

impl PhoneConfig {
    /// The start of every link.
    pub fn link_base(&self) -> String {
        self.link
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }

    /// The Wi-Fi join code phones' cameras read (`WIFI:T:WPA;S:..;P:..;;`,
    /// special characters escaped).
    pub fn wifi_join(&self) -> Option<String> {
        let w = self.wifi.as_ref()?;
        let esc = |s: &str| {
            s.chars().fold(String::new(), |mut o, c| {
                if matches!(c, '\\' | ';' | ',' | ':' | '"') {
                    o.push('\\');
                }
                o.push(c);
                o
            })
        };
        Some(match &w.password {
            Some(p) => format!("WIFI:T:WPA;S:{};P:{};;", esc(&w.ssid), esc(p)),
            None => format!("WIFI:T:nopass;S:{};;", esc(&w.ssid)),
        })
    }
}

fn yes() -> bool {
    true
}

fn three() -> u32 {
    3
}

fn three_minutes() -> u64 {
    3
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    spec: String,
    /// One language (the older key)...
    language: Option<Language>,
    /// ...or several, the attract screen cycling through them.
    languages: Option<Vec<Language>>,
    printer: PrinterConfig,
    #[serde(default)]
    camera: CameraSettings,
    display: Option<DisplayConfig>,
    button: Option<ButtonConfig>,
    led: Option<GpioLine>,
    #[serde(default)]
    timeouts: TimeoutConfig,
    stats: Option<PathBuf>,
    phone: Option<PhoneConfig>,
    voice: Option<VoiceConfig>,
    payment: Option<PaymentConfig>,
    metrics: Option<MetricsConfig>,
}

/// A validated config.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from.
    pub path: PathBuf,
    /// Spec id (known to exist).
    pub spec: String,
    /// The languages of the screen and the voice.
    pub languages: Languages,
    /// Printer.
    pub printer: PrinterConfig,
    /// Paper, parsed.
    pub media: Media,
    /// Camera.
    pub camera: CameraSettings,
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
    /// The photo file to phones, if offered.
    pub phone: Option<PhoneConfig>,
    /// The spoken guidance, if configured.
    pub voice: Option<VoiceConfig>,
    /// Pay after pass, if the booth charges.
    pub payment: Option<PaymentConfig>,
    /// The metrics file, if written.
    pub metrics: Option<MetricsConfig>,
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
        validate::printer(&raw.printer).map_err(|(f, p)| bad(f, p))?;
        validate::camera(&raw.camera).map_err(|(f, p)| bad(f, p))?;
        if let Some(d) = &raw.display {
            validate::display(d).map_err(|(f, p)| bad(f, p))?;
        }
        if let Some(b) = &raw.button {
            validate::button(b).map_err(|(f, p)| bad(f, p))?;
        }
        validate::distinct_lines(&raw).map_err(|(f, p)| bad(&f, p))?;
        if let Some(v) = &raw.voice {
            validate::voice(v).map_err(|(f, p)| bad(f, p))?;
        }
        if let Some(p) = &raw.payment {
            validate::payment(p).map_err(|(f, p)| bad(f, p))?;
        }
        if let Some(m) = &raw.metrics
            && m.file.extension().is_none_or(|e| e != "prom")
        {
            return Err(bad(
                "metrics.file",
                format!(
                    "{}: the textfile collector reads only *.prom files",
                    m.file.display()
                ),
            ));
        }
        let languages = match (raw.language, &raw.languages) {
            (Some(_), Some(_)) => {
                return Err(bad(
                    "languages",
                    "give either language or languages, not both".into(),
                ));
            }
            (_, Some(list)) => Languages::new(list).map_err(|p| bad("languages", p))?,
            (one, None) => Languages::one(one.unwrap_or(Language::En)),
        };
        let mut timing = validate::timing(&raw.timeouts).map_err(|(f, p)| bad(f, p))?;
        if let Some(p) = &raw.payment {
            timing.payment_ms = p.timeout_s * 1000;
        }
        if let Some(p) = &raw.phone {
            validate::phone(p).map_err(|(f, p)| bad(f, p))?;
            // The "done" screen shows the link for as long as it lives.
            timing.done_ms = timing.done_ms.max(p.minutes * 60_000);
        }
        Ok(Config {
            path: path.to_path_buf(),
            spec: raw.spec,
            languages,
            printer: raw.printer,
            media,
            camera: raw.camera,
            display: raw.display,
            button: raw.button,
            led: raw.led,
            timing,
            stats: raw.stats,
            phone: raw.phone,
            voice: raw.voice,
            payment: raw.payment,
            metrics: raw.metrics,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::spi::Driver;

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
    fn the_camera_section_reads_sizes_and_how_frames_are_read() {
        let text = "spec = \"us-passport\"\n[printer]\nfolder = \"x\"\nmedia = \"4x6\"\n[camera]\nname = \"imx708\"\nviewfinder = [800, 600]\ncolour = \"sycc\"\n";
        let c = Config::from_toml(text, Path::new("booth.toml"), &specs()).unwrap();
        assert_eq!(c.camera.id.as_deref(), Some("imx708"));
        assert_eq!(c.camera.viewfinder, (800, 600));
        assert_eq!(c.camera.colour, crate::capture::FrameColour::Sycc);
        let plain = text.replace("colour = \"sycc\"\n", "");
        let c = Config::from_toml(&plain, Path::new("booth.toml"), &specs()).unwrap();
        assert_eq!(c.camera.colour, crate::capture::FrameColour::Labelled);
        let e = err(&text.replace("\"sycc\"", "\"srgb\""));
        assert!(e.contains("colour") || e.contains("srgb"), "{e}");
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
        assert_eq!(c.languages.as_slice(), Language::ALL);
        let v = c.voice.unwrap();
        assert_eq!(
            (v.enabled, v.volume, v.repeat_s, v.device.as_str()),
            (true, 80, 6, "default")
        );
    }

    const MINIMAL: &str =
        "spec = \"us-passport\"\n[printer]\nfolder = \"/tmp/x\"\nmedia = \"4x6\"\n";

    #[test]
    fn languages_and_voice_read_with_their_defaults() {
        let at = Path::new("booth.toml");
        let c = Config::from_toml(MINIMAL, at, &specs()).unwrap();
        assert_eq!(c.languages, Languages::one(Language::En));
        assert_eq!(c.voice, None);
        let text = format!("languages = [\"uk\", \"pl\"]\n{MINIMAL}[voice]\n");
        let c = Config::from_toml(&text, at, &specs()).unwrap();
        assert_eq!(c.languages.as_slice(), [Language::Uk, Language::Pl]);
        let v = c.voice.unwrap();
        assert_eq!(
            (v.enabled, v.volume, v.repeat_s, v.dir),
            (true, 80, 6, None)
        );
    }

    #[test]
    fn the_payment_section_reads_prices_pulses_and_its_timeout() {
        let text = format!(
            "{MINIMAL}[payment]\nprice = \"6.50\"\ncurrency = \"EUR\"\nline = 23\nunit = \"0.50\"\npulses_per_unit = 1\ntimeout_s = 90\n"
        );
        let c = Config::from_toml(&text, Path::new("booth.toml"), &specs()).unwrap();
        let p = c.payment.unwrap();
        let s = p.settings().unwrap();
        assert_eq!((s.price.amount, s.per_pulse), (Money(650), Money(50)));
        assert_eq!(s.price.show(s.price.amount), "6.50 EUR");
        assert_eq!(p.timing(), crate::input::PulseTiming::default());
        assert_eq!(c.timing.payment_ms, 90_000);
        // Two pulses a euro: 50 cents a pulse.
        let two = text.replace(
            "unit = \"0.50\"\npulses_per_unit = 1",
            "pulses_per_unit = 2",
        );
        let c = Config::from_toml(&two, Path::new("booth.toml"), &specs()).unwrap();
        assert_eq!(c.payment.unwrap().settings().unwrap().per_pulse, Money(50));
    }

    #[test]
    fn impossible_payment_settings_name_their_field() {
        let good = "[payment]\nprice = \"6.00\"\ncurrency = \"EUR\"\nline = 23\n";
        for (from, to, field) in [
            ("6.00", "0", "payment.price"),
            ("6.00", "6,00", "payment.price"),
            // At most 1,000.00 a sheet.
            ("6.00", "1000.01", "payment.price"),
            // The finding: accepted on main, and two 100-pulse coins
            // showed 38,758,200,196,842,127.36 EUR.
            (
                "line = 23",
                "line = 23\nunit = \"100000000000000000.00\"",
                "payment.unit",
            ),
            // One pulse worth more than the price.
            ("line = 23", "line = 23\nunit = \"7.00\"", "payment.unit"),
            ("EUR", "euro", "payment.currency"),
            (
                "line = 23",
                "line = 23\nunit = \"1.00\"\npulses_per_unit = 3",
                "payment.unit",
            ),
            (
                "line = 23",
                "line = 23\npulse_ms = [100, 50]",
                "payment.pulse_ms",
            ),
            ("line = 23", "line = 23\ngap_ms = 100", "payment.gap_ms"),
            ("line = 23", "line = 23\ntimeout_s = 5", "payment.timeout_s"),
            ("line = 23", "line = 22", "payment.line"),
        ] {
            let text = format!("{MINIMAL}[led]\nline = 22\n{}", good.replace(from, to));
            let e = err(&text);
            assert!(e.contains(field), "{field}: {e}");
        }
    }

    #[test]
    fn impossible_languages_and_voice_settings_name_their_field() {
        for (head, tail, field, problem) in [
            ("languages = []\n", "", "languages", "at least one"),
            ("languages = [\"en\", \"en\"]\n", "", "languages", "twice"),
            (
                "languages = [\"en\"]\nlanguage = \"de\"\n",
                "",
                "languages",
                "not both",
            ),
            ("languages = [\"xx\"]\n", "", "languages", "unknown variant"),
            ("", "[voice]\nvolume = 150\n", "voice.volume", "outside"),
            ("", "[voice]\nrepeat_s = 0\n", "voice.repeat_s", "outside"),
            ("", "[voice]\ndevice = \" \"\n", "voice.device", "ALSA"),
            // The finding: ALSA's file plugin ran `id` on the first prompt.
            (
                "",
                "[voice]\ndevice = \"file:'|id > /tmp/x',raw\"\n",
                "voice.device",
                "not an ALSA card",
            ),
            ("", "[voice]\nloud = true\n", "loud", "unknown field"),
        ] {
            let e = err(&format!("{head}{MINIMAL}{tail}"));
            assert!(e.contains(field) && e.contains(problem), "{field}: {e}");
        }
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

    const PHONE: &str = "spec = \"us-passport\"\n[printer]\nfolder = \"/tmp/x\"\nmedia = \"4x6\"\n\
        [phone]\nprofile = \"us-passport-online\"\nlisten = \"10.42.0.1:8080\"\n\
        wifi = { ssid = \"Photo;Booth\", password = \"p:a,s\\\\s\\\"w0rd\" }\n";

    #[test]
    fn the_phone_section_reads_with_its_defaults_and_lengthens_the_done_screen() {
        let c = Config::from_toml(PHONE, Path::new("booth.toml"), &specs()).unwrap();
        let p = c.phone.unwrap();
        assert_eq!((p.fetches, p.minutes), (3, 3));
        assert_eq!(p.link_base(), "http://10.42.0.1:8080");
        // Special characters of a Wi-Fi code are escaped.
        assert_eq!(
            p.wifi_join().unwrap(),
            "WIFI:T:WPA;S:Photo\\;Booth;P:p\\:a\\,s\\\\s\\\"w0rd;;"
        );
        assert_eq!(c.timing.done_ms, 180_000);
    }

    #[test]
    fn impossible_phone_settings_name_their_field() {
        for (from, to, field) in [
            ("10.42.0.1:8080", "0.0.0.0:8080", "phone.listen"),
            ("10.42.0.1:8080", "[::]:8080", "phone.listen"),
            ("10.42.0.1:8080", "[::ffff:0.0.0.0]:8080", "phone.listen"),
            ("10.42.0.1:8080", "10.42.0.1:0", "phone.listen"),
            ("10.42.0.1:8080", "10.42.0.1", "listen"),
            (
                "wifi = {",
                "link = \"http://x/a/b\"\nwifi = {",
                "phone.link",
            ),
            ("wifi = {", "link = \"http://x/\"\nwifi = {", "phone.link"),
            ("wifi = {", "link = \"http://x?a\"\nwifi = {", "phone.link"),
            ("wifi = {", "link = \"http://u@x\"\nwifi = {", "phone.link"),
            ("wifi = {", "link = \"http://x:0\"\nwifi = {", "phone.link"),
            (
                "wifi = {",
                "link = \"http://x:99999\"\nwifi = {",
                "phone.link",
            ),
            ("wifi = {", "link = \"http://\"\nwifi = {", "phone.link"),
            ("wifi = {", "fetches = 0\nwifi = {", "phone.fetches"),
            ("wifi = {", "minutes = 90\nwifi = {", "phone.minutes"),
            ("wifi = {", "link = \"https://x/\"\nwifi = {", "phone.link"),
            ("Photo;Booth", "", "phone.wifi.ssid"),
            ("\\\"w0rd", "", "phone.wifi.password"),
        ] {
            let e = err(&PHONE.replace(from, to));
            assert!(e.contains(field), "{field}: {e}");
        }
        let long = format!("link = \"http://{}:8080\"\nwifi = {{", "b".repeat(3000));
        let e = err(&PHONE.replace("wifi = {", &long));
        assert!(e.contains("phone.link") && e.contains("QR code"), "{e}");
        assert!(e.len() < 300, "one line, not the link: {e}");
    }

    #[test]
    fn link_starts_a_phone_can_open_are_taken() {
        for link in [
            "http://10.42.0.1:8080",
            "http://booth.local",
            "http://[fe80::1]:8080",
            "http://passbooth-library-branch-42.local:8080",
        ] {
            let text = PHONE.replace("wifi = {", &format!("link = \"{link}\"\nwifi = {{"));
            let c = Config::from_toml(&text, Path::new("booth.toml"), &specs()).unwrap();
            assert_eq!(c.phone.and_then(|p| p.link).as_deref(), Some(link));
        }
    }
}
