//! The queue: durable until delivered, and no mailbox gets a message twice.

use mailroom_server::queue::Queue;
use mailroom_server::spool::{LocalDelivery, Queued, Spool};

use crate::TempDir;

fn local(user: &str) -> LocalDelivery {
    LocalDelivery {
        user: user.to_owned(),
        folder: None,
    }
}

fn delivered(dir: &TempDir, local: &str) -> usize {
    std::fs::read_dir(dir.path().join("mail/example.org").join(local).join("new"))
        .map(Iterator::count)
        .unwrap_or(0)
}

#[tokio::test]
async fn a_failure_part_way_retries_only_the_mailboxes_not_yet_delivered() {
    let dir = TempDir::new("queue");
    let spool = Spool::open(dir.path()).unwrap();
    let mut incoming = spool.receive("Q1").await.unwrap();
    incoming
        .write(b"Subject: x\r\n\r\nhello\r\n")
        .await
        .unwrap();
    let queued = Queued {
        id: "Q1".to_owned(),
        received: 1_700_000_000,
        from: "a@example.net".to_owned(),
        local: vec![
            local("alice@example.org"),
            local("bob@example.org"),
            local("carol@example.org"),
        ],
        remote: Vec::new(),
        prefix: "Received: test\r\n".to_owned(),
        strip_our_results: false,
    };
    incoming.commit(&spool, &queued).await.unwrap();
    // bob's mailbox cannot be made: a file stands where its directory would go.
    std::fs::create_dir_all(dir.path().join("mail/example.org")).unwrap();
    std::fs::write(dir.path().join("mail/example.org/bob"), "in the way").unwrap();

    let queue = Queue::new(
        spool,
        dir.path().join("mail"),
        "mx.example.org".to_owned(),
        None,
        None,
    );
    queue.deliver_all().await;
    assert_eq!(delivered(&dir, "alice"), 1);
    let left = queue.spool().queued().unwrap();
    let users: Vec<&str> = left[0].local.iter().map(|l| l.user.as_str()).collect();
    assert_eq!(users, ["bob@example.org", "carol@example.org"]);

    std::fs::remove_file(dir.path().join("mail/example.org/bob")).unwrap();
    queue.deliver_all().await;
    assert_eq!(
        [
            delivered(&dir, "alice"),
            delivered(&dir, "bob"),
            delivered(&dir, "carol")
        ],
        [1, 1, 1]
    );
    assert!(queue.spool().queued().unwrap().is_empty());
    let copy = std::fs::read_dir(dir.path().join("mail/example.org/bob/new"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(copy.path()).unwrap(),
        "Received: test\r\nSubject: x\r\n\r\nhello\r\n"
    );
}
