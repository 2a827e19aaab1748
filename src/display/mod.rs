//! The booth's screen: a framebuffer drawn with embedded-graphics, and the
//! SPI panel it is sent to.
pub mod framebuffer;
pub mod panel;
pub mod sim;
pub mod spi;
pub mod ui;
#[cfg(feature = "window")]
pub mod window;

pub use framebuffer::Framebuffer;
pub use panel::{MipidsiScreen, Screen};
