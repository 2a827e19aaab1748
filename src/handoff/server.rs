//! The HTTP side of the hand-off: one listening socket on the address the
//! operator names (the booth's own Wi-Fi access point), two paths per
//! offer. `GET /p/<token>` is the page that opens the photo in the phone's
//! browser, `GET /p/<token>.bin` the sealed file; 410 once the offer is
//! used up or expired, 404 to everything else. It logs nothing of its
//! clients (not even their address).
//!
//! Anyone on the booth's Wi-Fi can connect (its password is on the
//! screen), so no client may hold the server or the file:
//! - one thread serves every client from a `poll(2)` loop over
//!   non-blocking sockets: no thread per client, nothing to run out of;
//! - a request must arrive whole within [`REQUEST_DEADLINE`], and a reply
//!   must be taken within [`TRANSFER_DEADLINE`]; past either the
//!   connection is reset;
//! - at most [`MAX_CONNECTIONS`] at once and [`PER_ADDRESS`] from one
//!   address: a new connection over either limit pushes out the oldest one
//!   still waiting for its request, so idle or reconnecting clients can
//!   never keep a phone that asks from being answered;
//! - the file is written straight from the offer (no copy), and when the
//!   offer is withdrawn or expires every transfer of it is reset at once
//!   (`SO_LINGER` 0: the kernel drops what it still queued).

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::offer::{Limits, Offer, Reply, Want};
use super::page;
use super::token::Token;
use crate::clock::Millis;
use crate::imaging::SecretBuf;

/// The most of a request that is read: a request line and a phone's
/// headers fit in it; anything longer is not ours.
const MAX_REQUEST: usize = 8 * 1024;
/// A client gets this long from connecting to sending its whole request:
/// a phone sends it at once.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(2);
/// And this long from its request to having taken the whole reply (a few
/// hundred kB: seconds on the slowest Wi-Fi).
pub const TRANSFER_DEADLINE: Duration = Duration::from_secs(15);
/// Connections open at once.
pub const MAX_CONNECTIONS: usize = 64;
/// Connections open at once from one address.
pub const PER_ADDRESS: usize = 8;
/// The longest the loop sleeps with nothing to do: how late an expiry can
/// be noticed.
const TICK: Duration = Duration::from_millis(50);

