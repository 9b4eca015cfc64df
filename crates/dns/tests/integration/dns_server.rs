//! A tiny authoritative DNS server on 127.0.0.1 for testing `HickoryResolver` without the
//! internet: UDP and TCP on one port, fixed answers per name, and a log of what was asked.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME, MX, PTR, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// Over UDP, answers larger than this are sent truncated (RFC 1035 §4.2.1), so the client must
/// retry over TCP.
const UDP_LIMIT: usize = 512;

/// Which transport a query came over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    Udp,
    Tcp,
}

/// A running server; it stops with the test's runtime.
pub(crate) struct DnsServer {
    pub(crate) addr: SocketAddr,
    log: Arc<Mutex<Vec<(Transport, String, RecordType)>>>,
}

impl DnsServer {
    pub(crate) async fn start() -> Self {
        let (udp, tcp) = bind_pair().await;
        let addr = udp.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let udp_log = Arc::clone(&log);
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                let Ok((n, peer)) = udp.recv_from(&mut buf).await else {
                    return;
                };
                if let Some(reply) = answer(&buf[..n], Transport::Udp, &udp_log) {
                    let _ = udp.send_to(&reply, peer).await;
                }
            }
        });
        let tcp_log = Arc::clone(&log);
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = tcp.accept().await else {
                    return;
                };
                let log = Arc::clone(&tcp_log);
                tokio::spawn(async move {
                    loop {
                        let mut len = [0u8; 2];
                        if stream.read_exact(&mut len).await.is_err() {
                            return;
                        }
                        let mut query = vec![0u8; usize::from(u16::from_be_bytes(len))];
                        if stream.read_exact(&mut query).await.is_err() {
                            return;
                        }
                        if let Some(reply) = answer(&query, Transport::Tcp, &log) {
                            let len = u16::try_from(reply.len()).unwrap().to_be_bytes();
                            let _ = stream.write_all(&len).await;
                            let _ = stream.write_all(&reply).await;
                        }
                    }
                });
            }
        });
        Self { addr, log }
    }

    /// How many queries for `name` (with trailing dot) came over `transport`.
    pub(crate) fn count(&self, transport: Transport, name: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(t, n, _)| *t == transport && n.eq_ignore_ascii_case(name))
            .count()
    }
}

/// Binds UDP on a free port, then TCP on the same port (retrying if that one is taken).
async fn bind_pair() -> (UdpSocket, TcpListener) {
    for _ in 0..50 {
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        if let Ok(tcp) = TcpListener::bind(udp.local_addr().unwrap()).await {
            return (udp, tcp);
        }
    }
    panic!("no free port pair for the test DNS server");
}

fn name(text: &str) -> Name {
    Name::from_ascii(text).unwrap()
}

fn record(owner: &Name, ttl: u32, data: RData) -> Record {
    Record::from_rdata(owner.clone(), ttl, data)
}

/// Builds the reply to one query, or `None` to stay silent (a timeout).
fn answer(
    query: &[u8],
    transport: Transport,
    log: &Mutex<Vec<(Transport, String, RecordType)>>,
) -> Option<Vec<u8>> {
    let request = Message::from_vec(query).ok()?;
    let question = request.queries.first()?.clone();
    let owner = question.name().clone();
    let qtype = question.query_type();
    let lower = owner.to_ascii().to_ascii_lowercase();
    log.lock().unwrap().push((transport, lower.clone(), qtype));

    let mut reply = Message::response(request.metadata.id, request.metadata.op_code);
    reply.metadata.authoritative = true;
    reply.metadata.recursion_desired = request.metadata.recursion_desired;
    reply.add_query(question);
    let mut answers: Vec<Record> = Vec::new();
    let mut rcode = ResponseCode::NoError;
    match (lower.as_str(), qtype) {
        ("slow.test.", _) => return None,
        ("servfail.test.", _) => rcode = ResponseCode::ServFail,
        ("refused.test.", _) => rcode = ResponseCode::Refused,
        ("garbage.test.", _) => return Some(vec![0xde, 0xad]),
        ("txt.test.", RecordType::TXT) => answers.push(record(
            &owner,
            300,
            RData::TXT(TXT::new(vec!["v=spf1 ".into(), "-all".into()])),
        )),
        ("txt.test.", RecordType::A) => {
            answers.push(record(&owner, 300, RData::A(A::new(192, 0, 2, 1))));
        }
        ("big.test.", RecordType::TXT) => {
            for i in 0..8 {
                let chunk = format!("{i}").repeat(250);
                answers.push(record(
                    &owner,
                    300,
                    RData::TXT(TXT::new(vec![chunk.clone(), chunk])),
                ));
            }
        }
        ("alias.test.", _) => {
            answers.push(record(&owner, 300, RData::CNAME(CNAME(name("txt.test.")))));
            if qtype == RecordType::TXT {
                answers.push(record(
                    &name("txt.test."),
                    300,
                    RData::TXT(TXT::new(vec!["v=spf1 ".into(), "-all".into()])),
                ));
            }
        }
        ("mx.test.", RecordType::MX) => {
            answers.push(record(
                &owner,
                300,
                RData::MX(MX::new(10, name("Mail.Test."))),
            ));
            answers.push(record(
                &owner,
                300,
                RData::MX(MX::new(20, name("backup.test."))),
            ));
        }
        ("nullmx.test.", RecordType::MX) => {
            answers.push(record(&owner, 300, RData::MX(MX::new(0, Name::root()))));
        }
        ("1.2.0.192.in-addr.arpa.", RecordType::PTR) => {
            answers.push(record(&owner, 300, RData::PTR(PTR(name("Host.Test.")))));
        }
        ("xn--bcher-kva.test.", RecordType::A) => {
            answers.push(record(&owner, 300, RData::A(A::new(192, 0, 2, 7))));
        }
        ("short-ttl.test.", RecordType::A) => {
            answers.push(record(&owner, 1, RData::A(A::new(192, 0, 2, 9))));
        }
        ("txt.test." | "mx.test." | "nullmx.test." | "big.test." | "short-ttl.test.", _) => {}
        _ => rcode = ResponseCode::NXDomain,
    }
    reply.metadata.response_code = rcode;
    reply.insert_answers(answers);
    let bytes = reply.to_vec().ok()?;
    if transport == Transport::Udp && bytes.len() > UDP_LIMIT {
        return reply.truncate().to_vec().ok();
    }
    Some(bytes)
}
