//! DKIM signatures and ARC seals on list mail, with mail-auth: the list domain's key signs
//! each copy (relaxed/relaxed, both unsubscribe headers in `h=`), the body hash computed once
//! per delivery; an ARC set sealed once per delivery over the headers every copy shares.
//!
//! mail-auth's `DkimSigner::sign` hashes the body at every call; [`Dkim::sign`] does what
//! it does (the same public pieces: `Signature::canonicalize`, `SigningKey::sign`) with a
//! body hash the caller computed once ([`Dkim::body_hash`]). A test checks both give the
//! same signature.

use std::path::Path;

use mail_auth::arc::ArcSealer;
use mail_auth::common::crypto::{DkimKey, Ed25519Key, RsaKey, Sha256, SigningKey};
use mail_auth::common::headers::{HeaderStream, HeaderWriter, Writable, Writer};
use mail_auth::dkim::{Canonicalization, DkimSigner, Done, Signature};
use mail_auth::{ArcOutput, AuthenticatedMessage, AuthenticationResults};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;

/// The headers a copy's DKIM signature covers (RFC 6376 §5.4.1's list, the list headers,
/// and both unsubscribe headers as RFC 8058 requires). A name the copy lacks is signed as
/// absent, so that nobody can add it on the way.
pub const DKIM_HEADERS: &[&str] = &[
    "From",
    "Sender",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    "To",
    "Cc",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "In-Reply-To",
    "References",
    "List-Id",
    "List-Help",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-Subscribe",
    "List-Post",
    "List-Owner",
    "List-Archive",
    "Archived-At",
];

/// What the ARC message signature covers: the same, less the per-recipient unsubscribe
/// headers, so that one ARC set fits every copy of a delivery.
pub const ARC_HEADERS: &[&str] = &[
    "From",
    "Sender",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    "To",
    "Cc",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "In-Reply-To",
    "References",
    "List-Id",
    "List-Help",
    "List-Subscribe",
    "List-Post",
    "List-Owner",
    "List-Archive",
    "Archived-At",
];

/// Why a key could not be used, or a signature made.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The key file could not be read or parsed.
    #[error("the key {path}: {message}")]
    Key {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Signing failed.
    #[error("signing: {0}")]
    Sign(String),
}

/// Reads a PEM private key: RSA (PKCS#1 `RSA PRIVATE KEY` or PKCS#8 `PRIVATE KEY`) or
/// Ed25519 (PKCS#8).
pub fn load_key(path: &Path) -> Result<DkimKey, SignError> {
    let fail = |message: String| SignError::Key {
        path: path.display().to_string(),
        message,
    };
    let pem = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let der = PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|e| fail(format!("no PEM private key: {e:?}")))?;
    let pkcs8 = match &der {
        PrivateKeyDer::Pkcs8(p) => Some(p.secret_pkcs8_der().to_vec()),
        _ => None,
    };
    match RsaKey::<Sha256>::from_key_der(der) {
        Ok(key) => Ok(DkimKey::Rsa(key)),
        Err(rsa) => match pkcs8.map(|der| Ed25519Key::from_pkcs8_der(&der)) {
            Some(Ok(key)) => Ok(DkimKey::Ed25519(key)),
            _ => Err(fail(format!("neither an RSA nor an Ed25519 key: {rsa}"))),
        },
    }
}

/// A DKIM signer for one domain and selector.
pub struct Dkim {
    signer: DkimSigner<DkimKey, Done>,
}

/// The fields of a header block as mail-auth reads them: the name, and the value from after
/// the colon to the field's final CRLF included.
struct Fields<'x> {
    head: &'x [u8],
    pos: usize,
}

impl<'x> HeaderStream<'x> for Fields<'x> {
    fn next_header(&mut self) -> Option<(&'x [u8], &'x [u8])> {
        let rest = &self.head[self.pos..];
        if rest.is_empty() || rest.starts_with(b"\r\n") {
            return None;
        }
        // The field ends at a CRLF not followed by a space or a tab.
        let mut end = 0;
        loop {
            match rest[end..].windows(2).position(|w| w == b"\r\n") {
                Some(p) => {
                    end += p + 2;
                    if !matches!(rest.get(end), Some(b' ' | b'\t')) {
                        break;
                    }
                }
                None => {
                    end = rest.len();
                    break;
                }
            }
        }
        let field = &rest[..end];
        self.pos += end;
        match field.iter().position(|b| *b == b':') {
            Some(colon) => Some((&field[..colon], &field[colon + 1..])),
            None => Some((field, b"")),
        }
    }

    fn body(&mut self) -> &'x [u8] {
        b""
    }
}

