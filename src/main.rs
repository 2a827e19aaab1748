//! The `passbooth` binary; everything is in the library.

/// Every freed or moved heap block is zeroed first: the backstop for copies
/// of a face in memory this crate does not own (see `privacy::alloc`).
#[global_allocator]
static ALLOC: passbooth::privacy::alloc::ZeroingAlloc =
    passbooth::privacy::alloc::ZeroingAlloc::SYSTEM;

fn main() -> std::process::ExitCode {
    passbooth::cli::main()
}
