//! An operator's config of any content, checked against the shipped specs.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use passbooth::spec::SpecLibrary;

fn specs() -> &'static SpecLibrary {
    static SPECS: OnceLock<SpecLibrary> = OnceLock::new();
    SPECS.get_or_init(|| {
        SpecLibrary::load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs"))
            .expect("the shipped specs load")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = passbooth::config::Config::from_toml(
            text,
            std::path::Path::new("passbooth.toml"),
            specs(),
        );
    }
});