struct Signable<'a> {
    headers: mail_auth::dkim::canonicalize::CanonicalHeaders<'a>,
    signature: &'a Signature,
}

impl Writable for Signable<'_> {
    fn write(self, writer: &mut impl Writer) {
        self.headers.write(writer);
        self.signature.write(writer, false);
    }
}

impl Dkim {
    /// A signer with `key` for `d=domain`, `s=selector`, over [`DKIM_HEADERS`].
    pub fn new(key: DkimKey, domain: &str, selector: &str) -> Dkim {
        Dkim {
            signer: DkimSigner::from_key(key)
                .domain(domain)
                .selector(selector)
                .headers(DKIM_HEADERS.iter().copied())
                .header_canonicalization(Canonicalization::Relaxed)
                .body_canonicalization(Canonicalization::Relaxed),
        }
    }

    /// The body hash (`bh=`) of `body`: computed once per delivery.
    pub fn body_hash(&self, body: &[u8]) -> Vec<u8> {
        let canonical = Canonicalization::Relaxed.canonical_body(body, u64::MAX);
        self.signer.key.hash(canonical).as_ref().to_vec()
    }

    /// The `DKIM-Signature` field (CRLF-terminated) of a copy whose header block (ending with
    /// the empty line) is `head` and whose body hashes to `body_hash`, made at `now`.
    pub fn sign(&self, head: &[u8], body_hash: &[u8], now: u64) -> Result<Vec<u8>, SignError> {
        let (_, headers, signed, _) = self.signer.template.canonicalize(Fields { head, pos: 0 });
        let mut signature = self.signer.template.clone();
        signature.bh = body_hash.to_vec();
        signature.t = now;
        signature.h = signed;
        signature.b = self
            .signer
            .key
            .sign(Signable {
                headers,
                signature: &signature,
            })
            .map_err(|e| SignError::Sign(e.to_string()))?;
        let mut out = Vec::with_capacity(600);
        signature.write_header(&mut out);
        if !out.ends_with(b"\r\n") {
            out.extend_from_slice(b"\r\n");
        }
        Ok(out)
    }

    /// mail-auth's own one-call signature of a whole message (hashing its body again): for
    /// comparison in tests and the benchmark's raw signing rate.
    pub fn sign_whole(&self, message: &[u8], now: u64) -> Result<Vec<u8>, SignError> {
        let _ = now;
        let signature = self
            .signer
            .sign(message)
            .map_err(|e| SignError::Sign(e.to_string()))?;
        Ok(signature.to_header().into_bytes())
    }

    /// One raw signature of 32 bytes, for measuring the key's own signing rate.
    pub fn sign_raw(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        self.signer
            .key
            .sign(data)
            .map_err(|e| SignError::Sign(e.to_string()))
    }
}

/// An ARC sealer for one domain and selector.
pub struct Arc {
    sealer: ArcSealer<DkimKey, Done>,
    authserv_id: String,
}

impl Arc {
    /// A sealer with `key` for `d=domain`, `s=selector`; `authserv_id` names us in the
    /// `ARC-Authentication-Results`.
    pub fn new(key: DkimKey, domain: &str, selector: &str, authserv_id: &str) -> Arc {
        Arc {
            sealer: ArcSealer::from_key(key)
                .domain(domain)
                .selector(selector)
                .headers(ARC_HEADERS.iter().copied()),
            authserv_id: authserv_id.to_string(),
        }
    }

