//! From a photo and its face to the finished passport photo.
pub mod chin;
pub mod crown;
pub mod digital;
pub mod guide;
pub mod layout;
pub mod matte;
pub mod render;
