//! Print sheets and printing over IPP.
pub mod document;
pub mod draw;
pub mod ipp;
pub mod media;
pub mod problem;
pub mod sheet;
