//! Identifier alignment (RFC 9989 §4.4): does an authenticated domain match the From domain?

use crate::record::Alignment;

/// Whether `authenticated` (a DKIM `d=` or the SPF-checked domain) is aligned with the RFC5322.From
/// domain: the same domain under strict alignment, the same organizational domain under relaxed.
/// Names are compared as A-labels without case. `organizational` gives a name's organizational
/// domain (Public Suffix List mode or the DNS tree walk).
///
/// ```
/// use mailroom_dmarc::{Alignment, is_aligned};
/// let org = |d: &str| d.rsplitn(3, '.').take(2).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(".").into();
/// assert!(is_aligned(Alignment::Relaxed, "example.com", "mail.example.com", org));
/// assert!(!is_aligned(Alignment::Strict, "example.com", "mail.example.com", org));
/// ```
pub fn is_aligned(
    mode: Alignment,
    from_domain: &str,
    authenticated: &str,
    organizational: impl Fn(&str) -> Option<String>,
) -> bool {
    let (Ok(from), Ok(auth)) = (
        mailroom_dns::to_ascii_cow(from_domain),
        mailroom_dns::to_ascii_cow(authenticated),
    ) else {
        return false;
    };
    aligned_ascii(mode, &from, &auth, organizational)
}

/// [`is_aligned`] for names already in A-labels.
pub(crate) fn aligned_ascii<S: AsRef<str>>(
    mode: Alignment,
    from: &str,
    auth: &str,
    organizational: impl Fn(&str) -> Option<S>,
) -> bool {
    if from == auth {
        return true;
    }
    match mode {
        Alignment::Strict => false,
        Alignment::Relaxed => match (organizational(from), organizational(auth)) {
            (Some(a), Some(b)) => a.as_ref() == b.as_ref(),
            _ => false,
        },
    }
}
