//! The PROXY protocol header, versions 1 and 2.

use mailroom_mta_core::{Error, ProxyHeader, parse_proxy_header};

fn proxied(input: &[u8]) -> (String, String, usize) {
    match parse_proxy_header(input) {
        Ok(Some((
            ProxyHeader::Proxied {
                source,
                destination,
            },
            used,
        ))) => (source.to_string(), destination.to_string(), used),
        other => panic!("{input:?}: {other:?}"),
    }
}

#[test]
fn version_1_headers() {
    assert_eq!(
        proxied(b"PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\r\nEHLO x\r\n"),
        ("192.0.2.7:56324".into(), "198.51.100.1:25".into(), 44)
    );
    assert_eq!(
        proxied(b"PROXY TCP6 2001:db8::7 2001:db8::1 4000 587\r\n").0,
        "[2001:db8::7]:4000"
    );
    assert_eq!(
        parse_proxy_header(b"PROXY UNKNOWN\r\n"),
        Ok(Some((ProxyHeader::Local, 15)))
    );
    assert_eq!(parse_proxy_header(b"PROXY TCP4 192.0.2.7 198.51"), Ok(None));
    assert_eq!(parse_proxy_header(b"PRO"), Ok(None));
    for bad in [
        &b"EHLO client.example\r\n"[..],
        b"PROXY TCP4 2001:db8::1 192.0.2.1 1 2\r\n",
        b"PROXY TCP4 192.0.2.1 192.0.2.2 01 2\r\n",
        b"PROXY TCP4 192.0.2.1 192.0.2.2 65536 2\r\n",
        b"PROXY TCP4 192.0.2.1 192.0.2.2 1\r\n",
        b"PROXY SCTP 192.0.2.1 192.0.2.2 1 2\r\n",
    ] {
        assert!(
            matches!(parse_proxy_header(bad), Err(Error::Proxy { .. })),
            "{bad:?}"
        );
    }
    let long = [b"PROXY ".as_slice(), &[b'x'; 120]].concat();
    assert!(parse_proxy_header(&long).is_err());
}

#[test]
fn version_2_headers() {
    let mut tcp4 = b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c".to_vec();
    tcp4.extend([192, 0, 2, 7, 198, 51, 100, 1, 0xDC, 0x04, 0, 25]);
    assert_eq!(
        proxied(&tcp4),
        ("192.0.2.7:56324".into(), "198.51.100.1:25".into(), 28)
    );
    assert_eq!(parse_proxy_header(&tcp4[..20]), Ok(None));
    let local = b"\r\n\r\n\0\r\nQUIT\n\x20\x00\x00\x00";
    assert_eq!(
        parse_proxy_header(local),
        Ok(Some((ProxyHeader::Local, 16)))
    );
    let mut tcp6 = b"\r\n\r\n\0\r\nQUIT\n\x21\x21\x00\x24".to_vec();
    tcp6.extend([0x20, 0x01, 0x0d, 0xb8].iter().chain(&[0; 11]).chain(&[7]));
    tcp6.extend([0x20, 0x01, 0x0d, 0xb8].iter().chain(&[0; 11]).chain(&[1]));
    tcp6.extend([0x0F, 0xA0, 0x02, 0x4B]);
    assert_eq!(proxied(&tcp6).0, "[2001:db8::7]:4000");
    let mut bad_version = tcp4.clone();
    bad_version[12] = 0x11;
    assert!(parse_proxy_header(&bad_version).is_err());
    let mut short = b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x04".to_vec();
    short.extend([1, 2, 3, 4]);
    assert!(parse_proxy_header(&short).is_err());
}
