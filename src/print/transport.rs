//! IPP over HTTP with bounds: a printer (or anything answering on its port)
//! can send an endless or absurd answer, and the booth locks its memory, so
//! an unbounded read ends in an OOM kill. Every answer is read through a
//! byte limit and its attributes are counted; a printer that never answers
//! runs into the request time-out.

use std::time::Duration;

use ipp::parser::IppParser;
use ipp::prelude::*;
use ipp::reader::IppReader;

/// Largest answer read from a printer. A full Get-Printer-Attributes of a
/// large office printer is about 100 kB; the answers asked for here are a
/// few kB.
pub const MAX_RESPONSE_BYTES: u64 = 1 << 20;
/// Most attributes accepted in one answer (a real one has dozens).
pub const MAX_ATTRIBUTES: usize = 4096;
/// Longest wait to connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why an exchange with a printer failed.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The printer's certificate is not vouched for (an `ipps://` printer
    /// whose certificate is neither from a public CA nor the pinned one).
    #[error(
        "the printer at {url} is not the one trusted: its certificate is refused ({detail}); pin its certificate in the config ([printer] certificate)"
    )]
    Untrusted {
        /// Where.
        url: String,
        /// What TLS said.
        detail: String,
    },
    /// No connection, or the connection broke, or it timed out.
    #[error("cannot reach the printer at {url}: {source}")]
    Unreachable {
        /// Where.
        url: String,
        /// What happened.
        #[source]
        source: Box<ureq::Error>,
    },
    /// An HTTP status other than 200.
    #[error("the printer at {url} answered HTTP {status}")]
    Http {
        /// Where.
        url: String,
        /// The status.
        status: u16,
    },
    /// The answer is over [`MAX_RESPONSE_BYTES`] or [`MAX_ATTRIBUTES`].
    #[error("the printer at {url} sent an answer too large to be real ({what})")]
    TooLarge {
        /// Where.
        url: String,
        /// Which bound.
        what: String,
    },
    /// The answer is not IPP.
    #[error("the printer at {url} sent an answer that is not IPP ({detail})")]
    Garbage {
        /// Where.
        url: String,
        /// The parser's words.
        detail: String,
    },
}

/// Whom an `ipps://` printer's certificate must be vouched for by.
#[derive(Debug, Clone, Default)]
pub enum Trust {
    /// The public certificate authorities (Mozilla's list, built in): a
    /// printer with a certificate from a CA, under the name in its URI.
    #[default]
    PublicCas,
    /// Exactly these certificates (the printer's own self-signed one, from
    /// the config): pinned, nothing else is accepted. The name in the URI
    /// must still be one the certificate names.
    Pinned(Vec<ureq::tls::Certificate<'static>>),
}

impl Trust {
    /// The certificates of a PEM file, pinned.
    pub fn pinned_from_pem(pem: &[u8]) -> Result<Self, String> {
        let certs: Vec<_> = ureq::tls::parse_pem(pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c.to_owned())),
                Ok(_) => None,
                Err(e) => Some(Err(e.to_string())),
            })
            .collect::<Result<_, _>>()?;
        if certs.is_empty() {
            return Err("no certificate in it (PEM, BEGIN CERTIFICATE)".into());
        }
        Ok(Self::Pinned(certs))
    }

    /// The certificates of the PEM file at `path`, pinned; the error names
    /// the file (the config checks it at start, the printer uses it).
    pub fn pinned_from_file(path: &std::path::Path) -> Result<Self, String> {
        std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|pem| Self::pinned_from_pem(&pem))
            .map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// One printer's HTTP endpoint.
#[derive(Debug, Clone)]
pub struct Transport {
    url: String,
    agent: ureq::Agent,
}

/// `ipp://host[:port]/path` as the HTTP URL it is served on; `ipps://` as
/// HTTPS on the same port (RFC 7472: 631 for both).
pub fn http_url(uri: &Uri) -> Option<String> {
    let (scheme, port) = match uri.scheme_str() {
        Some("ipp") => ("http", 631),
        Some("ipps") => ("https", 631),
        Some("http") => ("http", 80),
        Some("https") => ("https", 443),
        _ => return None,
    };
    let host = uri.host()?;
    let port = uri.port_u16().unwrap_or(port);
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    Some(format!("{scheme}://{host}:{port}{path}"))
}

