//! The server's side of AUTH (RFC 4954) over mailroom-sasl: PLAIN, LOGIN, SCRAM-SHA-256 and
//! OAUTHBEARER, asking the [`Handler`] only for what it keeps (a password check, stored SCRAM
//! keys, a token check).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mailroom_sasl::{
    BearerRequest, LoginServer, LoginStep, MIN_ITERATIONS, PlainCredentials, ScramCredentials,
    ScramServer, error_challenge,
};

use super::server::Handler;
use crate::reply::Reply;
use crate::server::Decision;

/// Where an AUTH exchange is.
#[derive(Debug, Default)]
pub(crate) enum Exchange {
    #[default]
    Idle,
    Plain,
    Login(LoginServer),
    ScramFirst(ScramServer),
    ScramFinal(ScramServer, String),
    ScramDone(String),
    Bearer,
    /// The token was refused with an error challenge; the client acknowledges it (RFC 7628
    /// §3.2.3) and the exchange fails.
    BearerRefused,
}

impl Exchange {
    /// `AUTH mechanism [initial-response]`.
    pub(crate) async fn start<H: Handler>(
        &mut self,
        handler: &H,
        conn: &mut H::Connection,
        mechanism: &str,
        initial_response: Option<Vec<u8>>,
    ) -> Decision {
        *self = match mechanism {
            "PLAIN" => Self::Plain,
            "LOGIN" => Self::Login(LoginServer::new()),
            "SCRAM-SHA-256" => Self::ScramFirst(ScramServer::new()),
            "OAUTHBEARER" => Self::Bearer,
            _ => {
                return Decision::Reply(Reply::coded(
                    504,
                    (5, 5, 4),
                    "this server does not run that mechanism",
                ));
            }
        };
        match initial_response {
            Some(response) => self.respond(handler, conn, response).await,
            None => match self {
                Self::Login(login) => {
                    Decision::Challenge(login.challenge().unwrap_or_default().to_vec())
                }
                _ => Decision::Challenge(Vec::new()),
            },
        }
    }

    /// The client's next message.
    pub(crate) async fn respond<H: Handler>(
        &mut self,
        handler: &H,
        conn: &mut H::Connection,
        response: Vec<u8>,
    ) -> Decision {
        match std::mem::take(self) {
            Self::Idle => malformed(),
            Self::Plain => match PlainCredentials::decode(&response) {
                Ok(credentials) => check(handler, conn, "PLAIN", &credentials).await,
                Err(_) => malformed(),
            },
            Self::Login(mut login) => match login.respond(&response) {
                Ok(LoginStep::Challenge(challenge)) => {
                    *self = Self::Login(login);
                    Decision::Challenge(challenge.to_vec())
                }
                Ok(LoginStep::Done(credentials)) => {
                    check(handler, conn, "LOGIN", &credentials).await
                }
                Err(_) => malformed(),
            },
            Self::ScramFirst(mut scram) => {
                let Ok(user) = scram.client_first(&response) else {
                    return malformed();
                };
                let stored = handler.scram_credentials(conn, &user.username).await;
                let Some(nonce) = random_text() else {
                    return unavailable();
                };
                // An unknown user gets made-up keys, so the exchange fails only at the proof
                // and tells nothing about which users exist.
                let credentials = match stored {
                    Some(credentials) => credentials,
                    None => match random_text().and_then(|p| {
                        ScramCredentials::derive(&p, nonce.as_bytes(), MIN_ITERATIONS).ok()
                    }) {
                        Some(made_up) => made_up,
                        None => return unavailable(),
                    },
                };
                match scram.server_first(credentials, &nonce) {
                    Ok(server_first) => {
                        *self = Self::ScramFinal(scram, user.username);
                        Decision::Challenge(server_first.into_bytes())
                    }
                    Err(_) => malformed(),
                }
            }
            Self::ScramFinal(mut scram, username) => match scram.client_final(&response) {
                // RFC 4954 §4: data sent with success goes in a 334 challenge, which the
                // client answers with an empty response.
                Ok(server_final) => {
                    *self = Self::ScramDone(username);
                    Decision::Challenge(server_final.into_bytes())
                }
                Err(mailroom_sasl::Error::Failed) => {
                    handler.auth_failed(conn, "SCRAM-SHA-256", &username);
                    invalid()
                }
                Err(_) => malformed(),
            },
            Self::Bearer => match BearerRequest::parse(&response) {
                Ok(request) => match handler.check_bearer(conn, &request).await {
                    Some(username) => {
                        handler.authenticated(conn, "OAUTHBEARER", &username);
                        Decision::Accept
                    }
                    None => {
                        *self = Self::BearerRefused;
                        Decision::Challenge(error_challenge("invalid_token", None, None))
                    }
                },
                Err(_) => malformed(),
            },
            Self::BearerRefused => invalid(),
            Self::ScramDone(username) => {
                handler.authenticated(conn, "SCRAM-SHA-256", &username);
                Decision::Accept
            }
        }
    }
}

async fn check<H: Handler>(
    handler: &H,
    conn: &mut H::Connection,
    mechanism: &str,
    credentials: &PlainCredentials,
) -> Decision {
    if handler.check_password(conn, credentials).await {
        handler.authenticated(conn, mechanism, &credentials.authcid);
        Decision::Accept
    } else {
        handler.auth_failed(conn, mechanism, &credentials.authcid);
        invalid()
    }
}

/// RFC 4954 §6: 535 5.7.8 for credentials that do not check out.
fn invalid() -> Decision {
    Decision::Reply(Reply::coded(
        535,
        (5, 7, 8),
        "authentication credentials invalid",
    ))
}

fn malformed() -> Decision {
    Decision::Reply(Reply::coded(
        501,
        (5, 5, 2),
        "malformed authentication message",
    ))
}

/// RFC 4954 §6: 454 4.7.0 for a temporary failure.
fn unavailable() -> Decision {
    Decision::Reply(Reply::coded(
        454,
        (4, 7, 0),
        "temporary authentication failure",
    ))
}

/// 18 random octets as base64: a SCRAM nonce (printable, no commas).
fn random_text() -> Option<String> {
    let mut bytes = [0_u8; 18];
    getrandom::fill(&mut bytes).ok()?;
    Some(BASE64.encode(bytes))
}
