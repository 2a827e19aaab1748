//! The accepted photo offered to the customer's phone at the end of a
//! session, as a file for the operator's chosen portal: written into
//! locked memory, sealed with a key made for this session alone, offered
//! behind a one-time link whose fragment carries the key, shown as a QR
//! code with the booth's Wi-Fi beside it, withdrawn (wiped, every transfer
//! cut) when the session ends.

use crate::compose::digital::{ExportError, export};
use crate::handoff::seal::seal;
use crate::handoff::{Key, Limits, PhoneServer, SealError, ServerError};
use crate::imaging::RgbImage;
use crate::spec::digital::DigitalProfile;

/// What the operator set up.
#[derive(Debug, Clone)]
pub struct PhoneSettings {
    /// The portal whose file the customer gets.
    pub profile: DigitalProfile,
    /// Fetches and lifetime of each link.
    pub limits: Limits,
    /// The start of every link as a phone on the booth's Wi-Fi reaches the
    /// server: `http://10.42.0.1:8080`.
    pub link_base: String,
    /// The Wi-Fi join code (`WIFI:T:WPA;S:...;P:...;;`), shown as a second
    /// QR code; `None` when phones reach the booth another way.
    pub wifi_join: Option<String>,
    /// Whether the sheet is printed too (else the booth hands out files
    /// only).
    pub print: bool,
}

/// Why the photo could not be offered (the session goes on without it).
#[derive(Debug, thiserror::Error)]
pub enum PhoneError {
    /// No file meets the portal's rules.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The server could not take it.
    #[error(transparent)]
    Server(#[from] ServerError),
    /// It could not be sealed.
    #[error(transparent)]
    Seal(#[from] SealError),
}

/// The hand-off: the server and what is on offer now.
pub struct Phone {
    server: PhoneServer,
    settings: PhoneSettings,
    link: Option<String>,
    counted: u64,
    away: u64,
}

impl Phone {
    /// A hand-off through `server`.
    pub fn new(server: PhoneServer, settings: PhoneSettings) -> Phone {
        Phone {
            server,
            settings,
            link: None,
            counted: 0,
            away: 0,
        }
    }

    /// Offers `photo` (at `dpi`) as the portal's file; the link to show.
    pub fn offer(&mut self, photo: &RgbImage, dpi: u32) -> Result<&str, PhoneError> {
        let file = export(photo, dpi, &self.settings.profile)?;
        let key = Key::random().map_err(SealError::Random)?;
        let sealed = seal(&file.bytes, &key)?;
        drop(file);
        let path = self.server.offer(sealed, self.settings.limits)?;
        Ok(self.link.insert(format!(
            "{}{path}#{}",
            self.settings.link_base,
            key.fragment()
        )))
    }

    /// The link on offer, if any.
    pub fn link(&self) -> Option<&str> {
        self.link.as_deref()
    }

    /// Whether the sheet is printed too.
    pub fn prints(&self) -> bool {
        self.settings.print
    }

    /// The Wi-Fi join code.
    pub fn wifi_join(&self) -> Option<&str> {
        self.settings.wifi_join.as_deref()
    }

    /// Wipes what is on offer; returns the files sent since the last call
    /// (for the counters).
    pub fn withdraw(&mut self) -> u64 {
        self.server.withdraw();
        let away = self.server.turned_away();
        if away > self.away {
            // A count only: nothing of who they were.
            eprintln!(
                "phone: {} connection(s) closed unanswered (idle past {} s, or over the limits)",
                away - self.away,
                crate::handoff::REQUEST_DEADLINE.as_secs()
            );
            self.away = away;
        }
        self.link = None;
        let sent = self.server.sent();
        let new = sent - self.counted.min(sent);
        self.counted = sent;
        new
    }
}