impl Transport {
    /// An endpoint at `url` whose exchanges each take at most `timeout`;
    /// an `https` one checks the printer's certificate against `trust`.
    pub fn new(url: String, timeout: Duration, trust: &Trust) -> Self {
        let roots = match trust {
            Trust::PublicCas => ureq::tls::RootCerts::WebPki,
            Trust::Pinned(certs) => ureq::tls::RootCerts::new_with_certs(certs),
        };
        let tls = ureq::tls::TlsConfig::builder().root_certs(roots).build();
        let config = ureq::Agent::config_builder()
            // No idle connections kept: a pooled connection keeps its two
            // 128 kB buffers, which held the last stretch of the sheet it
            // sent. Closed after each exchange, they are freed, and the
            // zeroing allocator wipes them (one connection per poll costs
            // nothing on loopback).
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .tls_config(tls)
            .user_agent(concat!("passbooth/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            url,
            agent: ureq::Agent::new_with_config(config),
        }
    }

    /// Whether the exchanges are encrypted.
    pub fn encrypted(&self) -> bool {
        self.url.starts_with("https://")
    }

    /// The URL, for messages.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends one IPP request and reads its answer within the bounds.
    pub fn send(&self, request: IppRequestResponse) -> Result<IppRequestResponse, TransportError> {
        let url = || self.url.clone();
        let mut body = request.into_read();
        let mut response = self
            .agent
            .post(&self.url)
            .header("content-type", "application/ipp")
            .send(ureq::SendBody::from_reader(&mut body))
            .map_err(|e| match e {
                ureq::Error::Rustls(tls) => TransportError::Untrusted {
                    url: url(),
                    detail: tls.to_string(),
                },
                // A refused certificate surfaces from the TLS stream as an
                // I/O error wrapping rustls's ("invalid peer certificate").
                ureq::Error::Io(io) if io.to_string().contains("peer certificate") => {
                    TransportError::Untrusted {
                        url: url(),
                        detail: io.to_string(),
                    }
                }
                e => TransportError::Unreachable {
                    url: url(),
                    source: Box::new(e),
                },
            })?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(TransportError::Http { url: url(), status });
        }
        let reader = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .reader();
        // The parser owns its reader: read the bounded answer into memory
        // first (at most MAX_RESPONSE_BYTES), then parse that.
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut { reader }, &mut bytes).map_err(|e| {
            if e.to_string().contains("limit") {
                TransportError::TooLarge {
                    url: url(),
                    what: format!("over {} kB", MAX_RESPONSE_BYTES / 1024),
                }
            } else {
                TransportError::Garbage {
                    url: url(),
                    detail: e.to_string(),
                }
            }
        })?;
        let parsed = IppParser::new(IppReader::new(std::io::Cursor::new(bytes)))
            .parse()
            .map_err(|e| TransportError::Garbage {
                url: url(),
                detail: e.to_string(),
            })?;
        let count: usize = parsed
            .attributes()
            .groups()
            .iter()
            .map(|g| g.attributes().len())
            .sum();
        if count > MAX_ATTRIBUTES {
            return Err(TransportError::TooLarge {
                url: url(),
                what: format!("{count} attributes"),
            });
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipp_uris_map_to_their_http_urls() {
        let u = |s: &str| http_url(&s.parse().unwrap());
        assert_eq!(
            u("ipp://localhost/printers/selphy").as_deref(),
            Some("http://localhost:631/printers/selphy")
        );
        assert_eq!(
            u("ipp://127.0.0.1:8631/ipp/print").as_deref(),
            Some("http://127.0.0.1:8631/ipp/print")
        );
        assert_eq!(
            u("ipp://[::1]:631/ipp/print").as_deref(),
            Some("http://[::1]:631/ipp/print")
        );
        assert_eq!(
            u("ipps://printer.example/ipp/print").as_deref(),
            Some("https://printer.example:631/ipp/print")
        );
        assert_eq!(u("lpd://host/queue"), None);
    }
}
