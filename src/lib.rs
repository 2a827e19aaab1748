pub mod compose;
pub mod imaging;
pub mod spec;
pub mod vision;
