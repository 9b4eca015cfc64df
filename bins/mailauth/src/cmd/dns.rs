//! `mailauth dns NAME TYPE`: one lookup through the `mailroom-dns` Resolver, printed as zone
//! lines, with NXDOMAIN, NODATA and failures told apart.

use std::fmt::Display;
use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;

use mailroom_dns::{Answer, Lookup, Resolver};

use super::{describe, fail, runtime};
use crate::cli::{DnsArgs, RecordType};

/// Runs the lookup and prints the answer; the exit code says which kind of answer it was.
pub(crate) fn run(args: &DnsArgs) -> ExitCode {
    let outcome = runtime().and_then(|runtime| {
        runtime.block_on(async {
            let resolver = super::resolver(&args.source)?;
            lookup(&resolver, args).await
        })
    });
    match outcome {
        Ok(lines) => {
            let mut out = std::io::stdout().lock();
            let printed = lines.iter().try_for_each(|line| writeln!(out, "{line}"));
            match printed {
                Ok(()) if lines.first().is_some_and(|l| !l.starts_with(';')) => ExitCode::SUCCESS,
                Ok(()) => ExitCode::from(1),
                Err(_) => ExitCode::from(2),
            }
        }
        Err(message) => fail(&message),
    }
}

/// Asks the resolver and renders the answer as lines; a line starting with `;` says there are
/// no records, as `dig` writes comments.
async fn lookup(resolver: &impl Resolver, args: &DnsArgs) -> Result<Vec<String>, String> {
    let name = args.name.as_str();
    let owner = || mailroom_dns::to_ascii(name).map_err(|error| describe(&error));
    match args.record_type {
        RecordType::A => render(&owner()?, "A", strings(resolver.a(name).await)),
        RecordType::Aaaa => render(&owner()?, "AAAA", strings(resolver.aaaa(name).await)),
        RecordType::Mx => render(&owner()?, "MX", strings(resolver.mx(name).await)),
        RecordType::Txt => render(&owner()?, "TXT", strings(resolver.txt(name).await)),
        RecordType::Ptr => {
            let ip: IpAddr = name
                .parse()
                .map_err(|_| format!("PTR lookups take an IP address, not `{name}`"))?;
            let answer = resolver
                .ptr(ip)
                .await
                .map(|a| a.map(|host| format!("{host}.")));
            render(&mailroom_dns::reverse_name(ip), "PTR", answer)
        }
        RecordType::Exists => {
            let owner = owner()?;
            match resolver.exists(name).await {
                Ok(true) => Ok(vec![format!("{owner}. exists (has A records)")]),
                Ok(false) => Ok(vec![format!("; {owner}: has no A records")]),
                Err(error) => Err(describe(&error)),
            }
        }
    }
}

/// Zone lines for the records, or one `;` comment saying which kind of empty answer it was.
fn render(owner: &str, type_name: &str, answer: Lookup<String>) -> Result<Vec<String>, String> {
    match answer.map_err(|error| describe(&error))? {
        Answer::Records(records) => Ok(records
            .into_iter()
            .map(|data| format!("{owner}. {type_name} {data}"))
            .collect()),
        Answer::NoData => Ok(vec![format!("; {owner}: no {type_name} records (NODATA)")]),
        Answer::NxDomain => Ok(vec![format!("; {owner}: no such name (NXDOMAIN)")]),
    }
}

fn strings<T: Display>(lookup: Lookup<T>) -> Lookup<String> {
    lookup.map(|answer| answer.map(|record| record.to_string()))
}
