//! `mailauth spf check`: a thin call into mailroom-spf.

use std::io::Write;
use std::process::ExitCode;

use mailroom_spf::{Evaluator, Identity, SpfResult};

use super::{fail, now, runtime};
use crate::cli::{SpfCheckArgs, SpfCommand};

/// Runs an `spf` subcommand.
pub(crate) fn run(command: &SpfCommand) -> ExitCode {
    match command {
        SpfCommand::Check(args) => check(args).unwrap_or_else(|message| fail(&message)),
    }
}

fn check(args: &SpfCheckArgs) -> Result<ExitCode, String> {
    let now = now();
    let (out, identity) = runtime()?.block_on(async {
        let resolver = super::resolver(&args.source)?;
        let spf = Evaluator::new(&resolver)
            .receiver(args.receiver.as_str())
            .now(now)
            .trace(args.trace);
        Ok::<_, String>(if args.helo_only {
            (spf.check_helo(args.ip, &args.helo).await, Identity::Helo)
        } else {
            (
                spf.check_mail_from(args.ip, &args.helo, &args.sender).await,
                Identity::MailFrom,
            )
        })
    })?;
    let mut stdout = std::io::stdout().lock();
    let mut lines = vec![format!(
        "{} ({} DNS terms, {} void lookups)",
        out.result, out.dns_terms, out.void_lookups
    )];
    if let Some(mechanism) = &out.mechanism {
        lines.push(format!("matched: {mechanism}"));
    }
    if let Some(error) = &out.error {
        lines.push(format!("reason: {error}"));
    }
    if let Some(explanation) = &out.explanation {
        lines.push(format!("explanation: {explanation}"));
    }
    let sender = if args.sender.is_empty() {
        format!("postmaster@{}", args.helo)
    } else {
        args.sender.clone()
    };
    lines.push(out.received_spf(args.ip, &args.helo, &sender, &args.receiver, identity));
    for event in &out.trace {
        lines.push(format!("trace: {}{}", "  ".repeat(event.depth), event.text));
    }
    for line in lines {
        writeln!(stdout, "{line}").map_err(|error| error.to_string())?;
    }
    Ok(if out.result == SpfResult::Pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
