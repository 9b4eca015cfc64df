//! Signing (RFC 6376 §5): a [`Signer`] holds the key, domain, selector and choices, and signs
//! whole messages or messages that stream in.

use crate::error::{Error, Record};
use crate::hash::BodyHasher;
use crate::message::{self, HeaderCollector};
use crate::signature::{Canonicalization, Signature};
use crate::signed_headers::SignedHeaders;
use crate::signing_key::SigningKey;
use crate::verify::selected_headers;

/// Header fields signed when present (RFC 6376 §5.4.1's recommendations).
pub const DEFAULT_SIGNED_HEADERS: &[&str] = &[
    "from",
    "reply-to",
    "subject",
    "date",
    "to",
    "cc",
    "resent-date",
    "resent-from",
    "resent-to",
    "resent-cc",
    "in-reply-to",
    "references",
    "list-id",
    "list-help",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "list-subscribe",
    "list-post",
    "list-owner",
    "list-archive",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-id",
    "content-description",
];

/// Header fields signed once more than they occur, so that none can be added after signing
/// without breaking the signature (RFC 6376 §8.15): the ones a reader sees and trusts.
pub const DEFAULT_OVERSIGNED_HEADERS: &[&str] = &[
    "from",
    "to",
    "subject",
    "date",
    "reply-to",
    "cc",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
];

/// Signs messages for one domain and selector with one key.
///
/// The signature never carries `l=` (the whole body is always signed), and signs the headers of
/// [`DEFAULT_SIGNED_HEADERS`], oversigning [`DEFAULT_OVERSIGNED_HEADERS`], unless configured.
/// Canonicalization is relaxed/relaxed unless configured.
///
/// ```
/// use mailroom_dkim::{Canonicalization, Signer, SigningKey};
/// let signer = Signer::new(SigningKey::ed25519_from_seed(&[9; 32]), "example.org", "2026a")?
///     .canonicalization(Canonicalization::Relaxed, Canonicalization::Simple)
///     .signed_headers(["From", "To", "Subject"])
///     .oversigned_headers(["From"])
///     .expire_after(7 * 86_400);
/// let header = signer.sign(b"From: me@example.org\r\nTo: you@example.net\r\n\r\nHi\r\n", 1_700_000_000)?;
/// assert!(header.starts_with("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/simple;"));
/// // From once more than it occurs; Subject is absent and not oversigned, so not listed.
/// assert!(header.contains("h=from:from:to;"));
/// assert!(header.ends_with("\r\n"));
/// # Ok::<(), mailroom_dkim::Error>(())
/// ```
#[derive(Debug)]
pub struct Signer {
    key: SigningKey,
    domain: String,
    selector: String,
    identity: Option<String>,
    header_canonicalization: Canonicalization,
    body_canonicalization: Canonicalization,
    signed: Vec<String>,
    oversigned: Vec<String>,
    expire_after: Option<u64>,
}

impl Signer {
    /// A signer for `domain` (`d=`) with the key published under `selector` (`s=`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTag`] when the domain or selector is not a domain name.
    pub fn new(
        key: SigningKey,
        domain: impl Into<String>,
        selector: impl Into<String>,
    ) -> Result<Self, Error> {
        let domain = domain.into();
        let selector = selector.into();
        // The checks a verifier makes of d= and s=, so nothing we sign is refused for them
        // (and nothing such as `;` can slip into the header through them).
        for (tag, value) in [("d", &domain), ("s", &selector)] {
            if !crate::signature::is_domain_name(value) {
                return Err(Error::InvalidTag {
                    record: Record::Signature,
                    tag,
                    value: value.clone(),
                });
            }
        }
        Ok(Self {
            key,
            domain,
            selector,
            identity: None,
            header_canonicalization: Canonicalization::Relaxed,
            body_canonicalization: Canonicalization::Relaxed,
            signed: DEFAULT_SIGNED_HEADERS
                .iter()
                .map(|&h| h.to_owned())
                .collect(),
            oversigned: DEFAULT_OVERSIGNED_HEADERS
                .iter()
                .map(|&h| h.to_owned())
                .collect(),
            expire_after: None,
        })
    }

    /// Sets the header and body canonicalization (default relaxed/relaxed).
    pub fn canonicalization(mut self, header: Canonicalization, body: Canonicalization) -> Self {
        self.header_canonicalization = header;
        self.body_canonicalization = body;
        self
    }

