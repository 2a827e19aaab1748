//! The simulator's screen in an SDL window (feature `window`), beside the
//! PNG mirror; the keyboard stands in for the button: space or enter is a
//! press, L a long press, Esc or closing the window quits.

use std::path::PathBuf;
use std::sync::mpsc::Sender;

use embedded_graphics::pixelcolor::Rgb565;
use embedded_graphics::prelude::*;
use embedded_graphics_simulator::sdl2::Keycode;
use embedded_graphics_simulator::{
    OutputSettingsBuilder, SimulatorDisplay, SimulatorEvent, Window,
};

use super::framebuffer::Framebuffer;
use super::panel::Screen;
use super::sim::PngMirror;

/// What the keyboard said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Space or Return: a short press of the booth's button.
    Short,
    /// L: a long press.
    Long,
    /// C: a one-pulse coin into the simulated acceptor.
    Coin,
    /// Quit.
    Quit,
}

/// Whether a display is there to open a window on.
pub fn display_available() -> bool {
    std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// The PNG mirror plus a window.
pub struct WindowMirror {
    /// The PNG mirror, when a file was named for it.
    png: Option<PngMirror>,
    display: SimulatorDisplay<Rgb565>,
    window: Window,
    keys: Sender<Key>,
}

impl WindowMirror {
    /// A `w` x `h` window titled passbooth, shown twice the panel's size;
    /// key presses go to `keys`.
    pub fn new(png: Option<PathBuf>, w: u16, h: u16, keys: Sender<Key>) -> Self {
        let settings = OutputSettingsBuilder::new().scale(2).build();
        Self {
            png: png.map(PngMirror::new),
            display: SimulatorDisplay::new(Size::new(u32::from(w), u32::from(h))),
            window: Window::new("passbooth", &settings),
            keys,
        }
    }
}

impl Screen for WindowMirror {
    type Error = String;
    fn flush(&mut self, fb: &mut Framebuffer) -> Result<(), String> {
        let changed = fb.is_dirty();
        self.png.flush(fb)?;
        if changed {
            let (w, h) = (i32::from(fb.width()), i32::from(fb.height()));
            let pixels = (0..h)
                .flat_map(|y| (0..w).map(move |x| (x, y)))
                .map(|(x, y)| Pixel(Point::new(x, y), fb.row(y as u16)[x as usize]));
            let _ = self.display.draw_iter(pixels);
        }
        // Update every turn: SDL needs its events pumped even when nothing changed.
        self.window.update(&self.display);
        for event in self.window.events() {
            let key = match event {
                SimulatorEvent::Quit => Some(Key::Quit),
                SimulatorEvent::KeyDown {
                    keycode,
                    repeat: false,
                    ..
                } => match keycode {
                    Keycode::Space | Keycode::Return => Some(Key::Short),
                    Keycode::L => Some(Key::Long),
                    Keycode::C => Some(Key::Coin),
                    Keycode::Escape => Some(Key::Quit),
                    _ => None,
                },
                _ => None,
            };
            if let Some(k) = key {
                let _ = self.keys.send(k);
            }
        }
        Ok(())
    }
}
