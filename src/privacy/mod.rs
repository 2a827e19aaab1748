//! Keeping faces out of everywhere but RAM: the process-wide measures (no
//! core dumps, no ptrace-style reads by other users, memory locked against
//! swap) and the page-level one every face buffer takes (no core dump even if
//! dumps were on). The zeroing allocator is the backstop for memory this
//! crate does not own directly: see [`alloc`].

pub mod alloc;
pub mod checkpoint;

use std::sync::atomic::{AtomicBool, Ordering};

/// Whether `mlockall` is in force: then every page stays locked for the
/// life of the process, and nothing here may unlock one.
static ALL_LOCKED: AtomicBool = AtomicBool::new(false);

/// What [`harden_process`] managed; the daemon logs it at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hardening {
    /// `PR_SET_DUMPABLE` is 0: no core dump, /proc/PID/mem closed to others.
    pub undumpable: bool,
    /// `RLIMIT_CORE` is 0.
    pub no_core: bool,
    /// All current and future pages are locked in RAM (never swapped).
    pub locked: bool,
}

impl std::fmt::Display for Hardening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let yes = |b| if b { "yes" } else { "NO" };
        write!(
            f,
            "not dumpable {}, core limit 0 {}, memory locked {}",
            yes(self.undumpable),
            yes(self.no_core),
            yes(self.locked)
        )
    }
}

/// Makes this process undumpable, sets its core limit to 0 and locks its
/// memory (current and future) in RAM. Each step is best effort: locking
/// needs `LimitMEMLOCK=infinity` (the unit sets it) or root, and a booth
/// without it still runs, saying so in its log.
pub fn harden_process() -> Hardening {
    // SAFETY: plain syscalls on this process with valid arguments.
    unsafe {
        let undumpable = libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        let no_core = libc::setrlimit(libc::RLIMIT_CORE, &zero) == 0;
        let locked = libc::mlockall(libc::MCL_CURRENT | libc::MCL_FUTURE) == 0;
        ALL_LOCKED.store(locked, Ordering::SeqCst);
        Hardening {
            undumpable,
            no_core,
            locked,
        }
    }
}

/// Page size, for rounding.
fn page() -> usize {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(p).unwrap_or(4096).max(1)
}

/// The whole pages inside `[ptr, ptr + len)`, as (start, length), if any.
fn whole_pages(ptr: *const u8, len: usize) -> Option<(*mut libc::c_void, usize)> {
    let p = page();
    let start = (ptr as usize).div_ceil(p) * p;
    let end = (ptr as usize + len) / p * p;
    (end > start).then(|| (start as *mut libc::c_void, end - start))
}

/// Marks the whole pages inside `[ptr, ptr + len)` as excluded from core
/// dumps and locks them in RAM (both best effort). Large buffers (the ones
/// that hold a photo) are their own mappings, so this covers all of them;
/// the rest of a small buffer shares its page with other data and is covered
/// by the process-wide measures.
pub fn protect_pages(ptr: *const u8, len: usize) {
    if let Some((start, len)) = whole_pages(ptr, len) {
        // SAFETY: the range lies inside memory the caller owns; madvise and
        // mlock do not change its contents.
        unsafe {
            libc::madvise(start, len, libc::MADV_DONTDUMP);
            libc::mlock(start, len);
        }
    }
}

/// Undoes [`protect_pages`]'s lock before the memory is freed (a locked
/// page returned to the allocator would stay locked), unless `mlockall` is
/// in force: a small buffer's pages lie inside the shared heap, and
/// unlocking them would let the next buffer there (another face) be
/// swapped out.
pub fn release_pages(ptr: *const u8, len: usize) {
    if ALL_LOCKED.load(Ordering::SeqCst) {
        return;
    }
    if let Some((start, len)) = whole_pages(ptr, len) {
        // SAFETY: as protect_pages.
        unsafe {
            libc::munlock(start, len);
        }
    }
}

/// The `VmFlags` of the mapping holding `addr`, from /proc/self/smaps (for
/// tests and `doctor`).
pub fn vm_flags_at(addr: usize) -> Option<String> {
    let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
    let mut inside = false;
    for line in smaps.lines() {
        if let Some((range, _)) = line.split_once(' ')
            && let Some((a, b)) = range.split_once('-')
            && let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
        {
            inside = (a..b).contains(&addr);
            continue;
        }
        if inside && let Some(flags) = line.strip_prefix("VmFlags:") {
            return Some(flags.trim().to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::SecretBuf;

    #[test]
    fn a_photo_sized_buffer_is_out_of_core_dumps() {
        let buf: SecretBuf<u8> = SecretBuf::zeroed(4 << 20);
        let middle = buf.as_ptr() as usize + (2 << 20);
        let flags = vm_flags_at(middle).expect("mapping found");
        let has = |flag: &str| flags.split(' ').any(|f| f == flag);
        // qemu-user (scripts/pi) passes mlock to the host but not
        // MADV_DONTDUMP; a real kernel, the Pi's included, applies both.
        if std::env::var_os("PASSBOOTH_EMULATED").is_some() {
            assert!(has("lo"), "VmFlags: {flags}");
        } else {
            assert!(has("dd"), "VmFlags: {flags}");
        }
    }

    #[test]
    fn hardening_reports_each_measure() {
        // In a process of its own (this test binary again, running only
        // this test), so the test binary keeps its own settings. Not a
        // fork: forking the multi-threaded harness can deadlock the child
        // on a lock another thread held (it did under qemu-user).
        if std::env::var_os(CHILD).is_some() {
            let h = harden_process();
            // SAFETY: reading this process's own settings.
            let ok = unsafe {
                let mut r = libc::rlimit {
                    rlim_cur: 1,
                    rlim_max: 1,
                };
                libc::getrlimit(libc::RLIMIT_CORE, &mut r);
                h.undumpable
                    && h.no_core
                    && libc::prctl(libc::PR_GET_DUMPABLE) == 0
                    && r.rlim_cur == 0
            };
            // "memory locked" says what the kernel did: locked pages exist
            // exactly when it says yes, and where locking is allowed (CI as
            // root, the booth's LimitMEMLOCK=infinity) it must be yes.
            let vm_lck_kb = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("VmLck:"))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                })
                .unwrap_or(0);
            // Allowed to lock everything: CAP_IPC_LOCK (bit 14 of the
            // effective set; root in a container may lack it) or no limit.
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let cap_ipc_lock = status
                .lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
                .is_some_and(|caps| caps & (1 << 14) != 0);
            let mut memlock = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            // SAFETY: reading this process's own limit into a valid struct.
            unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut memlock) };
            let may_lock = cap_ipc_lock || memlock.rlim_cur == libc::RLIM_INFINITY;
            let ok = ok && h.locked == (vm_lck_kb > 0) && (h.locked || !may_lock);
            std::process::exit(if ok { 0 } else { 1 });
        }
        let exe = std::env::current_exe().expect("the test binary");
        let status = std::process::Command::new(exe)
            .args([
                "--exact",
                "privacy::tests::hardening_reports_each_measure",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("the test binary runs");
        assert!(status.success(), "{status}");
    }

    /// Set in the process that hardens itself.
    const CHILD: &str = "PASSBOOTH_HARDENING_CHILD";
}
