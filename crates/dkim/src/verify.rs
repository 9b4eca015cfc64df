//! Verification (RFC 6376 §6): every DKIM-Signature of a message checked on its own, with the
//! keys looked up concurrently through the `mailroom-dns` Resolver.

use std::sync::Arc;

use futures_util::future::Either;
use mailroom_dns::{Answer, Resolver};

use crate::canon::canonicalize_header;
use crate::error::{Error, Record, TagListProblem};
use crate::hash::{BodyHash, BodyHasher};
use crate::key::{KeyRecord, MIN_RSA_BITS, PublicKey};
use crate::key_cache::{CachedKey, KeyCache};
use crate::message::{self, Field, HeaderCollector};
use crate::result::{DkimResult, SignatureResult};
use crate::signature::{Algorithm, Canonicalization, HEADER_NAME, Signature};
use crate::signed_headers::SignedHeaders;
use crate::tag_list;

/// How many signatures of one message are verified unless configured (the rest get `policy`).
/// OpenDKIM verifies every one, which lets a message full of signatures cost a DNS query each.
pub const DEFAULT_MAX_SIGNATURES: usize = 10;

/// The longest key record accepted unless configured: an RSA-4096 record is about 750 octets.
pub const DEFAULT_MAX_KEY_RECORD_LEN: usize = 4096;

/// What a body hash depends on: the body canonicalization and `l=`.
type BodyParams = (Canonicalization, Option<u64>);

/// What a [`Verifier`] accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// At most this many signatures are verified, from the top of the header (default 10).
    pub max_signatures: usize,
    /// Whether a signature whose `l=` leaves part of the body unsigned may pass (default no:
    /// content appended after the signed part is the known `l=` attack; such signatures get
    /// `policy`).
    pub allow_partial_body: bool,
    /// Key records longer than this are refused (default 4096 octets).
    pub max_key_record_len: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            max_signatures: DEFAULT_MAX_SIGNATURES,
            allow_partial_body: false,
            max_key_record_len: DEFAULT_MAX_KEY_RECORD_LEN,
        }
    }
}

impl VerifyOptions {
    /// Sets the most signatures verified per message.
    pub fn max_signatures(mut self, max: usize) -> Self {
        self.max_signatures = max;
        self
    }

    /// Lets signatures whose `l=` leaves content unsigned pass.
    pub fn allow_partial_body(mut self, allow: bool) -> Self {
        self.allow_partial_body = allow;
        self
    }

    /// Sets the longest key record accepted.
    pub fn max_key_record_len(mut self, len: usize) -> Self {
        self.max_key_record_len = len;
        self
    }
}

/// Verifies the DKIM signatures of messages. A verifier (and its clones) keeps the key it
/// found at each name for the TTL of the answer, so give it one view of the DNS: one resolver.
///
/// ```
/// use mailroom_dkim::{DkimResult, Signer, SigningKey, Verifier};
/// use mailroom_dns::Zone;
///
/// let key = SigningKey::ed25519_from_seed(&[1; 32]);
/// let zone = Zone::from_text(&format!("mail._domainkey.example.org. TXT \"{}\"", key.dns_record()))?;
/// let message = b"From: a@example.org\r\nSubject: hi\r\n\r\nHello.\r\n";
/// let now = 1_700_000_000;
/// let header = Signer::new(key, "example.org", "mail")?.sign(message, now)?;
/// let signed = [header.as_bytes(), message].concat();
///
/// let results = futures::executor::block_on(Verifier::default().verify(&zone, &signed, now));
/// assert_eq!(results[0].result, DkimResult::Pass);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Verifier {
    options: VerifyOptions,
    /// Shared by clones, so one verifier serving many connections parses each key once and
    /// asks for it again only when the TTL of its answer has run out.
    keys: Arc<KeyCache>,
}

impl Verifier {
    /// A verifier with these options.
    pub fn new(options: VerifyOptions) -> Self {
        Self {
            options,
            keys: Arc::default(),
        }
    }

    /// Verifies a whole message (CRLF line ends, as SMTP delivers it). `now` is the time in
    /// seconds since the Unix epoch, for `x=` and for how long a key found in the DNS is kept
    /// (its answer's TTL). One result per DKIM-Signature field, top first; none when the
    /// message has no signature.
    pub async fn verify<R: Resolver>(
        &self,
        resolver: &R,
        message: &[u8],
        now: u64,
    ) -> Vec<SignatureResult> {
        // Given whole, the header is split into fields in one walk and never copied.
        let split = message::split(message);
        let mut prepared = prepare_all(&self.options, split.header, split.fields);
        prepared.hash_body(split.body);
        prepared
            .check(resolver, &self.options, &self.keys, now)
            .await
    }

