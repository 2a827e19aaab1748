//! The HTTP side of the hand-off: one listening socket on the address the
//! operator names (the booth's own Wi-Fi access point), one path. It
//! answers `GET /p/<token>.jpg` with the photo while the offer lasts, 410
//! once it is used up or expired, and 404 to everything else; it logs
//! nothing of its clients (not even their address) and reads at most a few
//! kilobytes of any request before answering.
//!
//! Each client is answered on a thread of its own, at most
//! [`MAX_CLIENTS`] at once (more are closed unanswered), so a phone that
//! connects and says nothing holds up nobody but itself; the file is
//! copied (into locked memory, wiped when sent) to be written outside the
//! offer's lock, so a slow phone does not either.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::offer::{Limits, Offer, Reply};
use super::token::Token;
use crate::clock::Millis;
use crate::imaging::SecretBuf;

/// The most of a request that is read: a request line and a phone's
/// headers fit in it; anything longer is not ours.
const MAX_REQUEST: usize = 8 * 1024;
/// A client gets this long to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(3);
/// And this long to take the photo (a few hundred kB on Wi-Fi).
const WRITE_TIMEOUT: Duration = Duration::from_secs(20);
/// How often an idle server looks for expiry and shutdown.
const POLL: Duration = Duration::from_millis(20);
/// Clients answered at once: a family's phones, with room for prefetches.
pub const MAX_CLIENTS: usize = 4;

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
    /// No random token could be made.
    #[error("cannot make a one-time link: {0}")]
    Token(std::io::Error),
}

