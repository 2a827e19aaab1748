//! The limits of each config section: values serde accepts but a booth
//! cannot use. Each check returns the dotted field and what is wrong; the
//! caller adds the file.

use super::{ConfigFile, PrinterConfig, TimeoutConfig};
use crate::capture::CameraSettings;
use crate::display::spi::{DisplayConfig, Driver};
use crate::gpio::GpioLine;
use crate::input::gpio::ButtonConfig;
use crate::session::machine::Timing;
use crate::session::money::Money;

/// A field and its problem.
pub(super) type Invalid<F = &'static str> = (F, String);

/// A value outside `range`, said as "N is outside A-B".
fn within<T: PartialOrd + std::fmt::Display>(
    field: &'static str,
    value: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<(), Invalid> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err((
            field,
            format!("{value} is outside {}-{}", range.start(), range.end()),
        ))
    }
}

pub(super) fn printer(p: &PrinterConfig) -> Result<(), Invalid> {
    match (&p.uri, &p.folder) {
        (Some(_), Some(_)) => return Err(("printer", "give uri or folder, not both".into())),
        (None, None) => {
            return Err(("printer", "give uri (an IPP printer) or folder".into()));
        }
        (Some(uri), None)
            if uri
                .parse()
                .ok()
                .and_then(|u| crate::print::transport::http_url(&u))
                .is_none() =>
        {
            return Err((
                "printer.uri",
                format!("'{uri}' is not an ipp:// or ipps:// URI"),
            ));
        }
        _ => {}
    }
    // A pinned certificate must be one now, not at the first print.
    if let Some(cert) = &p.certificate {
        crate::print::transport::Trust::pinned_from_file(cert)
            .map_err(|e| ("printer.certificate", e))?;
    }
    within("printer.copies", p.copies, 1..=20)?;
    within("printer.margin_mm", p.margin_mm, 0.0..=10.0)
}

pub(super) fn camera(c: &CameraSettings) -> Result<(), Invalid> {
    let (vw, vh) = c.viewfinder;
    if !(160..=1920).contains(&vw) || !(120..=1080).contains(&vh) {
        return Err((
            "camera.viewfinder",
            format!("{vw}x{vh} is not a viewfinder size"),
        ));
    }
    Ok(())
}

pub(super) fn display(d: &DisplayConfig) -> Result<(), Invalid> {
    let sizes: &[(u16, u16)] = match d.driver {
        Driver::St7789 => &[(240, 240), (240, 320), (320, 240)],
        Driver::Ili9341 => &[(240, 320), (320, 240)],
    };
    if !sizes.contains(&(d.width, d.height)) {
        return Err((
            "display.width",
            format!(
                "{}x{} is not a size of a {:?} panel ({sizes:?})",
                d.width, d.height, d.driver
            ),
        ));
    }
    if ![0, 90, 180, 270].contains(&d.rotation) {
        return Err((
            "display.rotation",
            format!("{} is not 0, 90, 180 or 270", d.rotation),
        ));
    }
    if !(1_000_000..=100_000_000).contains(&d.spi_hz) {
        return Err((
            "display.spi_hz",
            format!("{} Hz is outside 1-100 MHz", d.spi_hz),
        ));
    }
    Ok(())
}

pub(super) fn button(b: &ButtonConfig) -> Result<(), Invalid> {
    within("button.debounce_ms", b.debounce_ms, 5..=200)?;
    within("button.long_press_ms", b.long_press_ms, 300..=5000)
}

/// No GPIO line is wired to two things.
pub(super) fn distinct_lines(raw: &ConfigFile) -> Result<(), Invalid<String>> {
    let button = raw.button.as_ref().map(ButtonConfig::gpio_line);
    let mut lines: Vec<(&str, &GpioLine)> = Vec::new();
    if let Some(d) = &raw.display {
        lines.push(("display.dc", &d.dc));
        lines.extend(d.reset.iter().map(|r| ("display.reset", r)));
        lines.extend(d.backlight.iter().map(|b| ("display.backlight", b)));
    }
    lines.extend(button.iter().map(|b| ("button.line", b)));
    lines.extend(raw.led.iter().map(|l| ("led.line", l)));
    let coins = raw.payment.as_ref().map(super::PaymentConfig::gpio_line);
    lines.extend(coins.iter().map(|c| ("payment.line", c)));
    for (i, (name, a)) in lines.iter().enumerate() {
        if let Some((other, _)) = lines[..i].iter().find(|(_, b)| b == a) {
            return Err((
                name.to_string(),
                format!("line {} on {} is already {other}", a.line, a.chip.display()),
            ));
        }
    }
    Ok(())
}

pub(super) fn timing(t: &TimeoutConfig) -> Result<Timing, Invalid> {
    if !(1..=10).contains(&t.countdown_s)
        || !(5..=600).contains(&t.review_s)
        || !(30..=3600).contains(&t.session_s)
        || t.max_retakes > 10
    {
        return Err((
            "timeouts",
            "countdown 1-10 s, review 5-600 s, session 30-3600 s, retakes 0-10".into(),
        ));
    }
    Ok(Timing {
        countdown_ms: t.countdown_s * 1000,
        review_ms: t.review_s * 1000,
        session_ms: t.session_s * 1000,
        max_retakes: t.max_retakes,
        ..Timing::default()
    })
}