    /// Starts verifying a message that arrives in chunks: [`VerifyStream::update`] with each,
    /// then [`VerifyStream::finish`]. Only the header section is kept; the body is hashed as it
    /// passes.
    pub fn stream(&self) -> VerifyStream {
        VerifyStream {
            options: self.options.clone(),
            keys: Arc::clone(&self.keys),
            collector: HeaderCollector::default(),
            prepared: None,
        }
    }
}

/// A message being verified as it streams in; see [`Verifier::stream`].
#[derive(Debug)]
pub struct VerifyStream {
    options: VerifyOptions,
    keys: Arc<KeyCache>,
    collector: HeaderCollector,
    /// Once the header is complete: each signature, checked as far as it can be without DNS,
    /// and one body hasher per distinct (canonicalization, l=).
    prepared: Option<Prepared>,
}

#[derive(Debug)]
struct Prepared {
    signatures: Vec<Stage>,
    hashers: Vec<(BodyParams, BodyHasher)>,
}

/// Where a signature stands once the header has been read.
#[derive(Debug)]
enum Stage {
    /// Parsed and checked so far; the key and body hash decide.
    Ready(Pending),
    /// Already decided: it could not be parsed, or is over the limit.
    Done(SignatureResult),
}

/// A signature that parsed, waiting for its key and body hash.
#[derive(Debug)]
struct Pending {
    signature: Signature,
    header_input: Vec<u8>,
}

impl VerifyStream {
    /// Takes the next chunk of the message.
    pub fn update(&mut self, chunk: &[u8]) {
        let body = self.collector.update(chunk);
        if self.prepared.is_none() && self.collector.is_done() {
            self.prepared = Some(self.prepare());
        }
        if let Some(prepared) = &mut self.prepared {
            prepared.hash_body(body);
        }
    }

    /// Parses the signatures of the complete header section, once.
    fn prepare(&self) -> Prepared {
        let header = self.collector.header();
        prepare_all(&self.options, header, message::fields(header))
    }

    /// Ends the message, looks up the keys (concurrently) and checks every signature. `now` is
    /// the time in seconds since the Unix epoch, for `x=` and for keeping keys for their TTL.
    pub async fn finish<R: Resolver>(mut self, resolver: &R, now: u64) -> Vec<SignatureResult> {
        let prepared = match self.prepared.take() {
            Some(prepared) => prepared,
            None => self.prepare(),
        };
        prepared
            .check(resolver, &self.options, &self.keys, now)
            .await
    }
}

/// Parses the signatures of a complete header section, given with its fields (or why it could
/// not be split into them), and makes a body hasher for each distinct (canonicalization, l=).
fn prepare_all<'a>(
    options: &VerifyOptions,
    header: &'a [u8],
    fields: Result<Vec<Field<'a>>, Error>,
) -> Prepared {
    let fields = match fields {
        Ok(fields) => fields,
        Err(error) => {
            // No field can be trusted; report once if any signature seems present.
            let signatures = if contains_signature_name(header) {
                vec![Stage::Done(failed(error, None))]
            } else {
                Vec::new()
            };
            return Prepared {
                signatures,
                hashers: Vec::new(),
            };
        }
    };
    let limit = options.max_signatures;
    // Sized exactly: a stage is a few hundred octets, so the four a growing list starts with
    // would make an allocation too large for the allocator's fast path.
    let mut signatures = Vec::with_capacity(signature_fields(&fields).count());
    signatures.extend(signature_fields(&fields).enumerate().map(|(index, field)| {
        if index >= limit {
            return Stage::Done(failed(Error::SignatureLimit { limit }, Some(field)));
        }
        match prepare(&fields, field) {
            Ok(pending) => Stage::Ready(pending),
            Err(error) => Stage::Done(failed(error, Some(field))),
        }
    }));
    // Signatures of one message nearly always share their body parameters; a hasher is a few
    // hundred octets, too large to start with room for four.
    let mut hashers: Vec<(BodyParams, BodyHasher)> = Vec::with_capacity(1);
    for stage in &signatures {
        let Stage::Ready(pending) = stage else {
            continue;
        };
        let params = (
            pending.signature.body_canonicalization,
            pending.signature.body_length,
        );
        if !hashers.iter().any(|(p, _)| *p == params) {
            hashers.push((params, BodyHasher::new(params.0, params.1)));
        }
    }
    Prepared {
        signatures,
        hashers,
    }
}