/// Why the server cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address could not be bound (wrong address, port taken).
    #[error("cannot listen on {addr} for the phone hand-off")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The server's thread could not be started.
    #[error("cannot start the phone hand-off's thread")]
    Thread(#[source] std::io::Error),
    /// No random token could be made.
    #[error("cannot make a one-time link")]
    Token(#[source] std::io::Error),
}

struct Shared {
    offer: Option<Offer>,
    /// Which offer is current: a transfer of an older one is cut.
    generation: u64,
    sent: u64,
    turned_away: u64,
    started: Instant,
}

impl Shared {
    fn now(&self) -> Millis {
        self.started.elapsed().as_millis() as Millis
    }
}

/// The running server.
pub struct PhoneServer {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    wake: UnixStream,
    thread: Option<JoinHandle<()>>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // A panic while serving leaves the offer as it was; keep going.
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

impl PhoneServer {
    /// Listens on `bind` (port 0: any free port; tests).
    pub fn start(bind: SocketAddr) -> Result<PhoneServer, ServerError> {
        let bind_err = |addr| move |source| ServerError::Bind { addr, source };
        let listener = TcpListener::bind(bind).map_err(bind_err(bind))?;
        let addr = listener.local_addr().map_err(bind_err(bind))?;
        listener.set_nonblocking(true).map_err(bind_err(addr))?;
        let (wake, woken) = UnixStream::pair().map_err(ServerError::Thread)?;
        wake.set_nonblocking(true).map_err(ServerError::Thread)?;
        woken.set_nonblocking(true).map_err(ServerError::Thread)?;
        let shared = Arc::new(Mutex::new(Shared {
            offer: None,
            generation: 0,
            sent: 0,
            turned_away: 0,
            started: Instant::now(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let mut lp = Loop {
                listener,
                woken,
                shared: Arc::clone(&shared),
                stop: Arc::clone(&stop),
                conns: Vec::with_capacity(MAX_CONNECTIONS),
            };
            std::thread::Builder::new()
                .name("phone".into())
                .spawn(move || lp.run())
                .map_err(ServerError::Thread)?
        };
        Ok(PhoneServer {
            addr,
            shared,
            stop,
            wake,
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Offers the sealed `file` (wiping any earlier offer and cutting its
    /// transfers) and returns the link's path, `/p/<token>`.
    pub fn offer(&self, file: SecretBuf<u8>, limits: Limits) -> Result<String, ServerError> {
        let token = Token::random().map_err(ServerError::Token)?;
        let mut s = lock(&self.shared);
        let now = s.now();
        let offer = Offer::new(token, file, limits, now);
        let path = format!("/p/{}", offer.token_hex());
        s.offer = Some(offer);
        s.generation += 1;
        drop(s);
        self.wake();
        Ok(path)
    }

    /// Wipes the file on offer, if any, and cuts every transfer of it at
    /// once (the session ends).
    pub fn withdraw(&self) {
        let mut s = lock(&self.shared);
        s.offer = None;
        s.generation += 1;
        drop(s);
        self.wake();
    }

    fn wake(&self) {
        // Full means a wake-up is already pending.
        let _ = (&self.wake).write(&[1]);
    }

    /// Whether the file on offer is gone (used up, expired or withdrawn),
    /// as the server's own loop last found it.
    pub fn spent(&self) -> bool {
        lock(&self.shared)
            .offer
            .as_ref()
            .is_none_or(Offer::is_spent)
    }

    /// Files handed out since the server started (the only thing counted).
    pub fn sent(&self) -> u64 {
        lock(&self.shared).sent
    }

    /// Connections closed unanswered since the server started: idle past
    /// the request deadline, or pushed out by newer ones over the limits.
    pub fn turned_away(&self) -> u64 {
        lock(&self.shared).turned_away
    }
}

impl Drop for PhoneServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.withdraw();
    }
}

/// What a connection is doing.
enum Phase {
    /// Reading its request, until `deadline`.
    Reading {
        head: Box<[u8; MAX_REQUEST]>,
        len: usize,
    },
    /// Writing the status line and headers, then the body.
    Writing {
        header: Vec<u8>,
        body: Body,
        at: usize,
    },
    /// All written and the write side shut: waiting for the client to
    /// take it (the kernel's queue empty) or go.
    Draining,
}

/// A reply's body.
#[derive(Clone, Copy)]
enum Body {
    None,
    Page,
    /// The sealed file of the offer of [`Conn::file`]'s generation.
    File,
}

struct Conn {
    stream: TcpStream,
    peer: IpAddr,
    opened: Instant,
    deadline: Instant,
    phase: Phase,
    /// The generation of the offer whose file this connection is sending
    /// (until the client has it all): cut when that offer is gone.
    file: Option<u64>,
}

/// How a turn of a connection ended.
enum Turn {
    Open,
    /// Done: close normally.
    Close,
    /// Cut: reset, dropping whatever the kernel still holds for it.
    Reset,
}

struct Loop {
    listener: TcpListener,
    woken: UnixStream,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    conns: Vec<Conn>,
}

impl Loop {
    fn run(&mut self) {
        let mut fds: Vec<libc::pollfd> = Vec::with_capacity(MAX_CONNECTIONS + 2);
        while !self.stop.load(Ordering::SeqCst) {
            fds.clear();
            let want = |fd: &dyn AsRawFd, events| libc::pollfd {
                fd: fd.as_raw_fd(),
                events,
                revents: 0,
            };
            fds.push(want(&self.listener, libc::POLLIN));
            fds.push(want(&self.woken, libc::POLLIN));
            for c in &self.conns {
                let events = match c.phase {
                    Phase::Writing { .. } => libc::POLLOUT,
                    _ => libc::POLLIN,
                };
                fds.push(want(&c.stream, events));
            }
            let timeout = self
                .conns
                .iter()
                .map(|c| c.deadline.saturating_duration_since(Instant::now()))
                .fold(TICK, Duration::min);
            // SAFETY: `fds` is a live, initialised slice of pollfd for the
            // whole call; poll writes only their `revents`.
            let n = unsafe {
                libc::poll(
                    fds.as_mut_ptr(),
                    fds.len() as libc::nfds_t,
                    timeout.as_millis().max(1) as libc::c_int,
                )
            };
            if n < 0 {
                std::thread::sleep(TICK);
                continue;
            }
            let mut drain = [0u8; 64];
            while matches!((&self.woken).read(&mut drain), Ok(n) if n > 0) {}
            // Connections first, from the last: `end` swaps the last one
            // into the slot it frees, which is then one already visited, so
            // each index still matches its entry in `fds`. New ones after.
            for i in (0..self.conns.len()).rev() {
                let turn = if fds[2 + i].revents != 0 {
                    self.turn(i)
                } else {
                    Turn::Open
                };
                self.end(i, turn);
            }
            if fds[0].revents != 0 {
                self.accept();
            }
            self.housekeeping();
        }
        while !self.conns.is_empty() {
            self.end(0, Turn::Reset);
        }
    }

    /// Ends connection `i` if `turn` says so; whether it did.
    fn end(&mut self, i: usize, turn: Turn) -> bool {
        if matches!(turn, Turn::Open) {
            return false;
        }
        let c = self.conns.swap_remove(i);
        if let Some(g) = c.file {
            let mut s = lock(&self.shared);
            if s.generation == g
                && let Some(o) = s.offer.as_mut()
            {
                o.finished();
            }
        }
        if matches!(turn, Turn::Reset) {
            reset(&c.stream);
        }
        drop(c);
        true
    }

    fn accept(&mut self) {
        loop {
            match self.listener.accept() {
                // The address is kept only to count connections per
                // address while they are open; never logged.
                Ok((stream, peer)) => self.admit(stream, peer.ip()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                // WouldBlock: all taken; anything else (out of file
                // descriptors): the next turn tries again.
                Err(_) => return,
            }
        }
    }

    /// Takes a new connection, pushing out the oldest idle one from the
    /// same address, or anywhere, when a limit is reached.
    fn admit(&mut self, stream: TcpStream, peer: IpAddr) {
        if stream.set_nonblocking(true).is_err() {
            return;
        }
        let from_peer = self.conns.iter().filter(|c| c.peer == peer).count();
        if from_peer >= PER_ADDRESS || self.conns.len() >= MAX_CONNECTIONS {
            let same = from_peer >= PER_ADDRESS;
            let oldest = self
                .conns
                .iter()
                .enumerate()
                .filter(|(_, c)| matches!(c.phase, Phase::Reading { .. }))
                .filter(|(_, c)| !same || c.peer == peer)
                .min_by_key(|(_, c)| c.opened)
                .map(|(i, _)| i);
            let Some(oldest) = oldest else {
                // Every slot is a reply under way (bounded by its
                // deadline): this one is turned away.
                lock(&self.shared).turned_away += 1;
                reset(&stream);
                return;
            };
            lock(&self.shared).turned_away += 1;
            self.end(oldest, Turn::Reset);
        }
        let now = Instant::now();
        self.conns.push(Conn {
            stream,
            peer,
            opened: now,
            deadline: now + REQUEST_DEADLINE,
            phase: Phase::Reading {
                head: Box::new([0; MAX_REQUEST]),
                len: 0,
            },
            file: None,
        });
    }

    /// One step of connection `i`, which the kernel says is ready.
    fn turn(&mut self, i: usize) -> Turn {
        let shared = Arc::clone(&self.shared);
        let c = &mut self.conns[i];
        match &mut c.phase {
            Phase::Reading { head, len } => {
                match (&c.stream).read(&mut head[*len..]) {
                    Ok(0) => return Turn::Close,
                    Ok(n) => *len += n,
                    Err(e) if would_wait(&e) => return Turn::Open,
                    Err(_) => return Turn::Reset,
                }
                let complete = head[..*len].windows(4).any(|w| w == b"\r\n\r\n");
                if !complete && *len < MAX_REQUEST {
                    return Turn::Open;
                }
                let (header, body, file) = answer(&head[..*len], &shared);
                head.fill(0);
                c.file = file;
                c.phase = Phase::Writing {
                    header,
                    body,
                    at: 0,
                };
                c.deadline = Instant::now() + TRANSFER_DEADLINE;
                Turn::Open
            }
            Phase::Writing { header, body, at } => {
                let s = lock(&shared);
                let bytes: &[u8] = if *at < header.len() {
                    &header[*at..]
                } else {
                    let whole = match *body {
                        Body::None => &[][..],
                        Body::Page => page::html(),
                        Body::File => match s.offer.as_ref().and_then(Offer::file) {
                            Some(f) if Some(s.generation) == c.file => f,
                            // Withdrawn or expired under it: cut.
                            _ => return Turn::Reset,
                        },
                    };
                    &whole[*at - header.len()..]
                };
                if bytes.is_empty() {
                    drop(s);
                    let _ = c.stream.shutdown(Shutdown::Write);
                    c.phase = Phase::Draining;
                    return Turn::Open;
                }
                match (&c.stream).write(bytes) {
                    Ok(n) => *at += n,
                    Err(e) if would_wait(&e) => {}
                    Err(_) => return Turn::Reset,
                }
                Turn::Open
            }
            Phase::Draining => {
                let mut sink = [0u8; 512];
                match (&c.stream).read(&mut sink) {
                    // The client has it all and has gone.
                    Ok(0) => Turn::Close,
                    Ok(_) => Turn::Open,
                    Err(e) if would_wait(&e) => Turn::Open,
                    Err(_) => Turn::Reset,
                }
            }
        }
    }

    /// Expires the offer, cuts what is past its deadline or belongs to an
    /// offer that is gone, closes drained connections.
    fn housekeeping(&mut self) {
        let now = Instant::now();
        let (generation, live) = {
            let mut s = lock(&self.shared);
            let t = s.now();
            if let Some(o) = s.offer.as_mut() {
                o.expire(t);
            }
            let live = s.offer.as_ref().is_some_and(|o| !o.is_spent());
            (s.generation, live)
        };
        let mut i = 0;
        while i < self.conns.len() {
            let c = &self.conns[i];
            let turn = match c.phase {
                _ if now >= c.deadline => {
                    if matches!(c.phase, Phase::Reading { .. }) {
                        lock(&self.shared).turned_away += 1;
                    }
                    Turn::Reset
                }
                // Withdrawn or expired while the kernel still holds some:
                // reset, which drops it.
                _ if c.file.is_some_and(|g| g != generation || !live) => Turn::Reset,
                Phase::Draining if unsent(&c.stream) == Some(0) => Turn::Close,
                _ => Turn::Open,
            };
            if !self.end(i, turn) {
                i += 1;
            }
        }
    }
}

fn would_wait(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted)
}

/// Bytes the kernel still holds for `stream`, unsent or unacknowledged.
fn unsent(stream: &TcpStream) -> Option<libc::c_int> {
    let mut n: libc::c_int = 0;
    // SAFETY: TIOCOUTQ (SIOCOUTQ) writes one int through the pointer.
    let rc = unsafe { libc::ioctl(stream.as_raw_fd(), libc::TIOCOUTQ, &mut n) };
    (rc == 0).then_some(n)
}

/// Closes with a reset: the kernel drops whatever it still queued for the
/// client instead of trying to deliver it.
fn reset(stream: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: SO_LINGER takes a `linger` struct of the size passed.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// What a request is for, if it is one of ours: the token part and which
/// of the two paths.
fn requested(head: &[u8]) -> Option<(Want, &[u8])> {
    let line_end = head.iter().position(|&b| b == b'\r' || b == b'\n')?;
    let mut parts = head[..line_end].split(|&b| b == b' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if method != b"GET" || !version.starts_with(b"HTTP/1.") || parts.next().is_some() {
        return None;
    }
    let rest = target.strip_prefix(b"/p/")?;
    match rest.strip_suffix(b".bin") {
        Some(token) => Some((Want::File, token)),
        None => Some((Want::Page, rest)),
    }
}

/// The reply to `head`: its header bytes, its body, and the generation of
/// the offer whose file it sends.
fn answer(head: &[u8], shared: &Mutex<Shared>) -> (Vec<u8>, Body, Option<u64>) {
    let mut s = lock(shared);
    let now = s.now();
    let generation = s.generation;
    // The file's length only: its bytes are written from the offer.
    let reply = match (requested(head), s.offer.as_mut()) {
        (Some((want, token)), Some(offer)) => match offer.request(want, token, now) {
            Reply::Page => Sends::Page,
            Reply::File(f) => Sends::File(f.len()),
            Reply::Gone => Sends::Gone,
            Reply::NotFound => Sends::NotFound,
        },
        _ => Sends::NotFound,
    };
    match reply {
        Sends::Page => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                 Content-Length: {}\r\nContent-Security-Policy: {}\r\n\
                 Referrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n\
                 Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                page::html().len(),
                page::POLICY
            );
            (head.into_bytes(), Body::Page, None)
        }
        Sends::File(len) => {
            // Counted as it is handed out: "files sent".
            s.sent = s.sent.saturating_add(1);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
                 Content-Length: {len}\r\nX-Content-Type-Options: nosniff\r\n\
                 Cache-Control: no-store\r\nConnection: close\r\n\r\n"
            );
            (head.into_bytes(), Body::File, Some(generation))
        }
        Sends::Gone => (status("410 Gone"), Body::None, None),
        Sends::NotFound => (status("404 Not Found"), Body::None, None),
    }
}

/// A reply as [`answer`] decides it, without the offer's borrow.
enum Sends {
    Page,
    File(usize),
    Gone,
    NotFound,
}

fn status(line: &str) -> Vec<u8> {
    format!("HTTP/1.1 {line}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_get_of_our_paths_names_a_token() {
        assert_eq!(
            requested(b"GET /p/abc HTTP/1.1\r\nHost: x\r\n\r\n"),
            Some((Want::Page, &b"abc"[..]))
        );
        assert_eq!(
            requested(b"GET /p/abc.bin HTTP/1.1\r\n\r\n"),
            Some((Want::File, &b"abc"[..]))
        );
        for bad in [
            &b"POST /p/abc HTTP/1.1\r\n\r\n"[..],
            b"GET /../p/abc HTTP/1.1\r\n\r\n",
            b"GET /p/abc\r\n\r\n",
            b"GET /p/abc HTTP/1.1 extra\r\n\r\n",
            b"",
        ] {
            assert_eq!(requested(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }
}
