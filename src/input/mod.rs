//! Physical input: the button (pure debounce here; the GPIO line feeds it).
mod button;
pub mod gpio;

pub use button::{Button, ButtonTiming, Edge, Press};
