//! `mailauth dmarc record|report`: thin calls into mailroom-dmarc.

use std::io::Write;
use std::process::ExitCode;

use mailroom_dmarc::{Checker, OrganizationalDomains};

use super::{fail, public_suffix_list, runtime};
use crate::cli::{DmarcCommand, DmarcRecordArgs};

/// Runs a `dmarc` subcommand.
pub(crate) fn run(command: &DmarcCommand) -> ExitCode {
    let result = match command {
        DmarcCommand::Record(args) => record(args),
        DmarcCommand::Report(args) => super::dmarc_report::run(args),
    };
    result.unwrap_or_else(|message| fail(&message))
}

fn record(args: &DmarcRecordArgs) -> Result<ExitCode, String> {
    let psl = public_suffix_list(&args.organizational)?;
    let found = runtime()?.block_on(async {
        let resolver = super::resolver(&args.source)?;
        let mut checker = Checker::new(&resolver);
        if let Some(psl) = &psl {
            checker = checker.organizational_domains(OrganizationalDomains::PublicSuffixList(psl));
        }
        checker.discover(&args.domain).await.map_err(|error| {
            match std::error::Error::source(&error) {
                Some(source) => format!("{error}: {source}"),
                None => error.to_string(),
            }
        })
    })?;
    let method = if psl.is_some() {
        "Public Suffix List (RFC 7489)"
    } else {
        "DNS tree walk (RFC 9989)"
    };
    let mut lines = vec![format!("discovery: {method}")];
    for name in &found.queried {
        let hit = found.policy.as_ref().is_some_and(|(at, _)| at == name);
        lines.push(format!(
            "  asked _dmarc.{name}{}",
            if hit { "  <- policy in force" } else { "" }
        ));
    }
    match &found.organizational_domain {
        Some(org) => lines.push(format!("organizational domain: {org}")),
        None => lines.push("organizational domain: none found".to_owned()),
    }
    let Some((at, record)) = &found.policy else {
        lines.push(format!("no DMARC policy applies to {}", args.domain));
        print(&lines)?;
        return Ok(ExitCode::from(1));
    };
    let policy = |p: Option<mailroom_dmarc::Policy>| p.map_or("(not set)", |p| p.as_str());
    lines.push(format!("record at _dmarc.{at}: {record}"));
    let asked = mailroom_dns::to_ascii(&args.domain).unwrap_or_else(|_| args.domain.clone());
    // RFC 9989 §4.7: p for the domain itself and the organizational domain, sp for subdomains.
    let own = asked == *at || found.organizational_domain.as_deref() == Some(asked.as_str());
    let applies = match (own, record.subdomain_policy) {
        (false, Some(sp)) => format!("sp={}", sp.as_str()),
        _ => format!("p={}", policy(record.policy)),
    };
    lines.push(format!("policy for {asked} when DMARC fails: {applies}"));
    lines.push(format!(
        "  p  (this domain):          {}",
        policy(record.policy)
    ));
    lines.push(format!(
        "  sp (subdomains):           {}",
        policy(record.subdomain_policy)
    ));
    lines.push(format!(
        "  np (missing subdomains):   {}",
        policy(record.nonexistent_policy)
    ));
    lines.push(format!(
        "  alignment: DKIM {:?}, SPF {:?}",
        record.dkim_alignment, record.spf_alignment
    ));
    if record.testing {
        lines.push("  t=y: testing, failing mail is handled one step milder".to_owned());
    }
    if let Some(pct) = record.percent {
        lines.push(format!("  pct={pct} (RFC 7489)"));
    }
    for uri in &record.aggregate_uris {
        lines.push(format!("  aggregate reports to {uri}"));
    }
    for problem in &record.problems {
        lines.push(format!("  problem: {problem}"));
    }
    print(&lines)?;
    Ok(ExitCode::SUCCESS)
}

fn print(lines: &[String]) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    for line in lines {
        writeln!(stdout, "{line}").map_err(|e| e.to_string())?;
    }
    Ok(())
}