struct Shared {
    offer: Option<Offer>,
    sent: u64,
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
    thread: Option<JoinHandle<()>>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // A panic while serving leaves the offer as it was; keep going.
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

impl PhoneServer {
    /// Listens on `bind` (port 0: any free port).
    pub fn start(bind: SocketAddr) -> Result<PhoneServer, ServerError> {
        let listener =
            TcpListener::bind(bind).map_err(|source| ServerError::Bind { addr: bind, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ServerError::Bind { addr: bind, source })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| ServerError::Bind { addr, source })?;
        let shared = Arc::new(Mutex::new(Shared {
            offer: None,
            sent: 0,
            started: Instant::now(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (shared, stop) = (Arc::clone(&shared), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("phone".into())
                .spawn(move || serve(&listener, &shared, &stop))
                .map_err(|source| ServerError::Bind { addr, source })?
        };
        Ok(PhoneServer {
            addr,
            shared,
            stop,
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Offers `file` (wiping any earlier offer) and returns the link's
    /// path, `/p/<token>.jpg`.
    pub fn offer(&self, file: SecretBuf<u8>, limits: Limits) -> Result<String, ServerError> {
        let token = Token::random().map_err(ServerError::Token)?;
        let mut s = lock(&self.shared);
        let now = s.now();
        let offer = Offer::new(token, file, limits, now);
        let path = format!("/p/{}.jpg", offer.token_hex());
        s.offer = Some(offer);
        Ok(path)
    }

    /// Wipes the file on offer, if any (the session ends).
    pub fn withdraw(&self) {
        lock(&self.shared).offer = None;
    }

    /// Whether the file on offer is gone (used up, expired or withdrawn).
    pub fn spent(&self) -> bool {
        let mut s = lock(&self.shared);
        let now = s.now();
        match s.offer.as_mut() {
            Some(o) => {
                o.expire(now);
                o.is_spent()
            }
            None => true,
        }
    }

    /// Files sent since the server started (the only thing counted).
    pub fn sent(&self) -> u64 {
        lock(&self.shared).sent
    }
}

impl Drop for PhoneServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.withdraw();
    }
}

fn serve(listener: &TcpListener, shared: &Arc<Mutex<Shared>>, stop: &AtomicBool) {
    let clients = Arc::new(AtomicUsize::new(0));
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            // The client's address is dropped unread: nothing to log.
            Ok((stream, _)) => {
                if clients.fetch_add(1, Ordering::SeqCst) >= MAX_CLIENTS {
                    clients.fetch_sub(1, Ordering::SeqCst);
                    continue; // closed unanswered
                }
                let (shared, clients) = (Arc::clone(shared), Arc::clone(&clients));
                let spawned = std::thread::Builder::new()
                    .name("phone client".into())
                    .spawn(move || {
                        answer(stream, &shared);
                        clients.fetch_sub(1, Ordering::SeqCst);
                    });
                if spawned.is_err() {
                    std::thread::sleep(POLL);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                let mut s = lock(shared);
                let now = s.now();
                if let Some(o) = s.offer.as_mut() {
                    o.expire(now);
                }
                drop(s);
                std::thread::sleep(POLL);
            }
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

/// The token part of a request for our one path, if it is one.
fn requested_token(head: &[u8]) -> Option<&[u8]> {
    let line_end = head.iter().position(|&b| b == b'\r' || b == b'\n')?;
    let mut parts = head[..line_end].split(|&b| b == b' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if method != b"GET" || !version.starts_with(b"HTTP/1.") || parts.next().is_some() {
        return None;
    }
    target.strip_prefix(b"/p/")?.strip_suffix(b".jpg")
}

/// Reads the request head (bounded), answers it, closes.
fn answer(mut stream: TcpStream, shared: &Mutex<Shared>) {
    if stream.set_nonblocking(false).is_err()
        || stream.set_read_timeout(Some(READ_TIMEOUT)).is_err()
        || stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_err()
    {
        return;
    }
    let mut head = [0u8; MAX_REQUEST];
    let mut len = 0;
    while len < head.len() && !head[..len].windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut head[len..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => len += n,
        }
    }
    let reply = {
        let mut s = lock(shared);
        let now = s.now();
        let answer = match (requested_token(&head[..len]), s.offer.as_mut()) {
            // A copy to write outside the lock, in locked memory, wiped
            // when this thread drops it.
            (Some(candidate), Some(offer)) => match offer.request(candidate, now) {
                Reply::File(bytes) => Answer::File(SecretBuf::try_copy_of(bytes)),
                Reply::Gone => Answer::Gone,
                Reply::NotFound => Answer::NotFound,
            },
            _ => Answer::NotFound,
        };
        // Counted as it is handed out: the count is "files sent", and a
        // test reading it right after its own fetch sees its fetch.
        if matches!(answer, Answer::File(_)) {
            s.sent = s.sent.saturating_add(1);
        }
        // The offer's own file goes as soon as its last fetch is handed out.
        if let Some(o) = s.offer.as_mut() {
            o.expire(now);
        }
        answer
    };
    match &reply {
        Answer::File(bytes) => {
            let header = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\
                 Content-Disposition: attachment; filename=\"photo.jpg\"\r\n\
                 Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            // A phone that goes away mid-file gets no second chance
            // beyond the fetches left.
            let _ = stream
                .write_all(header.as_bytes())
                .and_then(|()| stream.write_all(bytes));
        }
        Answer::Gone => status(&mut stream, "410 Gone"),
        Answer::NotFound => status(&mut stream, "404 Not Found"),
    }
    drop(reply);
    head.fill(0);
    let _ = stream.flush();
}

/// What one client is sent.
enum Answer {
    File(SecretBuf<u8>),
    Gone,
    NotFound,
}

fn status(stream: &mut TcpStream, line: &str) {
    let text = format!("HTTP/1.1 {line}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = stream.write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_get_of_our_path_names_a_token() {
        assert_eq!(
            requested_token(b"GET /p/abc.jpg HTTP/1.1\r\nHost: x\r\n\r\n"),
            Some(&b"abc"[..])
        );
        for bad in [
            &b"POST /p/abc.jpg HTTP/1.1\r\n\r\n"[..],
            b"GET /p/abc.png HTTP/1.1\r\n\r\n",
            b"GET /../p/abc.jpg HTTP/1.1\r\n\r\n",
            b"GET /p/abc.jpg\r\n\r\n",
            b"GET /p/abc.jpg HTTP/1.1 extra\r\n\r\n",
            b"",
        ] {
            assert_eq!(
                requested_token(bad),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
