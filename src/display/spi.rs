//! The SPI panel as configured: spidev for the bus, GPIO lines for D/C,
//! reset and backlight, and mipidsi's ST7789 or ILI9341 driver on top.

use embedded_hal::digital::OutputPin;
use linux_embedded_hal::spidev::{SpiModeFlags, SpidevOptions};
use linux_embedded_hal::{Delay, SpidevDevice};
use mipidsi::interface::SpiInterface;
use mipidsi::models::{ILI9341Rgb565, ST7789};
use mipidsi::options::{ColorInversion, Orientation, Rotation};

use std::path::PathBuf;

use linux_embedded_hal::SPIError;
use serde::Deserialize;

use super::framebuffer::Framebuffer;
use super::panel::{MipidsiScreen, Screen};
use crate::gpio::{GpioError, GpioLine};

/// The panel's controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Driver {
    /// Sitronix ST7789 (240x240, 240x320 modules).
    St7789,
    /// Ilitek ILI9341 (240x320 modules).
    Ili9341,
}

/// The panel as the config gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplayConfig {
    /// The controller.
    pub driver: Driver,
    /// Width in pixels as mounted.
    pub width: u16,
    /// Height in pixels as mounted.
    pub height: u16,
    /// Rotation, degrees (0, 90, 180, 270).
    #[serde(default)]
    pub rotation: u16,
    /// The spidev device.
    #[serde(default = "default_spi")]
    pub spi: PathBuf,
    /// SPI clock, Hz.
    #[serde(default = "default_spi_hz")]
    pub spi_hz: u32,
    /// Data/command line.
    pub dc: GpioLine,
    /// Reset line, if wired.
    pub reset: Option<GpioLine>,
    /// Backlight line, if wired (lit at start).
    pub backlight: Option<GpioLine>,
}

fn default_spi() -> PathBuf {
    PathBuf::from("/dev/spidev0.0")
}

fn default_spi_hz() -> u32 {
    32_000_000
}

/// What an operator checks when the SPI device cannot be used.
pub const SPI_FIX: &str = "turn SPI on (dtparam=spi=on in /boot/firmware/config.txt, then reboot) and check that the passbooth user is in the spi group";

/// What an operator checks when the panel does not answer its set-up.
pub const INIT_FIX: &str = "check the wiring of D/C, reset and the SPI lines, and [display] driver";

/// The panel could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum PanelError {
    /// The SPI device could not be opened or configured.
    #[error("display {}: {source}; {SPI_FIX}", device.display())]
    Spi {
        /// The spidev device.
        device: PathBuf,
        /// What the kernel said.
        #[source]
        source: SPIError,
    },
    /// A control line could not be requested.
    #[error("display: {0}")]
    Line(#[from] GpioError),
    /// The controller's set-up sequence failed (mipidsi's error has only a
    /// debug form).
    #[error("display {driver:?} init: {detail}; {INIT_FIX}")]
    Init {
        /// The controller.
        driver: Driver,
        /// mipidsi's error.
        detail: String,
    },
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
    let spi_err = |source: SPIError| PanelError::Spi {
        device: cfg.spi.clone(),
        source,
    };
    let mut spi = SpidevDevice::open(&cfg.spi).map_err(spi_err)?;
    let opts = SpidevOptions::new()
        .bits_per_word(8)
        .max_speed_hz(cfg.spi_hz)
        .mode(SpiModeFlags::SPI_MODE_0)
        .build();
    spi.0.configure(&opts).map_err(|e| spi_err(e.into()))?;
    let dc = cfg.dc.output("D/C", 0)?;
    let rst = match &cfg.reset {
        Some(l) => Some(l.output("reset", 1)?),
        None => None,
    };
    if let Some(l) = &cfg.backlight {
        let mut bl = l.output("backlight", 1)?;
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
    let init = |e: &dyn std::fmt::Debug| PanelError::Init {
        driver: cfg.driver,
        detail: format!("{e:?}"),
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
