//! `mailroom serve`: runs the server until Ctrl-C or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use mailroom_server::Mailserver;
use mailroom_server::config::Role;

use super::{config, fail};
use crate::cli::Cli;

pub(crate) fn run(cli: &Cli) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MAILROOM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let config = match config(cli) {
        Ok(config) => config,
        Err(error) => return fail(&error),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&error),
    };
    runtime.block_on(async {
        let hostname = config.hostname.clone();
        let data_dir = config.data_dir.clone();
        let server = match Mailserver::bind(config).await {
            Ok(server) => server,
            Err(error) => return fail(&error),
        };
        // Written with errors ignored: a closed stdout must not stop a running server.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "mailroom {} serving {hostname}, data in {}", env!("CARGO_PKG_VERSION"), data_dir.display());
        for (role, address) in server.addresses() {
            let what = match role {
                Role::Inbound => "inbound     (port 25 role: STARTTLS, no AUTH)",
                Role::Submission => "submission  (port 587 role: STARTTLS, then AUTH)",
                Role::Submissions => "submissions (port 465 role: TLS, AUTH)",
            };
            let _ = writeln!(out, "  {address:<22} {what}");
        }
        // A first user's domain becomes local; the host name serves if it is a domain.
        let domain = if hostname.contains('.') { hostname.as_str() } else { "example.org" };
        let _ = writeln!(out, "next: add a user with `mailroom user add you@{domain}`, then send with swaks:");
        if let Some((_, address)) = server.addresses().into_iter().find(|(role, _)| *role == Role::Submission) {
            let _ = writeln!(
                out,
                "  swaks --server {} --port {} --tls --auth-user you@{domain} --from you@{domain} --to you@{domain}",
                address.ip(),
                address.port()
            );
        }
        let _ = out.flush();
        drop(out);
        match server.run(shutdown_signal()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(&error),
        }
    })
}

/// Ctrl-C, or SIGTERM (what `docker stop` sends).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
        let Ok(mut terminate) = terminate else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
