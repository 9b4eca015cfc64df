//! Properties of what the queue reads back from disk, which a crash or a careless hand may
//! have damaged: reading never panics, a whole committed file reads back as written, and a
//! file cut short or changed in its record is refused, never misread.

use mailroom_server::queue::store::{committed_file, parse_committed};
use mailroom_server::queue::{Destination, RecipientState, Record, record};
use proptest::prelude::*;

fn a_record(id: String, from: String, users: Vec<String>, prefix: String) -> Record {
    Record {
        version: record::VERSION,
        id,
        received: 1_700_000_000,
        from,
        prefix,
        strip_our_results: false,
        eight_bit: true,
        recipients: users
            .into_iter()
            .map(|user| RecipientState::pending(Destination::Local { user, folder: None }))
            .collect(),
    }
}

proptest! {
    #[test]
    fn any_bytes_are_read_without_panic(file in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_committed(&file);
        let _ = Record::from_toml(&String::from_utf8_lossy(&file));
    }

    #[test]
    fn a_committed_file_reads_back_and_any_cut_or_change_is_refused(
        message in proptest::collection::vec(any::<u8>(), 0..200),
        id in "[A-Z0-9]{1,20}",
        from in "[a-z@.]{0,20}",
        users in proptest::collection::vec("[a-z]{1,8}@example\\.org", 1..4),
        prefix in "[ -~]{0,40}",
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
    ) {
        let record = a_record(id, from, users, prefix);
        let file = committed_file(&message, &record);
        let stored = parse_committed(&file).unwrap();
        prop_assert_eq!(&stored.record, &record);
        prop_assert_eq!(stored.data_len, message.len() as u64);
        // Cut anywhere short of its end: no trailer, or one that does not fit.
        let cut = cut.index(file.len());
        prop_assert!(parse_committed(&file[..cut]).is_err());
        // An octet of the record or trailer changed: refused (the message's own octets are
        // not checked; the sync before the rename keeps them).
        let at = message.len() + flip.index(file.len() - message.len());
        let mut changed = file.clone();
        changed[at] ^= 0x20;
        prop_assert!(parse_committed(&changed).is_err(), "changed at {}", at);
    }
}
