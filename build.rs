//! Lets every binary we build find LiteRT without LD_LIBRARY_PATH.
//!
//! `litert-sys` links libLiteRt.so but its rpath flag applies only to its own
//! targets, so we add ours: the folder the library was linked from (tests,
//! benches, `cargo run`), and `../lib/passbooth` beside the binary (the .deb
//! layout: /usr/bin/passbooth and /usr/lib/passbooth/libLiteRt.so). A package
//! build (PASSBOOTH_PACKAGE=1) leaves out the build machine's folder.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_LITERT_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PASSBOOTH_PACKAGE");
    let package = std::env::var_os("PASSBOOTH_PACKAGE").is_some_and(|v| v == "1");
    if let Ok(dir) = std::env::var("DEP_LITERT_LIB_DIR")
        && !package
    {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
    println!("cargo:rustc-link-arg-bins=-Wl,-rpath,$ORIGIN/../lib/passbooth");
}
