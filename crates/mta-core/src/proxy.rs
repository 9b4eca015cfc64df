//! The HAProxy PROXY protocol (versions 1 and 2): the header a load balancer sends before the
//! client's bytes, saying who the client really is. Without it, every client behind a proxy
//! or a container's port forwarding looks like the proxy's own (often trusted) address.
//!
//! ```text
//! v1: "PROXY" SP ("TCP4" / "TCP6") SP src SP dst SP sport SP dport CRLF   (at most 107 octets)
//!     "PROXY UNKNOWN" [...] CRLF
//! v2: 12-octet signature, version/command, family/protocol, 2-octet length, addresses
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::error::Error;

/// The v2 signature.
pub const PROXY_V2_SIGNATURE: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";

/// The longest v1 header, CRLF included.
pub const MAX_PROXY_V1: usize = 107;

/// What a PROXY header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyHeader {
    /// The connection was proxied for this client, to this address.
    Proxied {
        /// The client's address.
        source: SocketAddr,
        /// The address the client connected to.
        destination: SocketAddr,
    },
    /// The proxy speaks for itself (a health check, v2 `LOCAL`) or the family is unknown
    /// (v1 `UNKNOWN`): use the connection's own addresses.
    Local,
}

/// Reads a PROXY header from the start of `input`: the header and how many octets it took,
/// or `None` if more octets are needed.
///
/// ```
/// use mailroom_mta_core::{ProxyHeader, parse_proxy_header};
/// let (header, used) = parse_proxy_header(b"PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\r\nEHLO")?.unwrap();
/// assert_eq!(used, 44);
/// let ProxyHeader::Proxied { source, .. } = header else { panic!() };
/// assert_eq!(source.to_string(), "192.0.2.7:56324");
/// # Ok::<(), mailroom_mta_core::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Proxy`] naming what is wrong, when the input is not a PROXY header.
pub fn parse_proxy_header(input: &[u8]) -> Result<Option<(ProxyHeader, usize)>, Error> {
    let compared = input.len().min(PROXY_V2_SIGNATURE.len());
    if input[..compared] == PROXY_V2_SIGNATURE[..compared] && !input.is_empty() && input[0] == b'\r'
    {
        return parse_v2(input);
    }
    let compared = input.len().min(6);
    if input[..compared] != b"PROXY "[..compared] {
        return Err(Error::Proxy {
            problem: "no PROXY header where one is required",
        });
    }
    parse_v1(input)
}

fn proxy_error(problem: &'static str) -> Error {
    Error::Proxy { problem }
}

fn parse_v1(input: &[u8]) -> Result<Option<(ProxyHeader, usize)>, Error> {
    let Some(end) = input.windows(2).position(|w| w == b"\r\n") else {
        if input.len() >= MAX_PROXY_V1 {
            return Err(proxy_error("the v1 header is longer than 107 octets"));
        }
        return Ok(None);
    };
    let used = end + 2;
    if used > MAX_PROXY_V1 {
        return Err(proxy_error("the v1 header is longer than 107 octets"));
    }
    let line = std::str::from_utf8(&input[..end])
        .map_err(|_| proxy_error("the v1 header is not ASCII"))?;
    let words: Vec<&str> = line.split(' ').collect();
    match words.as_slice() {
        ["PROXY", "UNKNOWN", ..] => Ok(Some((ProxyHeader::Local, used))),
        [
            "PROXY",
            family @ ("TCP4" | "TCP6"),
            source,
            destination,
            source_port,
            destination_port,
        ] => {
            let ip = |text: &str| -> Result<IpAddr, Error> {
                let ip: IpAddr = text
                    .parse()
                    .map_err(|_| proxy_error("a v1 address is malformed"))?;
                if ip.is_ipv4() != (*family == "TCP4") {
                    return Err(proxy_error("a v1 address is not of the family given"));
                }
                Ok(ip)
            };
            let port = |text: &str| -> Result<u16, Error> {
                // RFC-style numbers: no sign, no leading zeros.
                if text.is_empty()
                    || (text.len() > 1 && text.starts_with('0'))
                    || !text.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(proxy_error("a v1 port is malformed"));
                }
                text.parse()
                    .map_err(|_| proxy_error("a v1 port is malformed"))
            };
            Ok(Some((
                ProxyHeader::Proxied {
                    source: SocketAddr::new(ip(source)?, port(source_port)?),
                    destination: SocketAddr::new(ip(destination)?, port(destination_port)?),
                },
                used,
            )))
        }
        _ => Err(proxy_error("the v1 header does not follow the grammar")),
    }
}

fn parse_v2(input: &[u8]) -> Result<Option<(ProxyHeader, usize)>, Error> {
    if input.len() < 16 {
        return Ok(None);
    }
    let version_command = input[12];
    if version_command >> 4 != 2 {
        return Err(proxy_error("the v2 version is not 2"));
    }
    let length = usize::from(u16::from_be_bytes([input[14], input[15]]));
    let used = 16 + length;
    if input.len() < used {
        return Ok(None);
    }
    let body = &input[16..used];
    match version_command & 0x0F {
        // LOCAL: the proxy's own connection.
        0x0 => return Ok(Some((ProxyHeader::Local, used))),
        0x1 => {}
        _ => return Err(proxy_error("the v2 command is neither LOCAL nor PROXY")),
    }
    let header = match input[13] {
        // TCP over IPv4: 4 + 4 + 2 + 2 octets.
        0x11 if body.len() >= 12 => {
            let source = Ipv4Addr::new(body[0], body[1], body[2], body[3]);
            let destination = Ipv4Addr::new(body[4], body[5], body[6], body[7]);
            ProxyHeader::Proxied {
                source: SocketAddr::new(source.into(), u16::from_be_bytes([body[8], body[9]])),
                destination: SocketAddr::new(
                    destination.into(),
                    u16::from_be_bytes([body[10], body[11]]),
                ),
            }
        }
        // TCP over IPv6: 16 + 16 + 2 + 2 octets.
        0x21 if body.len() >= 36 => {
            let address = |at: usize| {
                let mut octets = [0_u8; 16];
                octets.copy_from_slice(&body[at..at + 16]);
                Ipv6Addr::from(octets)
            };
            ProxyHeader::Proxied {
                source: SocketAddr::new(
                    address(0).into(),
                    u16::from_be_bytes([body[32], body[33]]),
                ),
                destination: SocketAddr::new(
                    address(16).into(),
                    u16::from_be_bytes([body[34], body[35]]),
                ),
            }
        }
        0x11 | 0x21 => return Err(proxy_error("the v2 addresses are cut short")),
        // UNSPEC or a family other than TCP: the connection's own addresses.
        _ => ProxyHeader::Local,
    };
    Ok(Some((header, used)))
}
