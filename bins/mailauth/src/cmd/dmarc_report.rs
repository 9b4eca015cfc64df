//! `mailauth dmarc report`: reads an aggregate report (XML, gzip, zip or the e-mail carrying
//! one) with mailroom-dmarc and prints a summary people can act on: who sends as the domain,
//! and which of those messages fail DMARC.

use std::io::Write;
use std::process::ExitCode;

use mailroom_dmarc::report::{AggregateReport, EvaluatedResult, ReportRecord};

use crate::cli::DmarcReportArgs;

/// Runs `mailauth dmarc report`.
pub(crate) fn run(args: &DmarcReportArgs) -> Result<ExitCode, String> {
    let bytes = std::fs::read(&args.file)
        .map_err(|error| format!("cannot read {}: {error}", args.file.display()))?;
    // A report file starts with XML, or the gzip or zip magic; anything else is taken as
    // the e-mail that carries one.
    let start = bytes.trim_ascii_start();
    let is_file =
        start.starts_with(b"<") || start.starts_with(&[0x1f, 0x8b]) || start.starts_with(b"PK");
    let report = if is_file {
        AggregateReport::parse(&bytes)
    } else {
        AggregateReport::from_message(&bytes)
    }
    .map_err(|error| format!("{}: {error}", args.file.display()))?;
    let mut stdout = std::io::stdout().lock();
    for line in summary(&report) {
        writeln!(stdout, "{line}").map_err(|e| e.to_string())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(report: &AggregateReport) -> Vec<String> {
    let meta = &report.metadata;
    let policy = &report.policy;
    let mut lines = vec![
        format!(
            "report {} from {} <{}>",
            meta.report_id, meta.org_name, meta.email
        ),
        format!(
            "period: {} to {} (UTC)",
            utc_time(meta.begin),
            utc_time(meta.end)
        ),
        format!(
            "policy published for {}: p={} sp={} np={}{}",
            policy.domain,
            policy.p.as_str(),
            policy.sp.map_or("-", |p| p.as_str()),
            policy.np.map_or("-", |p| p.as_str()),
            policy
                .pct
                .map_or_else(String::new, |pct| format!(" pct={pct}")),
        ),
    ];
    for error in &meta.errors {
        lines.push(format!("reporter's error: {error}"));
    }
    let passes = |r: &ReportRecord| {
        r.policy_evaluated.dkim == EvaluatedResult::Pass
            || r.policy_evaluated.spf == EvaluatedResult::Pass
    };
    let total: u64 = report.records.iter().map(|r| r.count).sum();
    let passed: u64 = report
        .records
        .iter()
        .filter(|r| passes(r))
        .map(|r| r.count)
        .sum();
    lines.push(format!(
        "messages: {total}, DMARC pass {passed}, fail {}",
        total - passed
    ));
    let mut records: Vec<&ReportRecord> = report.records.iter().collect();
    // Failing sources first, the biggest first: those are what an operator fixes.
    records.sort_by_key(|r| (passes(r), std::cmp::Reverse(r.count)));
    for record in records {
        let evaluated = &record.policy_evaluated;
        let dkim: Vec<String> = record
            .auth_results
            .dkim
            .iter()
            .map(|d| format!("dkim {} {}", d.domain, d.result))
            .collect();
        let spf: Vec<String> = record
            .auth_results
            .spf
            .iter()
            .map(|s| format!("spf {} {}", s.domain, s.result))
            .collect();
        lines.push(format!(
            "  {:<6} {:>6} x {:<39} from {} -> {} (aligned dkim {}, spf {}){}{}",
            if passes(record) { "pass" } else { "FAIL" },
            record.count,
            record.source_ip.to_string(),
            record.identifiers.header_from,
            evaluated.disposition,
            evaluated.dkim,
            evaluated.spf,
            if dkim.is_empty() && spf.is_empty() {
                String::new()
            } else {
                format!("; {}", [dkim, spf].concat().join(", "))
            },
            evaluated
                .reasons
                .iter()
                .map(|r| format!("; override {}", r.kind))
                .collect::<String>(),
        ));
    }
    lines
}

/// `YYYY-MM-DD HH:MM:SS` for seconds since the Unix epoch, in UTC.
fn utc_time(seconds: u64) -> String {
    let days = i64::try_from(seconds / 86_400).unwrap_or(i64::MAX / 2);
    let rest = seconds % 86_400;
    // Days to a civil date in the proleptic Gregorian calendar, counting in 400-year eras.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::utc_time;

    #[test]
    fn utc_times_are_civil_dates() {
        assert_eq!(utc_time(0), "1970-01-01 00:00:00");
        assert_eq!(utc_time(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc_time(1_669_593_599), "2022-11-27 23:59:59");
        assert_eq!(utc_time(4_102_444_800), "2100-01-01 00:00:00");
    }
}
