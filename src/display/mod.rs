//! The booth's screen device: a framebuffer drawn with embedded-graphics,
//! and the SPI panel, PNG mirror or window it is sent to. What is drawn (the
//! booth's screens) is the booth's business (`booth::screens`).
pub mod framebuffer;
pub mod lettering;
mod panel;
pub mod sim;
pub mod spi;
#[cfg(feature = "window")]
pub mod window;

pub use framebuffer::Framebuffer;
pub use panel::{MipidsiScreen, Screen};
