//! Physical input: the button and the coin acceptor (pure debounce and
//! pulse decoding here; GPIO lines feed them).
mod button;
pub mod coins;
pub mod gpio;

pub use button::{Button, ButtonTiming, Edge, Press};
pub use coins::{CoinDecoder, PulseTiming};
