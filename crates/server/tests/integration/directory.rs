//! The user directory: where addresses deliver, who may send as what, and the file store.

use std::sync::Arc;

use mailroom_server::directory::{Directory, FileStore, SenderRule, Store};

use crate::TempDir;

fn sample() -> Directory {
    let mut d = Directory::default();
    d.set_user("alice@example.org", "alice's password").unwrap();
    d.set_user("Bob@Example.org", "bob's password").unwrap();
    d.add_alias(
        "sales@example.org",
        &["alice@example.org".into(), "bob@example.org".into()],
    )
    .unwrap();
    d.add_alias("info@example.org", &["sales@example.org".into()])
        .unwrap();
    d.add_alias("@example.net", &["bob@example.org".into()])
        .unwrap();
    d.set_sender("alice@example.org", "ceo@example.com", true)
        .unwrap();
    d.set_sender("bob@example.org", "@example.com", true)
        .unwrap();
    d
}

fn resolved(d: &Directory, address: &str) -> Vec<String> {
    d.resolve(address)
        .iter()
        .map(|u| u.address.clone())
        .collect()
}

#[test]
fn addresses_resolve_to_users_through_aliases_tags_and_catch_alls() {
    let d = sample();
    assert_eq!(resolved(&d, "alice@example.org"), ["alice@example.org"]);
    assert_eq!(resolved(&d, "ALICE@EXAMPLE.ORG"), ["alice@example.org"]);
    assert_eq!(
        resolved(&d, "alice+lists@example.org"),
        ["alice@example.org"]
    );
    assert_eq!(
        resolved(&d, "info@example.org"),
        ["alice@example.org", "bob@example.org"]
    );
    assert_eq!(
        resolved(&d, "sales+x@example.org"),
        ["alice@example.org", "bob@example.org"]
    );
    assert_eq!(resolved(&d, "anything@example.net"), ["bob@example.org"]);
    assert!(resolved(&d, "carol@example.org").is_empty());
    assert!(resolved(&d, "alice@example.com").is_empty());
    assert!(d.has_domain("example.org") && d.has_domain("EXAMPLE.NET"));
    assert!(!d.has_domain("example.com"));
}

#[test]
fn senders_are_checked_against_own_addresses_aliases_catch_alls_and_grants() {
    let d = sample();
    let may = |user, address| d.may_send_as(user, address);
    assert_eq!(
        may("alice@example.org", "alice@example.org"),
        Some(SenderRule::Own)
    );
    assert_eq!(
        may("alice@example.org", "Alice+news@example.org"),
        Some(SenderRule::Own)
    );
    assert_eq!(
        may("alice@example.org", "sales@example.org"),
        Some(SenderRule::Alias)
    );
    assert_eq!(
        may("alice@example.org", "info@example.org"),
        Some(SenderRule::Alias)
    );
    assert_eq!(
        may("bob@example.org", "whoever@example.net"),
        Some(SenderRule::CatchAll)
    );
    assert_eq!(
        may("alice@example.org", "ceo@example.com"),
        Some(SenderRule::Grant)
    );
    assert_eq!(
        may("bob@example.org", "anyone@example.com"),
        Some(SenderRule::Grant)
    );
    assert_eq!(may("alice@example.org", "bob@example.org"), None);
    assert_eq!(may("alice@example.org", "whoever@example.net"), None);
    assert_eq!(may("alice@example.org", "x@example.com"), None);
}

#[test]
fn passwords_are_kept_as_argon2id_hashes_and_scram_keys() {
    let d = sample();
    let alice = d.user("alice@example.org").unwrap();
    assert!(alice.password.verify("alice's password"));
    assert!(!alice.password.verify("bob's password"));
    let keys = alice.scram.credentials().unwrap();
    let again =
        mailroom_sasl::ScramCredentials::derive("alice's password", &keys.salt, keys.iterations)
            .unwrap();
    assert_eq!(keys, again);
    let text = toml::to_string(&d).unwrap();
    assert!(text.contains("$argon2id$"));
    assert!(!text.contains("alice's password"));
}

#[test]
fn mistakes_are_refused() {
    let mut d = sample();
    assert!(d.set_user("not an address", "x").is_err());
    assert!(d.set_user("sales@example.org", "x").is_err());
    assert!(d.set_user("carol@example.org", "").is_err());
    assert!(
        d.add_alias("alice@example.org", &["bob@example.org".into()])
            .is_err()
    );
    assert!(
        d.add_alias("team@example.org", &["outside@example.com".into()])
            .is_err()
    );
    assert!(d.remove_user("carol@example.org").is_err());
    assert!(d.remove_alias("nothing@example.org").is_err());
    assert!(
        d.set_sender("carol@example.org", "x@example.org", true)
            .is_err()
    );
    d.remove_user("bob@example.org").unwrap();
    assert!(d.senders.iter().all(|g| g.user != "bob@example.org"));
}

#[test]
fn the_file_store_keeps_changes_and_the_reader_sees_them() {
    let dir = TempDir::new("directory");
    let writer = FileStore::new(dir.path());
    let reader = FileStore::new(dir.path());
    assert!(reader.load().unwrap().users.is_empty());
    writer
        .update(&mut |d| d.set_user("alice@example.org", "pw"))
        .unwrap();
    let first = reader.load().unwrap();
    assert_eq!(first.users.len(), 1);
    assert!(
        Arc::ptr_eq(&first, &reader.load().unwrap()),
        "unchanged file, same snapshot"
    );
    writer
        .update(&mut |d| d.add_alias("postmaster@example.org", &["alice@example.org".into()]))
        .unwrap();
    assert_eq!(reader.load().unwrap().aliases.len(), 1);
    // A failed change writes nothing.
    assert!(
        writer
            .update(&mut |d| d.remove_user("nobody@example.org"))
            .is_err()
    );
    assert_eq!(reader.load().unwrap().users.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("directory.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Changes made at the same time are all kept.
    let threads: Vec<_> = (0..4)
        .map(|n| {
            let path = dir.path().to_path_buf();
            std::thread::spawn(move || {
                FileStore::new(&path)
                    .update(&mut |d| {
                        d.set_sender("alice@example.org", &format!("a{n}@example.com"), true)
                    })
                    .unwrap();
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(reader.load().unwrap().senders.len(), 4);
}
