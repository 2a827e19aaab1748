//! passbooth: firmware for a self-service passport photo booth on a
//! Raspberry Pi, and the same photo engine on a laptop.
//!
//! The crate is built in layers; a module uses only the layers below it
//! (checked by `tests/integration/layers.rs`), so data flows up from the
//! pixels to the command line:
//!
//! ```text
//! cli        argument parsing and output
//! daemon     the run loop, button sources, systemd
//! config     the config file; builds the device options and booth settings
//! booth      the loop: actions, watching the hardware, screens, counters
//! session    the pure state machine, the live guide, the prompt tables,
//!            what is spoken when
//! capture  display  input  print  handoff  voice
//!            devices (they do not know each other; handoff: the photo to
//!            the customer's phone over the booth's own network; voice:
//!            recorded phrases through ALSA)
//! gpio       one GPIO line type for the panel, button and LED
//! engine     photo in, checks and composed photo out; its report
//! checks     the spec's rules measured on a photo
//! compose    where the head goes; rendering the photo
//! spec       the country rules and whether they can be met
//! vision     face models on LiteRT; the live detector trait
//! imaging    pixels: buffers, decode, encode, geometry, the crop warp
//! clock  privacy                      time as a number; locked, zeroed memory
//! ```
//!
//! Faces live only in [`imaging::SecretBuf`]s: locked in RAM, out of core
//! dumps, zeroed when dropped (see PRIVACY.md).
#![deny(missing_docs)]

pub mod booth;
pub mod capture;
pub mod checks;
pub mod cli;
pub mod clock;
pub mod compose;
pub mod config;
pub mod daemon;
pub mod display;
pub mod engine;
pub mod gpio;
pub mod handoff;
pub mod imaging;
pub mod input;
pub mod print;
pub mod privacy;
pub mod session;
pub mod spec;
pub mod vision;
pub mod voice;

/// The unit tests' allocator watches one block at a time, to prove what a
/// type leaves in memory when it is dropped (see `privacy::alloc::watch`).
#[cfg(test)]
#[global_allocator]
static TEST_ALLOC: privacy::alloc::watch::Watching = privacy::alloc::watch::Watching;
