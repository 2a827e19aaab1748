//! The digital photo handed to the customer's phone over the booth's own
//! network, with no cloud: the file stays in the booth's wiped memory and
//! is served sealed (encrypted with a key made for the session, which only
//! the link's fragment carries), a few times at most and for a few minutes
//! at most, to whoever holds the one-time link shown as a QR code on the
//! screen; then it is wiped.
//!
//! [`Offer`] is the pure part (the token, the fetch count, the deadline,
//! the wipe), driven by a clock passed in; [`seal`] the encryption;
//! [`page`] what the phone's browser runs to open the file;
//! [`PhoneServer`] the HTTP layer around them, on one thread of its own.

mod offer;
pub mod page;
pub mod seal;
mod server;
mod token;

pub use offer::{Limits, Offer, Reply, Want};
pub use seal::{Key, SealError};
pub use server::{
    MAX_CONNECTIONS, PER_ADDRESS, PhoneServer, REQUEST_DEADLINE, ServerError, TRANSFER_DEADLINE,
};
pub use token::Token;
