//! The organizational domain in Public Suffix List mode: every vector of the list's own
//! `tests.txt`, with the list of the same commit.

use mailroom_dmarc::PublicSuffixList;
use mailroom_testkit as kit;

#[test]
fn public_suffix_list_vectors() {
    let psl = PublicSuffixList::from_text(&kit::read_text("psl/public_suffix_list.dat")).unwrap();
    let mut checked = 0;
    let mut problems = Vec::new();
    for line in kit::read_text("psl/tests.txt").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let (input, expected) = line.split_once(' ').unwrap();
        let input = if input == "null" { "" } else { input };
        // The expectation is written in the input's form; we answer in A-labels.
        let expected = (expected != "null").then(|| mailroom_dns::to_ascii(expected).unwrap());
        let got = psl.organizational_domain(input);
        checked += 1;
        if got != expected {
            problems.push(format!("{input}: expected {expected:?}, got {got:?}"));
        }
    }
    eprintln!("PSL vectors: {checked} checked");
    assert!(checked > 50);
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn a_list_that_is_not_one_is_refused() {
    assert!(PublicSuffixList::from_text("").is_err());
}