impl Prepared {
    /// Hashes the next part of the body for every signature that needs it.
    fn hash_body(&mut self, body: &[u8]) {
        for (_, hasher) in &mut self.hashers {
            hasher.update(body);
        }
    }

    /// Ends the body, looks up the keys (concurrently) and checks every signature.
    async fn check<R: Resolver>(
        self,
        resolver: &R,
        options: &VerifyOptions,
        keys: &KeyCache,
        now: u64,
    ) -> Vec<SignatureResult> {
        // A new list, not the hashers' collected in place: that would shrink their allocation
        // to the smaller items with a realloc, and split chunks keep the allocator off its
        // per-thread cache for the next message's hashers.
        let mut body_hashes: Vec<(BodyParams, BodyHash)> = Vec::with_capacity(self.hashers.len());
        for (params, hasher) in self.hashers {
            body_hashes.push((params, hasher.finish()));
        }
        // Each check is the future of `check` itself, or a result already known: a future
        // wrapping the stage as well would be larger, and every one is held until all are done.
        let mut checks = self.signatures.into_iter().map(|stage| match stage {
            Stage::Ready(pending) => {
                Either::Left(check(resolver, options, keys, pending, &body_hashes, now))
            }
            Stage::Done(result) => Either::Right(std::future::ready(result)),
        });
        // Most mail has one signature: its check is awaited as it is. Joining puts every check
        // in one allocation, over 1 KiB, which costs the allocator's slow path.
        if checks.len() == 1
            && let Some(only) = checks.next()
        {
            return vec![only.await];
        }
        futures_util::future::join_all(checks).await
    }
}

/// The DKIM-Signature fields, top first.
fn signature_fields<'f, 'a>(fields: &'f [Field<'a>]) -> impl Iterator<Item = &'f Field<'a>> {
    fields.iter().filter(|f| f.is(HEADER_NAME))
}

fn contains_signature_name(header: &[u8]) -> bool {
    header
        .windows(HEADER_NAME.len())
        .any(|w| w.eq_ignore_ascii_case(HEADER_NAME.as_bytes()))
}

/// A result for a signature that could not be checked, with what could be read of it.
fn failed(error: Error, field: Option<&Field<'_>>) -> SignatureResult {
    let value = field.and_then(|f| std::str::from_utf8(f.value()).ok());
    let tags = value.and_then(|v| tag_list::parse(v, Record::Signature).ok());
    let tag = |name: &str| {
        tags.as_ref()
            .and_then(|tags| tags.iter().find(|t| t.name == name))
            .map(|t| t.value.to_owned())
    };
    SignatureResult {
        result: error.dkim_result(),
        signature: value.and_then(|v| Signature::parse(v).ok()),
        domain: tag("d"),
        selector: tag("s"),
        error: Some(error),
        testing: false,
    }
}

