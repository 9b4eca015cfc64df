//! `HickoryResolver` against the test server on 127.0.0.1: every outcome a lookup can have.

use std::time::Duration;

use mailroom_dns::{Answer, DnsError, HickoryResolver, MalformedAnswer, Mx, Resolver};

use crate::dns_server::{DnsServer, Transport};

async fn resolver(server: &DnsServer) -> HickoryResolver {
    HickoryResolver::with_name_servers([server.addr])
        .timeout(Duration::from_millis(300))
        .attempts(1)
        .build()
        .unwrap()
}

#[tokio::test]
async fn txt_strings_stay_apart() {
    let server = DnsServer::start().await;
    let dns = resolver(&server).await;
    let answer = dns.txt("TXT.test").await.unwrap();
    let records = answer.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].strings().len(), 2);
    assert_eq!(records[0].concat(), b"v=spf1 -all");
}

#[tokio::test]
async fn nxdomain_nodata_and_records_are_told_apart() {
    let server = DnsServer::start().await;
    let dns = resolver(&server).await;
    assert_eq!(dns.a("nowhere.test").await, Ok(Answer::NxDomain));
    assert_eq!(dns.aaaa("txt.test.").await, Ok(Answer::NoData));
    assert_eq!(
        dns.a("txt.test").await,
        Ok(Answer::Records(vec!["192.0.2.1".parse().unwrap()]))
    );
    assert!(dns.exists("txt.test").await.unwrap());
    assert!(!dns.exists("nowhere.test").await.unwrap());
}

#[tokio::test]
async fn server_failures_and_timeouts_are_temporary_errors() {
    let server = DnsServer::start().await;
    let dns = resolver(&server).await;
    let servfail = dns.txt("servfail.test").await.unwrap_err();
    assert_eq!(
        servfail,
        DnsError::ServerFailure {
            name: "servfail.test".into(),
            rcode: 2
        }
    );
    assert!(servfail.is_temporary());
    assert!(matches!(
        dns.txt("refused.test").await,
        Err(DnsError::ServerFailure { rcode: 5, .. })
    ));
    let timeout = dns.txt("slow.test").await.unwrap_err();
    assert_eq!(
        timeout,
        DnsError::Timeout {
            name: "slow.test".into()
        }
    );
    assert!(timeout.is_temporary());
}

#[tokio::test]
async fn undecodable_answers_are_errors_not_answers() {
    let server = DnsServer::start().await;
    let dns = resolver(&server).await;
    let error = dns.txt("garbage.test").await.unwrap_err();
    assert!(error.is_temporary(), "{error:?}");
    assert!(
        matches!(
            error,
            DnsError::Timeout { .. }
                | DnsError::Malformed {
                    problem: MalformedAnswer::Undecodable,
                    ..
                }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn truncated_udp_answers_are_retried_over_tcp() {
    let server = DnsServer::start().await;
    let dns = resolver(&server).await;
    let answer = dns.txt("big.test").await.unwrap();
    assert_eq!(answer.records().len(), 8);
    assert!(answer.records().iter().all(|txt| txt.concat().len() == 500));
    assert_eq!(server.count(Transport::Udp, "big.test."), 1);
    assert_eq!(server.count(Transport::Tcp, "big.test."), 1);
}

#[tokio::test]
async fn cnames_are_followed() {
    let server = DnsServer::start().await;
    let dns = resolver(&server).await;
    let answer = dns.txt("alias.test").await.unwrap();
    assert_eq!(answer.records()[0].concat(), b"v=spf1 -all");
}

#[tokio::test]
async fn mx_and_null_mx() {
    let server = DnsServer::start().await;
    let dns = resolver(&server).await;
    let mut mx = dns.mx("mx.test").await.unwrap().into_records();
    mx.sort_by_key(|mx| mx.preference);
    assert_eq!(
        mx,
        vec![
            Mx {
                preference: 10,
                exchange: "mail.test".into()
            },
            Mx {
                preference: 20,
                exchange: "backup.test".into()
            },
        ]
    );
    let null = dns.mx("nullmx.test").await.unwrap().into_records();
    assert!(null[0].is_null(), "{null:?}");
}

#[tokio::test]
async fn ptr_uses_the_reverse_name() {
    let server = DnsServer::start().await;
    let dns = resolver(&server).await;
    let names = dns.ptr("192.0.2.1".parse().unwrap()).await.unwrap();
    assert_eq!(names, Answer::Records(vec!["host.test".to_owned()]));
}

#[tokio::test]
async fn internationalized_names_go_out_as_a_labels() {
    let server = DnsServer::start().await;
    let dns = resolver(&server).await;
    let answer = dns.a("Bücher.test").await.unwrap();
    assert_eq!(
        answer.records(),
        &["192.0.2.7".parse::<std::net::Ipv4Addr>().unwrap()]
    );
    assert_eq!(server.count(Transport::Udp, "xn--bcher-kva.test."), 1);
}

#[tokio::test]
async fn answers_are_cached_for_their_ttl() {
    let server = DnsServer::start().await;
    let dns = resolver(&server).await;
    dns.txt("txt.test").await.unwrap();
    dns.txt("txt.test").await.unwrap();
    assert_eq!(
        server.count(Transport::Udp, "txt.test."),
        1,
        "second lookup came from the cache"
    );

    dns.a("short-ttl.test").await.unwrap();
    dns.a("short-ttl.test").await.unwrap();
    assert_eq!(server.count(Transport::Udp, "short-ttl.test."), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    dns.a("short-ttl.test").await.unwrap();
    assert_eq!(
        server.count(Transport::Udp, "short-ttl.test."),
        2,
        "expired after its 1 s TTL"
    );
}

#[tokio::test]
async fn bad_names_are_refused_before_any_query() {
    let server = DnsServer::start().await;
    let dns = resolver(&server).await;
    assert!(matches!(
        dns.txt("a..test").await,
        Err(DnsError::InvalidName { .. })
    ));
}

#[tokio::test]
async fn unreachable_server_is_a_temporary_error() {
    // Nothing listens here: bind a socket to find a free port, then close it.
    let addr = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dns = HickoryResolver::with_name_servers([addr])
        .timeout(Duration::from_millis(200))
        .attempts(1)
        .build()
        .unwrap();
    let error = dns.txt("txt.test").await.unwrap_err();
    assert!(error.is_temporary(), "{error:?}");
}

#[tokio::test]
async fn txt_answers_carry_their_ttl() {
    let server = DnsServer::start().await;
    let dns = resolver(&server).await;
    let (answer, ttl) = dns.txt_with_ttl("txt.test").await;
    assert_eq!(answer.unwrap().records().len(), 1);
    assert!(ttl.is_some_and(|ttl| ttl <= 300 && ttl > 250), "{ttl:?}");
    // Without an SOA in the reply there is no negative TTL, so nothing may be kept.
    assert_eq!(
        dns.txt_with_ttl("nowhere.test").await,
        (Ok(Answer::NxDomain), None)
    );
    let (answer, ttl) = dns.a_with_ttl("txt.test").await;
    assert_eq!(answer.unwrap().records().len(), 1);
    assert!(ttl.is_some_and(|ttl| ttl <= 300 && ttl > 250), "{ttl:?}");
    let (failed, ttl) = dns.txt_with_ttl("servfail.test").await;
    assert!(failed.is_err());
    assert_eq!(ttl, None);
}
