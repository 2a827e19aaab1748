//! The one page the booth serves a phone: it opens the sealed file in the
//! browser with the key from the link's fragment and offers the photo to
//! save. Static (the same bytes for every session: nothing of a person in
//! it), with tweetnacl inlined, so no asset comes from outside the booth.

use std::sync::LazyLock;

/// The page's bytes.
pub fn html() -> &'static [u8] {
    static PAGE: LazyLock<Vec<u8>> = LazyLock::new(|| {
        include_str!("page/save.html")
            .replacen("%NACL%", include_str!("page/nacl.min.js").trim_end(), 1)
            .into_bytes()
    });
    &PAGE
}

/// The page's security policy: scripts and styles of its own, images from
/// the blob it makes, requests to the booth only, nothing else.
pub const POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
     style-src 'unsafe-inline'; img-src blob:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_is_tweetnacl_1_0_3_unchanged() {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(include_bytes!("page/nacl.min.js"));
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "973cc5733cc7432e30ee4682098f413094f494bccf76a567c23908c5035ddbbc"
        );
    }

    #[test]
    fn the_page_holds_the_library_and_names_no_outside_address() {
        let page = std::str::from_utf8(html()).unwrap();
        assert!(!page.contains("%NACL%"));
        assert!(page.contains("secretbox.open"));
        // Every address in the page is a comment's or relative.
        for src in ["src=\"http", "href=\"http", "url(http", "url(//", "import("] {
            assert!(!page.contains(src), "{src}");
        }
        assert!(page.len() < 30_000, "{} bytes", page.len());
    }
}
