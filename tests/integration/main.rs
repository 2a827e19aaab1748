//! Integration tests: one binary, one module per area.
mod accuracy;
mod alloc;
mod booth;
mod cli;
mod common;
mod cups;
mod cutout;
mod detection;
mod digital;
mod doctor;
mod evaluation;
mod file_formats;
mod footprint;
mod glasses;
mod handoff;
mod hostile_files;
mod hostile_printer;
mod languages;
mod layers;
mod memory;
mod metrics;
mod payment;
mod phone_browser;
#[cfg(feature = "libcamera")]
mod pi;
mod power_cut;
mod printer;
mod printing;
mod privacy_doc;
mod residue;
mod screens;
mod session_end;
mod simulate;
mod soak;
mod still_path;
mod stream_plan;
mod till;
mod tls_printer;
mod unit;
mod voice;
mod wiped;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;
