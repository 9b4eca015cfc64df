//! A resolver chosen at run time: a zone file (for tests and offline use) or the network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::answer::{Lookup, Mx, Txt};
use crate::error::DnsError;
use crate::hickory::HickoryResolver;
use crate::resolver::Resolver;
use crate::zone::Zone;

/// Answers from a [`Zone`] or from the network through [`HickoryResolver`], as configured.
///
/// ```
/// use mailroom_dns::{AnyResolver, Answer, Resolver, Zone};
/// let resolver = AnyResolver::Zone(Zone::from_text("example.org. TXT \"v=spf1 -all\"")?);
/// let txt = futures::executor::block_on(resolver.txt("example.org"))?;
/// assert!(matches!(txt, Answer::Records(records) if records[0].concat() == b"v=spf1 -all"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub enum AnyResolver {
    /// Answers from a zone held in memory.
    Zone(Zone),
    /// Answers from the network.
    Network(HickoryResolver),
}

/// Calls the same method on whichever resolver it is.
macro_rules! either {
    ($self:ident, $resolver:ident => $call:expr) => {
        match $self {
            Self::Zone($resolver) => $call.await,
            Self::Network($resolver) => $call.await,
        }
    };
}

impl Resolver for AnyResolver {
    async fn txt(&self, name: &str) -> Lookup<Txt> {
        either!(self, r => r.txt(name))
    }

    async fn txt_with_ttl(&self, name: &str) -> (Lookup<Txt>, Option<u32>) {
        either!(self, r => r.txt_with_ttl(name))
    }

    async fn a(&self, name: &str) -> Lookup<Ipv4Addr> {
        either!(self, r => r.a(name))
    }

    async fn aaaa(&self, name: &str) -> Lookup<Ipv6Addr> {
        either!(self, r => r.aaaa(name))
    }

    async fn mx(&self, name: &str) -> Lookup<Mx> {
        either!(self, r => r.mx(name))
    }

    async fn a_with_ttl(&self, name: &str) -> (Lookup<Ipv4Addr>, Option<u32>) {
        either!(self, r => r.a_with_ttl(name))
    }

    async fn aaaa_with_ttl(&self, name: &str) -> (Lookup<Ipv6Addr>, Option<u32>) {
        either!(self, r => r.aaaa_with_ttl(name))
    }

    async fn mx_with_ttl(&self, name: &str) -> (Lookup<Mx>, Option<u32>) {
        either!(self, r => r.mx_with_ttl(name))
    }

    async fn ptr(&self, ip: IpAddr) -> Lookup<String> {
        either!(self, r => r.ptr(ip))
    }

    async fn exists(&self, name: &str) -> Result<bool, DnsError> {
        either!(self, r => r.exists(name))
    }
}
