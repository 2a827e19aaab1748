//! The booth session: live framing guidance, prompts, and (next) the state
//! machine that runs a session.
pub mod guide;
pub mod machine;
pub mod prompts;