    /// The ARC set (`ARC-Seal`, `ARC-Message-Signature`, `ARC-Authentication-Results`, CRLF
    /// terminated) for `message`, which must hold every header of [`ARC_HEADERS`] that the
    /// copies will have, as they will have them. `None` when the message arrived with an ARC
    /// chain of its own: continuing it needs that chain verified (DNS), which is not done,
    /// so such a message goes out unsealed.
    pub fn seal(&self, message: &[u8]) -> Result<Option<Vec<u8>>, SignError> {
        let parsed = AuthenticatedMessage::parse(message)
            .ok_or_else(|| SignError::Sign("the message cannot be parsed for ARC".into()))?;
        if !parsed.as_headers.is_empty() || !parsed.ams_headers.is_empty() {
            return Ok(None);
        }
        let results = AuthenticationResults::new(&self.authserv_id);
        let set = self
            .sealer
            .seal(&parsed, &results, &ArcOutput::default())
            .map_err(|e| SignError::Sign(e.to_string()))?;
        let mut out = Vec::with_capacity(1500);
        set.write_header(&mut out);
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throwaway RSA-1024 key (PKCS#8), small so that the unoptimised test is quick.
    const KEY: &str = "-----BEGIN PRIVATE KEY-----
MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBAKfvemWFPC1t8SfL
d30mIy6YvFYriT1q1T4YFdVFrivuPf+S+duUYM9OfOi5+JRBimpwe5nopQrMlTPh
LSHplIOKvAmWFd0eK3NlJzdQcdCiMSrqGug71wkiJYa91AmrUFrcI0oVTlqE1nDf
WzIYymns93nBz/095evMaXjITYlXAgMBAAECgYB2dFoeT9uBo+INktxGv2bjkEKQ
eYcFdlzRvsVvuQXA4PyEUJTDSKb8sz0yHzNyx8QtjgfxKQN5WZMIlBV0rUDeX5eM
5iM37hRs0eqUrh0ZM8LXhM48iTMdhkpR9rfA+igrQfsEKf2q3xpJkG9YFW3Acc1I
CrxarByM0xOaHR/1qQJBANUzEf1fpxadDOe3Xnhm2ZITs5QxFYmZ50svIV+ireYs
J0aRMqwkYnnIUT/4fvf9zgaWQkRca52XJE43gtlfbMMCQQDJpikDSaxwYvNcZUhx
9WeCtHGu8Rvnm/9szVCDFQ5W/fLx+AViiqOaTB3TBuDu6jRELpnv34REJ/FBmOMH
SnfdAkEAr4jv6+SAhu7hvDrOzmUoB8yu03miWPvdYpq4aKxhb5y07bYIuZDvf4N9
2iS4LWjL48J9ZxmNBWB25OtxkZWuzwJBAJYOWRzCOVkUuWZ7VFLBPLruDl8RuyM6
WfQcQRqak6Y2qhBX8aHn62EJ3XPI/Z+slyJZz2HKYgHZ+1VGMUOerd0CQQCrA4/D
/iKzSl1juu/ubeqvI4zgErrTpnnl6cwGwDKGvp2dFGnE0GBgzPfbJSgBD0SXIRDU
mJUGTHMo7jCiGACP
-----END PRIVATE KEY-----
";

    fn dkim() -> Dkim {
        let dir = std::env::temp_dir().join(format!("wwsympa-sign-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("key.pem");
        std::fs::write(&path, KEY).unwrap();
        let key = load_key(&path).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        Dkim::new(key, "lists.example.org", "s1")
    }

    fn tag<'a>(header: &'a str, name: &str) -> &'a str {
        let compact = header;
        compact
            .split(';')
            .map(str::trim)
            .find_map(|t| t.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name}= in {header}"))
    }

    fn unfold(bytes: &[u8]) -> String {
        String::from_utf8(bytes.to_vec())
            .unwrap()
            .replace("\r\n\t", "")
            .replace("\r\n ", "")
            .replace(' ', "")
    }

    /// The body hash computed once and the headers signed alone give the signature
    /// mail-auth's own one-call signer gives for the whole message.
    #[test]
    fn signing_with_a_body_hash_made_once_is_mail_auths_signature() {
        let dkim = dkim();
        let head: &[u8] = b"List-Unsubscribe: <https://x/oneclick/a>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nFrom: Ann <ann@example.org>\r\nSubject:  Hello\r\n\tthere \r\nTo: team@lists.example.org\r\n\r\n";
        let body: &[u8] = b"Body  line \r\n\r\n\r\n";
        let whole = [head, body].concat();
        let body_hash = dkim.body_hash(body);
        for _ in 0..3 {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let theirs = unfold(&dkim.sign_whole(&whole, now).unwrap());
            let ours = unfold(&dkim.sign(head, &body_hash, now).unwrap());
            assert_eq!(tag(&ours, "bh"), tag(&theirs, "bh"));
            assert_eq!(tag(&ours, "h"), tag(&theirs, "h"));
            let signed: Vec<&str> = tag(&ours, "h").split(':').collect();
            assert!(
                signed.contains(&"List-Unsubscribe") && signed.contains(&"List-Unsubscribe-Post")
            );
            assert_eq!(tag(&ours, "c"), "relaxed/relaxed");
            if tag(&ours, "t") == tag(&theirs, "t") {
                // RSA PKCS#1 v1.5 is deterministic: the same input, the same signature.
                assert_eq!(tag(&ours, "b"), tag(&theirs, "b"));
                return;
            }
        }
        panic!("the clock moved at every try");
    }

    #[test]
    fn a_key_file_that_is_not_a_key_is_a_clear_error() {
        let path = std::env::temp_dir().join(format!("wwsympa-nokey-{}", std::process::id()));
        std::fs::write(&path, "not a key").unwrap();
        let error = load_key(&path).err().unwrap().to_string();
        let _ = std::fs::remove_file(&path);
        assert!(error.contains("no PEM private key"), "{error}");
    }
}
