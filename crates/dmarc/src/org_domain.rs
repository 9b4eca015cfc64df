//! The organizational domain in Public Suffix List mode (RFC 7489 §3.2), as OpenDMARC still
//! offers beside RFC 9989's DNS tree walk.

use psl_types::List as _;

use crate::error::Error;

/// A Public Suffix List, loaded from its text (`public_suffix_list.dat`), so operators can
/// update it without a new build.
pub struct PublicSuffixList {
    list: publicsuffix::List,
}

impl std::fmt::Debug for PublicSuffixList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicSuffixList").finish_non_exhaustive()
    }
}

impl PublicSuffixList {
    /// Reads the list from the text of `public_suffix_list.dat`.
    ///
    /// # Errors
    ///
    /// [`Error::PublicSuffixList`] when the text is not such a list.
    pub fn from_text(text: &str) -> Result<Self, Error> {
        let list: publicsuffix::List = text.parse().map_err(|_| Error::PublicSuffixList)?;
        if list.is_empty() {
            return Err(Error::PublicSuffixList);
        }
        Ok(Self { list })
    }

    /// The organizational domain of `domain` (RFC 7489 §3.2): its public suffix and one more
    /// label, as A-labels in lower case; `None` when the domain is itself a public suffix or not
    /// a valid name.
    ///
    /// ```
    /// # let text = "// ===BEGIN ICANN DOMAINS===\ncom\nco.uk\n// ===END ICANN DOMAINS===\n";
    /// let psl = mailroom_dmarc::PublicSuffixList::from_text(text)?;
    /// assert_eq!(psl.organizational_domain("mail.Example.co.uk").as_deref(), Some("example.co.uk"));
    /// assert_eq!(psl.organizational_domain("co.uk"), None);
    /// # Ok::<(), mailroom_dmarc::Error>(())
    /// ```
    pub fn organizational_domain(&self, domain: &str) -> Option<String> {
        if domain.starts_with('.') {
            return None;
        }
        let ascii = mailroom_dns::to_ascii(domain).ok()?;
        let found = self.list.domain(ascii.as_bytes())?;
        std::str::from_utf8(found.as_bytes())
            .ok()
            .map(str::to_owned)
    }
}