/// `[phone]`: limits a customer can use and an operator can reason about.
pub(super) fn phone(p: &super::PhoneConfig) -> Result<(), (&'static str, String)> {
    if !(1..=10).contains(&p.fetches) {
        return Err(("phone.fetches", format!("{} is outside 1-10", p.fetches)));
    }
    if !(1..=30).contains(&p.minutes) {
        return Err(("phone.minutes", format!("{} is outside 1-30", p.minutes)));
    }
    let ip = p.listen.ip();
    let every = ip.is_unspecified()
        || matches!(ip, std::net::IpAddr::V6(v6)
            if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_unspecified()));
    if every {
        return Err((
            "phone.listen",
            format!("{ip} is every network: name the booth's own Wi-Fi address"),
        ));
    }
    if p.listen.port() == 0 {
        return Err((
            "phone.listen",
            "port 0 is no port a phone can be sent to: name one (e.g. 8080)".into(),
        ));
    }
    if let Some(link) = &p.link {
        link_base(link).map_err(|why| {
            // A link too long for the screen is shown cut, on one line.
            let shown: String = link.chars().take(MAX_LINK_BASE).collect();
            let more = if shown.len() < link.len() { "..." } else { "" };
            ("phone.link", format!("'{shown}{more}': {why}"))
        })?;
    }
    if let Some(w) = &p.wifi {
        if w.ssid.is_empty() || w.ssid.len() > 32 {
            return Err(("phone.wifi.ssid", "1-32 bytes".into()));
        }
        if let Some(pw) = &w.password
            && !(8..=63).contains(&pw.len())
        {
            return Err((
                "phone.wifi.password",
                "WPA passphrases are 8-63 characters".into(),
            ));
        }
    }
    Ok(())
}

/// The longest link start: with the path and the key (79 characters) the
/// link stays a QR code of version 8 or less at level M, drawn at two
/// pixels a module or more in its half of a 240 x 320 panel.
pub const MAX_LINK_BASE: usize = 64;

/// Checks a link start: `http://HOST[:PORT]`, nothing after it.
fn link_base(link: &str) -> Result<(), String> {
    let rest = link
        .strip_prefix("http://")
        .ok_or("must start with http:// (the booth serves plain HTTP; the file is sealed)")?;
    if link.len() > MAX_LINK_BASE {
        return Err(format!(
            "{} characters; at most {MAX_LINK_BASE}, or the QR code is too fine for a phone to read",
            link.len()
        ));
    }
    let (host, port) = match rest.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']').ok_or("an IPv6 address needs its ]")?;
            host.parse::<std::net::Ipv6Addr>()
                .map_err(|_| format!("'{host}' is no IPv6 address"))?;
            (host, after)
        }
        None => rest.split_at(rest.find(':').unwrap_or(rest.len())),
    };
    let host_ok = !host.is_empty()
        && (rest.starts_with('[')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'));
    if !host_ok {
        return Err("http://HOST[:PORT] with no path, query, fragment or user".into());
    }
    if !port.is_empty() {
        let digits = port
            .strip_prefix(':')
            .ok_or("http://HOST[:PORT] with no path")?;
        match digits.parse::<u16>() {
            Ok(1..) => {}
            _ => return Err(format!("'{digits}' is no port (1-65535)")),
        }
    }
    Ok(())
}

/// `[voice]`: a loudness in per cent, a repeat pace a person can follow,
/// a device name.
pub(super) fn voice(v: &super::VoiceConfig) -> Result<(), Invalid> {
    within("voice.volume", v.volume, 0..=100)?;
    within("voice.repeat_s", v.repeat_s, 2..=60)?;
    crate::voice::AlsaDevice::parse(&v.device).map_err(|e| ("voice.device", e))?;
    Ok(())
}

/// The most a sheet may cost: far above any photo booth's price, far below
/// what the till's arithmetic could ever overflow on.
pub const MAX_PRICE: Money = Money(100_000);

/// `[payment]`: amounts in whole cents, a currency code, a pulse window an
/// acceptor can have, a gap longer than a pulse.
pub(super) fn payment(p: &super::PaymentConfig) -> Result<(), Invalid> {
    let price = Money::parse(&p.price).map_err(|e| ("payment.price", e))?;
    if price.0 == 0 {
        return Err((
            "payment.price",
            "a price of 0 charges nothing: leave [payment] out".into(),
        ));
    }
    if price > MAX_PRICE {
        return Err((
            "payment.price",
            format!("{price} is more than a sheet can cost here (at most {MAX_PRICE})"),
        ));
    }
    if p.currency.len() != 3 || !p.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err((
            "payment.currency",
            format!("'{}' is not a currency code like EUR", p.currency),
        ));
    }
    let unit = Money::parse(&p.unit).map_err(|e| ("payment.unit", e))?;
    within("payment.pulses_per_unit", p.pulses_per_unit, 1..=100)?;
    // A pulse worth more than the price is a misread acceptor manual (a
    // unit in cents written as whole money): one coin would pay for many.
    if unit.0 / u64::from(p.pulses_per_unit) > price.0 {
        return Err((
            "payment.unit",
            format!(
                "{unit} per {} pulse(s) makes one pulse worth more than the price {price}",
                p.pulses_per_unit
            ),
        ));
    }
    if unit.0 == 0 || unit.0 % u64::from(p.pulses_per_unit) != 0 {
        return Err((
            "payment.unit",
            format!(
                "{unit} is not a whole number of cents per pulse at {} pulses",
                p.pulses_per_unit
            ),
        ));
    }
    let [min, max] = p.pulse_ms;
    within("payment.pulse_ms", min, 5..=1000)?;
    within("payment.pulse_ms", max, min + 1..=1000)?;
    within("payment.gap_ms", p.gap_ms, max + 1..=5000)?;
    within("payment.timeout_s", p.timeout_s, 20..=900)
}
