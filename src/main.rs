//! The `passbooth` binary; everything is in the library.

fn main() -> std::process::ExitCode {
    passbooth::cli::main()
}
