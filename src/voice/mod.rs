//! The booth's voice device: recorded phrases (WAV files rendered with
//! espeak-ng when the package is built) played through ALSA. What to say
//! and when is the session's business (`session::announcer`); this only
//! renders, reads and plays sound.
pub mod clip;
pub mod device;
pub mod espeak;
pub mod player;

pub use clip::{Clip, ClipError};
pub use device::AlsaDevice;
pub use player::{AplayPlayer, Speaker};
