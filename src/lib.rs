pub mod imaging;
pub mod vision;