/// Parses a signature and checks what needs neither DNS nor the time (RFC 6376 §6.1.1), and
/// builds the data its `b=` signs (§3.7, §5.4.2).
fn prepare(fields: &[Field<'_>], field: &Field<'_>) -> Result<Pending, Error> {
    let value = std::str::from_utf8(field.value()).map_err(|_| Error::TagList {
        record: Record::Signature,
        offset: 0,
        problem: TagListProblem::NotUtf8,
    })?;
    let (signature, b_range) = Signature::parse_with_b(value)?;
    if signature.algorithm == Algorithm::RsaSha1 {
        return Err(Error::Sha1Forbidden);
    }
    // The signature field itself is hashed with its b= value removed (§3.7), without its CRLF.
    // Signers put b= last (§3.5 recommends it), and then what is hashed is the field up to it.
    let unsigned_field = field.raw.strip_suffix(b"\r\n").unwrap_or(field.raw);
    let value_start = unsigned_field.len() - field.value().len();
    let (before_b, after_b) = (
        &unsigned_field[..value_start + b_range.start],
        &unsigned_field[value_start + b_range.end..],
    );
    let mut header_input = selected_headers(
        fields,
        &signature.signed_headers,
        signature.header_canonicalization,
    );
    let canonicalization = signature.header_canonicalization;
    if after_b.is_empty() {
        canonicalize_header(canonicalization, before_b, &mut header_input);
    } else {
        canonicalize_header(
            canonicalization,
            &[before_b, after_b].concat(),
            &mut header_input,
        );
    }
    Ok(Pending {
        signature,
        header_input,
    })
}

/// The canonicalized header fields `h=` names, each instance chosen from the bottom up and a
/// name with no instance left contributing nothing (RFC 6376 §5.4.2).
pub(crate) fn selected_headers(
    fields: &[Field<'_>],
    names: &SignedHeaders,
    canonicalization: Canonicalization,
) -> Vec<u8> {
    // Which fields were chosen already; on the stack for a header of usual size.
    let mut few = [false; 64];
    let mut many = Vec::new();
    let used: &mut [bool] = match few.get_mut(..fields.len()) {
        Some(used) => used,
        None => {
            many.resize(fields.len(), false);
            &mut many
        }
    };
    // Canonicalization never lengthens a field by more than its final CRLF.
    let mut out = Vec::with_capacity(fields.iter().map(|f| f.raw.len() + 2).sum());
    for name in names.iter() {
        let pick = fields
            .iter()
            .enumerate()
            .rev()
            .find(|(i, f)| !used[*i] && f.is(name))
            .map(|(i, _)| i);
        if let Some(i) = pick {
            used[i] = true;
            canonicalize_header(canonicalization, fields[i].raw, &mut out);
        }
    }
    out
}

/// Looks up the key and checks the body hash and the signature (RFC 6376 §6.1.2, §6.1.3).
async fn check<R: Resolver>(
    resolver: &R,
    options: &VerifyOptions,
    keys: &KeyCache,
    pending: Pending,
    body_hashes: &[(BodyParams, BodyHash)],
    now: u64,
) -> SignatureResult {
    let Pending {
        signature,
        header_input,
    } = pending;
    let outcome = async {
        if let Some(expiration) = signature.expiration
            && expiration < now
        {
            return Err(Error::Expired { expiration, now });
        }
        let cached = lookup_key(resolver, options, keys, &signature, now).await?;
        let key = &cached.record;
        check_key(key, &signature)?;
        let params = (signature.body_canonicalization, signature.body_length);
        let Some(&(_, body)) = body_hashes.iter().find(|(p, _)| *p == params) else {
            return Err(Error::BodyHashMismatch);
        };
        if let Some(length) = signature.body_length
            && length > body.length
        {
            return Err(Error::BodyLengthTooLong {
                length,
                body: body.length,
            });
        }
        if body.digest[..] != signature.body_hash[..] {
            return Err(Error::BodyHashMismatch);
        }
        crate::crypto::verify(
            &key.key,
            &cached.prepared,
            signature.algorithm,
            &header_input,
            &signature.signature,
        )?;
        if let Some(length) = signature.body_length
            && length < body.length
            && !options.allow_partial_body
        {
            return Err(Error::PartialBody {
                signed: length,
                unsigned: body.length - length,
            });
        }
        Ok(key.testing)
    }
    .await;
    let (result, error, testing) = match outcome {
        Ok(testing) => (DkimResult::Pass, None, testing),
        Err(error) => (error.dkim_result(), Some(error), false),
    };
    SignatureResult {
        result,
        error,
        domain: Some(signature.domain.clone()),
        selector: Some(signature.selector.clone()),
        signature: Some(signature),
        testing,
    }
}

/// Fetches and parses the key at `<s>._domainkey.<d>` (RFC 6376 §3.6.2.2), or takes the key
/// an earlier lookup found while its TTL lasts. Of several TXT records, the first that parses
/// is used.
async fn lookup_key<R: Resolver>(
    resolver: &R,
    options: &VerifyOptions,
    keys: &KeyCache,
    signature: &Signature,
    now: u64,
) -> Result<Arc<CachedKey>, Error> {
    let pieces = [
        signature.selector.as_str(),
        "._domainkey.",
        &signature.domain,
    ];
    // The name of a kept key is put together on the stack: a hit then allocates nothing. (In
    // a block of its own, so the future does not keep the room across the lookup below.)
    let kept = {
        let mut room = [0; 256];
        match joined_in(&mut room, pieces) {
            Some(name) => keys.kept(name, now),
            None => keys.kept(&pieces.concat(), now),
        }
    };
    if let Some(kept) = kept {
        return Ok(kept);
    }
    let name = pieces.concat();
    let (answer, ttl) = resolver.txt_with_ttl(&name).await;
    let records = match answer {
        Ok(Answer::Records(records)) => records,
        Ok(Answer::NoData | Answer::NxDomain) => return Err(Error::KeyNotFound { name }),
        Err(source) => return Err(Error::KeyLookup { name, source }),
    };
    let mut first_error = None;
    for record in &records {
        let text = record.joined();
        if text.len() > options.max_key_record_len {
            first_error.get_or_insert(Error::KeyRecordTooLarge {
                name: name.clone(),
                len: text.len(),
                limit: options.max_key_record_len,
            });
            continue;
        }
        match keys.parse(&text) {
            Ok(key) => {
                keys.keep(&name, &key, now, ttl);
                return Ok(key);
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(first_error.unwrap_or(Error::KeyNotFound { name }))
}

/// The pieces written one after another in `room`, if they fit.
fn joined_in<'r>(room: &'r mut [u8], pieces: [&str; 3]) -> Option<&'r str> {
    let mut len = 0;
    for piece in pieces {
        room.get_mut(len..len + piece.len())?
            .copy_from_slice(piece.as_bytes());
        len += piece.len();
    }
    // Whole strings written end to end make a string.
    std::str::from_utf8(&room[..len]).ok()
}

/// The checks of a key against the signature that need both (RFC 6376 §3.6.1, RFC 8301).
fn check_key(key: &KeyRecord, signature: &Signature) -> Result<(), Error> {
    if key.key.key_type() != signature.algorithm.key_type() {
        return Err(Error::KeyTypeMismatch {
            key_type: key.key.key_type(),
            algorithm: signature.algorithm,
        });
    }
    if !key.allows_sha256 {
        return Err(Error::KeyHashNotAllowed);
    }
    if let PublicKey::Rsa { bits, .. } = key.key
        && bits < MIN_RSA_BITS
    {
        return Err(Error::KeyTooSmall { bits });
    }
    if key.strict {
        let auid_domain = signature
            .identity
            .as_deref()
            .and_then(|i| i.rsplit_once('@'))
            .map(|(_, domain)| domain);
        if let Some(auid_domain) = auid_domain {
            let same = mailroom_dns::to_ascii_cow(auid_domain).ok()
                == mailroom_dns::to_ascii_cow(&signature.domain).ok();
            if !same {
                return Err(Error::KeyStrict);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing_key::SigningKey;
    use mailroom_dns::Zone;

    /// A signature whose `b=` is followed by more tags, as signers may write it (§3.5 only
    /// recommends putting it last): only the value is removed before hashing (§3.7), and the
    /// tags after it are signed.
    #[test]
    fn b_before_other_tags_is_blanked_in_place() {
        use base64::Engine;
        let base64 = base64::engine::general_purpose::STANDARD;
        let key = SigningKey::ed25519_from_seed(&[3; 32]);
        let zone = Zone::from_text(&format!(
            "sel._domainkey.example.com. TXT \"{}\"",
            key.dns_record()
        ))
        .unwrap();
        let header = b"From: a@example.com\r\nSubject: hi\r\n";
        let body = b"body\r\n";
        let bh = base64.encode(crate::crypto::sha256(body));
        for (canon, c) in [
            (Canonicalization::Simple, "simple"),
            (Canonicalization::Relaxed, "relaxed"),
        ] {
            let field = |b: &str| {
                format!(
                    "DKIM-Signature: v=1; a=ed25519-sha256; b={b} ;\r\n\tc={c}/simple; \
                     d=example.com; s=sel; h=From:Subject; bh={bh}\r\n"
                )
            };
            let mut data = Vec::new();
            for line in [&b"From: a@example.com\r\n"[..], b"Subject: hi\r\n"] {
                canonicalize_header(canon, line, &mut data);
            }
            // The field with its b= value (and the white space around it) taken out.
            let unsigned = field("").replace("b= ;", "b=;");
            canonicalize_header(canon, unsigned.trim_end().as_bytes(), &mut data);
            let signature = base64.encode(key.sign(&data).unwrap());
            let message = [field(&signature).as_bytes(), header, b"\r\n", body].concat();
            let results = futures::executor::block_on(Verifier::default().verify(
                &zone,
                &message,
                1_700_000_000,
            ));
            assert_eq!(results[0].result, DkimResult::Pass, "{c}: {results:?}");
            // A tag after b= is signed like any other.
            let changed = String::from_utf8(message)
                .unwrap()
                .replace("s=sel; h=", "s=sel;  h=");
            let results = futures::executor::block_on(Verifier::default().verify(
                &zone,
                changed.as_bytes(),
                1_700_000_000,
            ));
            let expected = match canon {
                Canonicalization::Simple => DkimResult::Fail,
                Canonicalization::Relaxed => DkimResult::Pass,
            };
            assert_eq!(results[0].result, expected, "{c}: {results:?}");
        }
    }
}
