//! The booth session, pure: the state machine that runs a session from the
//! attract screen to the wipe, the live framing guide that turns each
//! frame's faces into one instruction, the prompts in each language (and
//! the tables they are read from), what is spoken when, and the reasons the
//! booth calls staff. No hardware, no clock: time and presses are passed in.
pub mod announcer;
pub mod guide;
pub mod language;
pub mod machine;
pub mod money;
pub mod phrasebook;
pub mod prompts;
pub mod trouble;
