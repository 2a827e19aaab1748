//! From a photo and its face to the finished passport photo.
pub mod layout;
