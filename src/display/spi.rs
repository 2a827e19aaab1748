//! The SPI panel as configured: spidev for the bus, GPIO lines for D/C,
//! reset and backlight, and mipidsi's ST7789 or ILI9341 driver on top.

use embedded_hal::digital::OutputPin;
use linux_embedded_hal::gpio_cdev::{Chip, LineRequestFlags};
use linux_embedded_hal::spidev::{SpiModeFlags, SpidevOptions};
use linux_embedded_hal::{CdevPin, Delay, SpidevDevice};
use mipidsi::interface::SpiInterface;
use mipidsi::models::{ILI9341Rgb565, ST7789};
use mipidsi::options::{ColorInversion, Orientation, Rotation};

use super::framebuffer::Framebuffer;
use super::panel::{MipidsiScreen, Screen};
use crate::config::{DisplayConfig, Driver, GpioLine};

/// The panel could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("display {what}: {message}")]
pub struct PanelError {
    /// The device or line.
    pub what: String,
    /// What failed.
    pub message: String,
}

fn output(line: &GpioLine, role: &str, level: u8) -> Result<CdevPin, PanelError> {
    let err = |e: &dyn std::fmt::Display| PanelError {
        what: format!("{role} ({} line {})", line.chip.display(), line.line),
        message: e.to_string(),
    };
    let mut chip = Chip::new(&line.chip).map_err(|e| err(&e))?;
    let handle = chip
        .get_line(line.line)
        .and_then(|l| l.request(LineRequestFlags::OUTPUT, level, "passbooth-display"))
        .map_err(|e| err(&e))?;
    CdevPin::new(handle).map_err(|e| err(&e))
}

/// Sends a framebuffer to one concrete driver.
type Flush = dyn FnMut(&mut Framebuffer) -> Result<(), String>;

/// A screen whose driver type is chosen at run time.
pub struct AnyScreen(Box<Flush>);

impl Screen for AnyScreen {
    type Error = String;
    fn flush(&mut self, fb: &mut Framebuffer) -> Result<(), String> {
        (self.0)(fb)
    }
}

/// Opens and initialises the configured panel (backlight on).
pub fn open(cfg: &DisplayConfig) -> Result<AnyScreen, PanelError> {
    let spi_err = |e: &dyn std::fmt::Display| PanelError {
        what: cfg.spi.display().to_string(),
        message: e.to_string(),
    };
    let mut spi = SpidevDevice::open(&cfg.spi).map_err(|e| spi_err(&e))?;
    let opts = SpidevOptions::new()
        .bits_per_word(8)
        .max_speed_hz(cfg.spi_hz)
        .mode(SpiModeFlags::SPI_MODE_0)
        .build();
    spi.0.configure(&opts).map_err(|e| spi_err(&e))?;
    let dc = output(&cfg.dc, "D/C", 0)?;
    let rst = match &cfg.reset {
        Some(l) => Some(output(l, "reset", 1)?),
        None => None,
    };
    if let Some(l) = &cfg.backlight {
        let mut bl = output(l, "backlight", 1)?;
        let _ = bl.set_high();
        // The line must stay requested to stay high: keep it for the process.
        std::mem::forget(bl);
    }
    let rotation = match cfg.rotation {
        90 => Rotation::Deg90,
        180 => Rotation::Deg180,
        270 => Rotation::Deg270,
        _ => Rotation::Deg0,
    };
    // The interface keeps a batching buffer for the life of the process.
    let buffer: &'static mut [u8] = Box::leak(vec![0u8; 4096].into_boxed_slice());
    let di = SpiInterface::new(spi, dc, buffer);
    let init = |e: &dyn std::fmt::Debug| PanelError {
        what: format!("{:?} init", cfg.driver),
        message: format!("{e:?}"),
    };
    let (w, h) = (cfg.width, cfg.height);
    let orientation = Orientation::new().rotate(rotation);
    macro_rules! build {
        ($model:expr, $invert:expr) => {{
            let b = mipidsi::Builder::new($model, di)
                .display_size(w, h)
                .orientation(orientation)
                .invert_colors($invert);
            match rst {
                Some(rst) => {
                    let mut s = MipidsiScreen::new(
                        b.reset_pin(rst).init(&mut Delay).map_err(|e| init(&e))?,
                    );
                    AnyScreen(Box::new(move |fb| {
                        s.flush(fb).map_err(|e| format!("{e:?}"))
                    }))
                }
                None => {
                    let mut s = MipidsiScreen::new(b.init(&mut Delay).map_err(|e| init(&e))?);
                    AnyScreen(Box::new(move |fb| {
                        s.flush(fb).map_err(|e| format!("{e:?}"))
                    }))
                }
            }
        }};
    }
    Ok(match cfg.driver {
        // Most ST7789 modules need inverted colours; ILI9341 ones do not.
        Driver::St7789 => build!(ST7789, ColorInversion::Inverted),
        Driver::Ili9341 => build!(ILI9341Rgb565, ColorInversion::Normal),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_missing_spi_device_is_named() {
        let cfg = DisplayConfig {
            driver: Driver::St7789,
            width: 240,
            height: 320,
            rotation: 0,
            spi: PathBuf::from("/dev/spidev-none"),
            spi_hz: 32_000_000,
            dc: GpioLine {
                chip: PathBuf::from("/dev/gpiochip0"),
                line: 25,
            },
            reset: None,
            backlight: None,
        };
        let e = open(&cfg).err().unwrap().to_string();
        assert!(e.contains("/dev/spidev-none"), "{e}");
    }
}
