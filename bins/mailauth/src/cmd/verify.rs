//! `mailauth verify`: SPF, every DKIM signature and DMARC on one message, as a receiving server
//! checks it; a thin sequence of library calls.

use std::io::Write;
use std::process::ExitCode;

use mailroom_dkim::{Verifier, VerifyOptions};
use mailroom_dmarc::{
    AuthenticationResults, Checker, DmarcResult, Identifiers, OrganizationalDomains,
};
use mailroom_spf::{Evaluator, Identity};

use super::{fail, now, public_suffix_list, read_input, runtime, to_crlf};
use crate::cli::MessageCheckArgs;

/// Runs `mailauth verify`.
pub(crate) fn run(args: &MessageCheckArgs) -> ExitCode {
    check(args).unwrap_or_else(|message| fail(&message))
}

fn check(args: &MessageCheckArgs) -> Result<ExitCode, String> {
    let (message, _) = to_crlf(&read_input(args.file.as_deref())?);
    let psl = public_suffix_list(&args.organizational)?;
    let now = now();
    let draw = pct_draw()?;
    let mut lines = Vec::new();
    let (header, passed) = runtime()?.block_on(async {
        let resolver = super::resolver(&args.source)?;
        let identity = if args.mail_from.is_empty() {
            Identity::Helo
        } else {
            Identity::MailFrom
        };
        let spf = Evaluator::new(&resolver)
            .receiver(args.receiver.as_str())
            .now(now)
            .check_mail_from(args.ip, &args.helo, &args.mail_from)
            .await;
        let verifier =
            Verifier::new(VerifyOptions::default().allow_partial_body(args.allow_partial_body));
        let dkim = verifier.verify(&resolver, &message, now).await;

        let dkim_pass = Identifiers::dkim_pass(&dkim);
        let mut checker = Checker::new(&resolver);
        if let Some(psl) = &psl {
            checker = checker.organizational_domains(OrganizationalDomains::PublicSuffixList(psl));
        }
        let identifiers = Identifiers {
            spf_pass: Identifiers::spf_pass(&spf),
            dkim_pass: &dkim_pass,
        };
        let dmarc = checker.check_message(&message, identifiers, draw).await;

        let results =
            AuthenticationResults::of_checks(args.receiver.as_str(), &spf, identity, &dkim, &dmarc);

        lines.push(String::new());
        let mut spf_line = format!("SPF {} for {}", spf.result, spf.domain);
        if let Some(mechanism) = &spf.mechanism {
            spf_line.push_str(&format!(": matched {mechanism}"));
        }
        if let Some(error) = &spf.error {
            spf_line.push_str(&format!(": {error}"));
        }
        if let Some(explanation) = &spf.explanation {
            spf_line.push_str(&format!(" (the domain explains: {explanation})"));
        }
        lines.push(spf_line);
        if dkim.is_empty() {
            lines.push("DKIM none: the message has no DKIM-Signature".to_owned());
        }
        for result in &dkim {
            lines.push(format!(
                "DKIM {} d={} s={}: {}",
                result.result,
                result.domain.as_deref().unwrap_or("?"),
                result.selector.as_deref().unwrap_or("?"),
                result.reason()
            ));
        }
        let out = &dmarc.output;
        lines.push(format!(
            "DMARC {} for From domain {}: {}",
            out.result,
            dmarc.from_domain.as_deref().unwrap_or("(none)"),
            out.reason()
        ));
        if let (Some(at), Some(record)) = (dmarc.policy_domain(), &dmarc.record) {
            lines.push(format!("  policy found at _dmarc.{at}: {record}"));
        }
        if let Some(org) = dmarc.organizational_domain() {
            lines.push(format!("  organizational domain: {org}"));
        }
        if out.result == DmarcResult::Fail {
            lines.push(format!("  disposition asked for: {:?}", out.disposition).to_lowercase());
        }
        Ok::<_, String>((results.header(), out.result == DmarcResult::Pass))
    })?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{header}").map_err(|e| e.to_string())?;
    for line in lines {
        writeln!(stdout, "{line}").map_err(|e| e.to_string())?;
    }
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A number from 0 to 99 for RFC 7489's `pct=` sampling.
fn pct_draw() -> Result<u8, String> {
    let mut byte = [0u8; 1];
    getrandom::fill(&mut byte).map_err(|error| format!("no randomness: {error}"))?;
    // 200 of the 256 values map evenly; draw again outside them.
    if byte[0] < 200 {
        Ok(byte[0] % 100)
    } else {
        pct_draw()
    }
}
