//! LOGIN (draft-murchison-sasl-login): the server asks `Username:` then `Password:`; still used
//! by many clients, so servers offer it beside PLAIN (only under TLS).

use crate::error::Error;
use crate::plain::PlainCredentials;

/// The server side of a LOGIN exchange.
///
/// ```
/// use mailroom_sasl::{LoginServer, LoginStep};
/// let mut login = LoginServer::new();
/// assert_eq!(login.challenge(), Some(&b"Username:"[..]));
/// assert!(matches!(login.respond(b"tim")?, LoginStep::Challenge(b"Password:")));
/// let LoginStep::Done(creds) = login.respond(b"secret")? else { panic!() };
/// assert_eq!((creds.authcid.as_str(), creds.password.as_str()), ("tim", "secret"));
/// # Ok::<(), mailroom_sasl::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct LoginServer {
    username: Option<String>,
    done: bool,
}

/// What comes next in a LOGIN exchange.
#[derive(Debug)]
pub enum LoginStep {
    /// Send this challenge.
    Challenge(&'static [u8]),
    /// The exchange is complete: check these credentials.
    Done(PlainCredentials),
}

impl LoginServer {
    /// A new exchange.
    pub fn new() -> Self {
        Self::default()
    }

    /// The challenge to send now, if the exchange is not complete.
    pub fn challenge(&self) -> Option<&'static [u8]> {
        match (&self.username, self.done) {
            (_, true) => None,
            (None, false) => Some(b"Username:"),
            (Some(_), false) => Some(b"Password:"),
        }
    }

    /// Takes the client's response to the current challenge.
    ///
    /// # Errors
    ///
    /// [`Error::Malformed`] for an empty or non-UTF-8 response, [`Error::OutOfOrder`] after
    /// the end.
    pub fn respond(&mut self, response: &[u8]) -> Result<LoginStep, Error> {
        let text = std::str::from_utf8(response)
            .ok()
            .filter(|t| !t.is_empty() && t.len() <= 255 && !t.contains('\0'))
            .ok_or(Error::Malformed {
                mechanism: "LOGIN",
                problem: "an empty, over-long or non-UTF-8 response",
            })?;
        match (self.username.take(), self.done) {
            (_, true) => Err(Error::OutOfOrder),
            (None, false) => {
                self.username = Some(text.to_owned());
                Ok(LoginStep::Challenge(b"Password:"))
            }
            (Some(authcid), false) => {
                self.done = true;
                Ok(LoginStep::Done(PlainCredentials {
                    authzid: None,
                    authcid,
                    password: text.to_owned(),
                }))
            }
        }
    }
}
