//! From a photo and its face to the finished passport photo.
pub mod crown;
pub mod layout;
pub mod render;
