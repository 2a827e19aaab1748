//! The booth as a service: the run loop at ten turns a second, the button
//! sources, the ready LED and systemd's notifications.
pub mod systemd;
