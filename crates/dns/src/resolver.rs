//! The [`Resolver`] trait: the one way SPF, DKIM, DMARC and the server ask the DNS.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use crate::answer::{Lookup, Mx, Txt};
use crate::error::DnsError;

/// Asks the DNS the questions mail authentication needs.
///
/// Names may be given with or without the trailing dot, in any case, and as U-labels or A-labels:
/// implementations send A-labels ([`to_ascii`](crate::to_ascii)). Every lookup keeps apart the
/// three outcomes RFC 7208 and friends depend on: records, NODATA and NXDOMAIN in
/// [`Answer`](crate::Answer), and failure to get an answer as a [`DnsError`].
///
/// Implementations here: [`Zone`](crate::Zone) (in memory, for tests and tools) and, with the
/// `hickory` feature, `HickoryResolver` (the network, with a cache).
///
/// ```
/// use mailroom_dns::{Answer, Resolver, Zone};
///
/// let zone = Zone::from_text("example.org. 300 IN TXT \"v=spf1 -all\"")?;
/// let answer = futures::executor::block_on(zone.txt("EXAMPLE.org"))?;
/// assert_eq!(answer.records()[0].concat(), b"v=spf1 -all");
/// assert_eq!(futures::executor::block_on(zone.a("example.org"))?, Answer::NoData);
/// assert_eq!(futures::executor::block_on(zone.a("gone.example.org"))?, Answer::NxDomain);
/// # Ok::<(), mailroom_dns::DnsError>(())
/// ```
pub trait Resolver: Send + Sync {
    /// The TXT records at `name`, each with its strings kept apart.
    fn txt(&self, name: &str) -> impl Future<Output = Lookup<Txt>> + Send;

    /// As [`Resolver::txt`], with how many seconds the answer may be kept: the smallest TTL of
    /// its records, or the negative-caching time (RFC 2308 §5) of a NODATA or NXDOMAIN answer.
    /// `None` when the resolver does not know, and for failures: callers then keep nothing.
    fn txt_with_ttl(&self, name: &str) -> impl Future<Output = (Lookup<Txt>, Option<u32>)> + Send {
        async move { (self.txt(name).await, None) }
    }

    /// The IPv4 addresses at `name`.
    fn a(&self, name: &str) -> impl Future<Output = Lookup<Ipv4Addr>> + Send;

    /// The IPv6 addresses at `name`.
    fn aaaa(&self, name: &str) -> impl Future<Output = Lookup<Ipv6Addr>> + Send;

    /// The MX records at `name`, in the order the DNS gave them (callers sort by preference).
    fn mx(&self, name: &str) -> impl Future<Output = Lookup<Mx>> + Send;

    /// As [`Resolver::a`], with how many seconds the answer may be kept (as for
    /// [`Resolver::txt_with_ttl`]).
    fn a_with_ttl(
        &self,
        name: &str,
    ) -> impl Future<Output = (Lookup<Ipv4Addr>, Option<u32>)> + Send {
        async move { (self.a(name).await, None) }
    }

    /// As [`Resolver::aaaa`], with how many seconds the answer may be kept.
    fn aaaa_with_ttl(
        &self,
        name: &str,
    ) -> impl Future<Output = (Lookup<Ipv6Addr>, Option<u32>)> + Send {
        async move { (self.aaaa(name).await, None) }
    }

    /// As [`Resolver::mx`], with how many seconds the answer may be kept.
    fn mx_with_ttl(&self, name: &str) -> impl Future<Output = (Lookup<Mx>, Option<u32>)> + Send {
        async move { (self.mx(name).await, None) }
    }

    /// The host names the PTR records of `ip` name (RFC 1035 §3.5, RFC 3596 §2.5), ASCII, lower
    /// case, without the trailing dot.
    fn ptr(&self, ip: IpAddr) -> impl Future<Output = Lookup<String>> + Send;

    /// Whether `name` has at least one A record: the test of SPF's `exists:` mechanism, which
    /// asks for A records whatever the client's address family (RFC 7208 §5.7).
    fn exists(&self, name: &str) -> impl Future<Output = Result<bool, DnsError>> + Send {
        async move { Ok(!self.a(name).await?.is_void()) }
    }
}

/// Implements [`Resolver`] for a pointer type by asking what it points at, so a resolver can be
/// shared by reference or by `Arc` without the checks caring which.
macro_rules! forward_resolver {
    ($($pointer:ty),*) => {$(
        impl<R: Resolver + ?Sized> Resolver for $pointer {
            fn txt(&self, name: &str) -> impl Future<Output = Lookup<Txt>> + Send {
                (**self).txt(name)
            }
            fn txt_with_ttl(
                &self,
                name: &str,
            ) -> impl Future<Output = (Lookup<Txt>, Option<u32>)> + Send {
                (**self).txt_with_ttl(name)
            }
            fn a(&self, name: &str) -> impl Future<Output = Lookup<Ipv4Addr>> + Send {
                (**self).a(name)
            }
            fn aaaa(&self, name: &str) -> impl Future<Output = Lookup<Ipv6Addr>> + Send {
                (**self).aaaa(name)
            }
            fn mx(&self, name: &str) -> impl Future<Output = Lookup<Mx>> + Send {
                (**self).mx(name)
            }
            fn a_with_ttl(
                &self,
                name: &str,
            ) -> impl Future<Output = (Lookup<Ipv4Addr>, Option<u32>)> + Send {
                (**self).a_with_ttl(name)
            }
            fn aaaa_with_ttl(
                &self,
                name: &str,
            ) -> impl Future<Output = (Lookup<Ipv6Addr>, Option<u32>)> + Send {
                (**self).aaaa_with_ttl(name)
            }
            fn mx_with_ttl(
                &self,
                name: &str,
            ) -> impl Future<Output = (Lookup<Mx>, Option<u32>)> + Send {
                (**self).mx_with_ttl(name)
            }
            fn ptr(&self, ip: IpAddr) -> impl Future<Output = Lookup<String>> + Send {
                (**self).ptr(ip)
            }
            fn exists(&self, name: &str) -> impl Future<Output = Result<bool, DnsError>> + Send {
                (**self).exists(name)
            }
        }
    )*};
}

forward_resolver!(&R, Arc<R>);
