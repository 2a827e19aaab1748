//! The digital photo handed to the customer's phone over the booth's own
//! network, with no cloud: the file stays in the booth's wiped memory and
//! is served, a few times at most and for a few minutes at most, to
//! whoever holds the one-time link shown as a QR code on the screen; then
//! it is wiped.
//!
//! [`Offer`] is the pure part (the token, the fetch count, the deadline,
//! the wipe), driven by a clock passed in; [`PhoneServer`] is the thin
//! HTTP layer around it, on its own thread.

mod offer;
mod server;
mod token;

pub use offer::{Limits, Offer, Reply};
pub use server::{PhoneServer, ServerError};
pub use token::Token;
