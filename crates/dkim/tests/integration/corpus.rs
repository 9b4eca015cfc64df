//! The Mail::DKIM corpus (mostly pre-RFC and 512-bit keys): a robustness and negative corpus.
//! Every file's results and reasons are pinned in `tests/data/mail-dkim-expected.tsv`, with the
//! RFC section that decides where a reference (Mail::DKIM, dkimpy) says otherwise.

use futures::executor::block_on;
use mailroom_dkim::Verifier;
use mailroom_dns::Zone;
use mailroom_testkit as kit;

const EXPECTED: &str = include_str!("../data/mail-dkim-expected.tsv");

fn describe(zone: &Zone, file: &str) -> String {
    let message = kit::lf_to_crlf(&kit::read(&format!("dkim/mail-dkim/corpus/{file}")));
    let results = block_on(Verifier::default().verify(zone, &message, 1_700_000_000));
    if results.is_empty() {
        return "none".to_owned();
    }
    results
        .iter()
        .map(|r| format!("{}: {}", r.result, r.reason()))
        .collect::<Vec<_>>()
        .join(" | ")
}

#[test]
fn mail_dkim_corpus() {
    let mut zone = Zone::new();
    kit::dkim::add_dns_file(&mut zone, &kit::read_text("dkim/mail-dkim/FAKE_DNS.dat"));
    let rows = kit::dkim::tsv_rows(EXPECTED);
    let mut problems = Vec::new();
    for file in kit::files("dkim/mail-dkim/corpus", ".txt") {
        let got = describe(&zone, &file);
        match rows.iter().find(|row| row[0] == file) {
            Some(row) if row[1] == got => {}
            Some(row) => problems.push(format!("{file}: expected {}, got {got}", row[1])),
            None => problems.push(format!("{file}: no row; got {got}")),
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