    /// Sets the header fields signed when present; From is always signed.
    pub fn signed_headers<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.signed = names
            .into_iter()
            .map(|n| n.as_ref().to_ascii_lowercase())
            .collect();
        self
    }

    /// Sets the header fields signed once more than they occur (none: no oversigning).
    pub fn oversigned_headers<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.oversigned = names
            .into_iter()
            .map(|n| n.as_ref().to_ascii_lowercase())
            .collect();
        self
    }

    /// Sets `i=`, the identity on whose behalf the domain signs; it must be within the domain.
    pub fn identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(identity.into());
        self
    }

    /// Adds `x=`, this many seconds after the signing time.
    pub fn expire_after(mut self, seconds: u64) -> Self {
        self.expire_after = Some(seconds);
        self
    }

    /// The key this signer signs with.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// Signs a whole message (CRLF line ends). `now` is the signing time in seconds since the
    /// Unix epoch (`t=`). Returns the DKIM-Signature field, with its final CRLF, to put at the
    /// top of the message.
    ///
    /// # Errors
    ///
    /// [`Error::NoFromHeader`] for a message without From, [`Error::MalformedHeader`] for a
    /// header section that cannot be split into fields, [`Error::IdentityOutsideDomain`] for an
    /// `i=` outside the domain, [`Error::Crypto`] if the key fails to sign.
    pub fn sign(&self, message: &[u8], now: u64) -> Result<String, Error> {
        // Given whole, the header is split into fields in one walk and never copied.
        let split = message::split(message);
        let mut body = BodyHasher::new(self.body_canonicalization, None);
        body.update(split.body);
        self.sign_fields(&split.fields?, body, now)
    }

    /// Starts signing a message that arrives in chunks; only the header section is kept.
    pub fn stream(&self) -> SignStream<'_> {
        SignStream {
            signer: self,
            collector: HeaderCollector::default(),
            body: BodyHasher::new(self.body_canonicalization, None),
        }
    }

    /// The `h=` list for these header fields: each signed name once per instance, and once
    /// more for oversigned names.
    fn header_list(&self, fields: &[message::Field<'_>]) -> SignedHeaders {
        let mut names = SignedHeaders::new();
        let wanted = std::iter::once("from").chain(self.signed.iter().map(String::as_str));
        for (i, name) in wanted.enumerate() {
            // Each name once, From first; the configured names are in lower case.
            let repeated =
                i > 0 && (name == "from" || self.signed[..i - 1].iter().any(|n| n == name));
            if repeated {
                continue;
            }
            let count = fields.iter().filter(|f| f.is(name)).count();
            let extra = usize::from(self.oversigned.iter().any(|o| o == name));
            names.extend(std::iter::repeat_n(name, count + extra));
        }
        names
    }

    /// Signs a message given as its header fields and its hashed body.
    fn sign_fields(
        &self,
        fields: &[message::Field<'_>],
        body: BodyHasher,
        now: u64,
    ) -> Result<String, Error> {
        if !fields.iter().any(|f| f.is("from")) {
            return Err(Error::NoFromHeader);
        }
        let signature = Signature {
            algorithm: self.key.algorithm(),
            signature: Vec::new(),
            body_hash: body.finish().digest.to_vec(),
            header_canonicalization: self.header_canonicalization,
            body_canonicalization: self.body_canonicalization,
            domain: self.domain.clone(),
            selector: self.selector.clone(),
            signed_headers: self.header_list(fields),
            identity: self.identity.clone(),
            body_length: None,
            timestamp: Some(now),
            expiration: self
                .expire_after
                .map(|after| now.saturating_add(after.max(1))),
            copied_headers: None,
        };
        if let Some(identity) = &signature.identity {
            let within = identity
                .rsplit_once('@')
                .is_some_and(|(_, d)| crate::signature::is_within(d, &signature.domain));
            if !within {
                return Err(Error::IdentityOutsideDomain {
                    identity: identity.clone(),
                    domain: signature.domain.clone(),
                });
            }
        }
        let mut input = selected_headers(
            fields,
            &signature.signed_headers,
            signature.header_canonicalization,
        );
        let unsigned = signature.unsigned_header();
        crate::canon::canonicalize_header(
            signature.header_canonicalization,
            unsigned.text().as_bytes(),
            &mut input,
        );
        let mut header = unsigned.finish(&self.key.sign(&input)?);
        header.push_str("\r\n");
        Ok(header)
    }
}

/// A message being signed as it streams in; see [`Signer::stream`].
#[derive(Debug)]
pub struct SignStream<'s> {
    signer: &'s Signer,
    collector: HeaderCollector,
    body: BodyHasher,
}

impl SignStream<'_> {
    /// Takes the next chunk of the message.
    pub fn update(&mut self, chunk: &[u8]) {
        let body = self.collector.update(chunk);
        self.body.update(body);
    }

    /// Ends the message and signs it; see [`Signer::sign`].
    ///
    /// # Errors
    ///
    /// As [`Signer::sign`].
    pub fn finish(self, now: u64) -> Result<String, Error> {
        let fields = message::fields(self.collector.header())?;
        self.signer.sign_fields(&fields, self.body, now)
    }
}
