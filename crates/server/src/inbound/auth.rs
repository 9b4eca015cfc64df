//! AUTH: passwords checked off the async threads, failures counted against the client and the
//! user (rate limits), the session's user set on success.

use std::time::Instant;

use mailroom_sasl::PlainCredentials;

use super::{MailHandler, Session};

impl MailHandler {
    pub(super) async fn password_matches(
        &self,
        session: &mut Session,
        credentials: &PlainCredentials,
    ) -> bool {
        if credentials
            .authzid
            .as_ref()
            .is_some_and(|authzid| !authzid.eq_ignore_ascii_case(&credentials.authcid))
        {
            return false;
        }
        let ip = session.peer.remote.ip();
        let limiter = &self.shared.auth_limiter;
        if !limiter.allows(ip, &credentials.authcid, Instant::now()) {
            tracing::warn!(client = %session.peer.remote, user = %credentials.authcid, "authentication refused: too many failures");
            return false;
        }
        let Some(directory) = self.shared.directory() else {
            return false;
        };
        let Some(user) = directory.user(&credentials.authcid).cloned() else {
            tracing::info!(client = %session.peer.remote, user = %credentials.authcid, "authentication failed: no such user");
            return false;
        };
        let password = credentials.password.clone();
        // Argon2 takes tens of milliseconds of CPU: keep it off the connection threads.
        let ok = tokio::task::spawn_blocking(move || user.password.verify(&password))
            .await
            .unwrap_or(false);
        if !ok {
            tracing::info!(client = %session.peer.remote, user = %credentials.authcid, "authentication failed: wrong password");
        }
        ok
    }

    pub(super) fn note_auth_failure(&self, session: &mut Session, mechanism: &str, username: &str) {
        // PLAIN and LOGIN failures were logged with their reason by check_password.
        if mechanism.starts_with("SCRAM") {
            tracing::info!(client = %session.peer.remote, user = %username, mechanism, "authentication failed: wrong proof");
        }
        self.shared
            .auth_limiter
            .failed(session.peer.remote.ip(), username, Instant::now());
    }

    pub(super) fn note_authenticated(
        &self,
        session: &mut Session,
        mechanism: &str,
        username: &str,
    ) {
        tracing::info!(client = %session.peer.remote, user = %username, mechanism, "authenticated");
        self.shared.auth_limiter.succeeded(username);
        session.user = Some(username.to_ascii_lowercase());
    }
}
