//! Keeps LiteRT's start-up chatter off stderr.
//!
//! The Linux libLiteRt prints INFO lines (accelerator discovery, "Creating
//! LiteRT environment", "DestroyAccelerator") straight to stderr, and exports
//! no call to change its log level (`litert::set_global_log_severity` returns
//! `Unsupported` there). A CLI whose errors must be one clear line, and a
//! daemon whose journal should say something, cannot have that, so model
//! creation and destruction run with fd 2 pointed at /dev/null. Inference
//! itself does not log and is never muted.

use std::sync::Mutex;

static MUTE: Mutex<()> = Mutex::new(());

/// Runs `f` with the process's stderr discarded, restoring it afterwards.
/// Only for LiteRT set-up and tear-down: any other thread's stderr output
/// during that short window is lost too.
pub fn with_stderr_muted<T>(f: impl FnOnce() -> T) -> T {
    let _guard = MUTE.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: plain fd calls on fds we own; every path restores fd 2.
    unsafe {
        let saved = libc::dup(2);
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if saved < 0 || null < 0 {
            if saved >= 0 {
                libc::close(saved);
            }
            if null >= 0 {
                libc::close(null);
            }
            return f();
        }
        libc::dup2(null, 2);
        libc::close(null);
        let out = f();
        libc::dup2(saved, 2);
        libc::close(saved);
        out
    }
}
