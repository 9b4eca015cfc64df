//! The processing limits of RFC 7208 §4.6.4, configurable, with the RFC's values by default.

/// DNS-querying terms (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`) per check.
pub const MAX_DNS_TERMS: usize = 10;
/// Lookups that find nothing (NXDOMAIN or NODATA) per check.
pub const MAX_VOID_LOOKUPS: usize = 2;
/// MX names an `mx` mechanism looks at.
pub const MAX_MX_NAMES: usize = 10;
/// PTR names a `ptr` mechanism or `%{p}` looks at.
pub const MAX_PTR_NAMES: usize = 10;

/// Limits on the work of one check, whatever the records say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// DNS-querying terms; more is `permerror` (default 10).
    pub dns_terms: usize,
    /// Void lookups; more is `permerror` (default 2).
    pub void_lookups: usize,
    /// MX names per `mx`; more is `permerror` (default 10).
    pub mx_names: usize,
    /// PTR names per `ptr` or `%{p}`; the rest are ignored (default 10).
    pub ptr_names: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            dns_terms: MAX_DNS_TERMS,
            void_lookups: MAX_VOID_LOOKUPS,
            mx_names: MAX_MX_NAMES,
            ptr_names: MAX_PTR_NAMES,
        }
    }
}

impl Limits {
    /// Sets the limit on DNS-querying terms.
    pub fn dns_terms(mut self, limit: usize) -> Self {
        self.dns_terms = limit;
        self
    }

    /// Sets the limit on void lookups.
    pub fn void_lookups(mut self, limit: usize) -> Self {
        self.void_lookups = limit;
        self
    }
}
