//! The queue: durable until delivered, every state a crash can leave recovered, no mailbox
//! given a message twice, retries on the schedule.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use mailroom_server::delivery::{Maildir, Message, Outcome, Pending, Recipient, Transport};
use mailroom_server::queue::{
    Destination, Queue, RecipientState, Record, Schedule, State, Transports, Worker, record, store,
};

use crate::TempDir;

const T0: u64 = 1_700_000_000;
const HOST: &str = "mx.example.org";

fn local(user: &str) -> Destination {
    Destination::Local {
        user: user.to_owned(),
        folder: None,
    }
}

fn remote(address: &str) -> Destination {
    Destination::Remote {
        address: address.to_owned(),
    }
}

fn record(id: &str, to: Vec<Destination>) -> Record {
    Record {
        version: record::VERSION,
        id: id.to_owned(),
        received: T0,
        from: "a@example.net".to_owned(),
        prefix: "Received: test\r\n".to_owned(),
        strip_our_results: false,
        eight_bit: false,
        recipients: to.into_iter().map(RecipientState::pending).collect(),
    }
}

async fn commit(queue: &Queue, id: &str, to: Vec<Destination>) {
    let mut incoming = queue.receive(id).await.unwrap();
    incoming
        .write(b"Subject: x\r\n\r\nhello\r\n")
        .await
        .unwrap();
    queue.commit(incoming, record(id, to)).await.unwrap();
}

fn delivered(dir: &Path, local: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("mail/example.org").join(local).join("new"))
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// A relay host that answers as told, and remembers who it was asked for.
#[derive(Debug, Default)]
struct Scripted {
    answers: Mutex<Vec<Outcome>>,
    asked: Mutex<Vec<String>>,
}

impl Transport for Scripted {
    fn deliver(&self, _: Arc<Message>, recipients: Vec<Recipient>) -> Pending<'_, Vec<Outcome>> {
        Box::pin(async move {
            let mut answers = self.answers.lock().unwrap();
            recipients
                .iter()
                .map(|r| {
                    self.asked.lock().unwrap().push(r.address.clone());
                    answers
                        .pop()
                        .unwrap_or(Outcome::Deferred("451 4.3.0 not now".to_owned()))
                })
                .collect()
        })
    }
}

fn worker_of(queue: &Queue, dir: &Path, relay: Option<Arc<Scripted>>) -> Worker {
    let transports = Transports {
        local: Arc::new(Maildir::new(dir.join("mail"), HOST)),
        relay: relay.map(|r| r as Arc<dyn Transport>),
        hostname: HOST.to_owned(),
    };
    queue.worker(transports, Schedule::default(), 4)
}

fn queue_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("spool/queue"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_failure_part_way_retries_only_the_mailboxes_not_yet_delivered() {
    let dir = TempDir::new("queue");
    let (queue, _) = Queue::open(dir.path()).unwrap();
    let users = ["alice", "bob", "carol"].map(|u| local(&format!("{u}@example.org")));
    commit(&queue, "Q1", users.to_vec()).await;
    assert_eq!(
        queue_files(dir.path()),
        ["Q1.msg"],
        "one new file per message"
    );
    // bob's mailbox cannot be made: a file stands where its directory would go.
    std::fs::create_dir_all(dir.path().join("mail/example.org")).unwrap();
    std::fs::write(dir.path().join("mail/example.org/bob"), "in the way").unwrap();

    let worker = worker_of(&queue, dir.path(), None);
    worker.deliver_due(T0).await;
    assert_eq!(delivered(dir.path(), "alice").len(), 1);
    assert_eq!(delivered(dir.path(), "carol").len(), 1);
    assert_eq!(queue.len(), 1);

    // What the disk says after the try: a restart sees bob deferred, the others delivered.
    drop(worker);
    drop(queue);
    let (queue, recovery) = Queue::open(dir.path()).unwrap();
    assert_eq!(queue.len(), 1, "{recovery:?}");
    let stored = store::read_committed(&dir.path().join("spool/queue/Q1.msg")).unwrap();
    assert_eq!(stored.data_len, 21);
    let state = std::fs::read_to_string(dir.path().join("spool/queue/Q1.state")).unwrap();
    let states: Vec<State> = Record::from_toml(&state)
        .unwrap()
        .recipients
        .iter()
        .map(|r| r.state)
        .collect();
    assert_eq!(
        states,
        [State::Delivered, State::Deferred, State::Delivered]
    );

    std::fs::remove_file(dir.path().join("mail/example.org/bob")).unwrap();
    let worker = worker_of(&queue, dir.path(), None);
    worker.deliver_due(T0 + 1).await;
    assert_eq!(queue.len(), 1, "bob is not due before his retry");
    worker.deliver_due(T0 + 301).await;
    assert_eq!(queue.len(), 0);
    for user in ["alice", "bob", "carol"] {
        assert_eq!(delivered(dir.path(), user).len(), 1, "{user}");
    }
    assert!(queue_files(dir.path()).is_empty());
    let copy = std::fs::read_to_string(&delivered(dir.path(), "bob")[0]).unwrap();
    assert_eq!(copy, "Received: test\r\nSubject: x\r\n\r\nhello\r\n");
}

#[tokio::test]
async fn every_state_a_crash_leaves_is_recovered_and_damage_is_set_aside() {
    let dir = TempDir::new("recovery");
    let (queue, _) = Queue::open(dir.path()).unwrap();
    for id in ["A", "B", "C", "D", "E"] {
        commit(&queue, id, vec![local("alice@example.org")]).await;
    }
    drop(queue);
    let q = dir.path().join("spool/queue");
    // Not acknowledged: still in incoming/.
    std::fs::write(dir.path().join("spool/incoming/X"), "half a message").unwrap();
    // B's state file, as a try that delivered nothing would write it.
    let mut b = record("B", vec![local("alice@example.org")]);
    b.recipients[0].state = State::Deferred;
    b.recipients[0].attempts = 1;
    b.recipients[0].next_attempt = T0 + 300;
    std::fs::write(q.join("B.state"), b.to_toml()).unwrap();
    // E delivered to everyone, but stopped before its files were removed.
    let mut e = record("E", vec![local("alice@example.org")]);
    e.recipients[0].state = State::Delivered;
    std::fs::write(q.join("E.state"), e.to_toml()).unwrap();
    // A state update cut short, and a state whose message was finished.
    std::fs::write(q.join(".B.state.123.tmp"), "version = 2\nid = ").unwrap();
    std::fs::write(q.join("Z.state"), b.to_toml().replace("\"B\"", "\"Z\"")).unwrap();
    // C cut short (no whole trailer), D scribbled on.
    let c = std::fs::read(q.join("C.msg")).unwrap();
    std::fs::write(q.join("C.msg"), &c[..c.len() - 5]).unwrap();
    let mut d = std::fs::read(q.join("D.msg")).unwrap();
    let at = d.len() - 40;
    d[at] ^= 0x55;
    std::fs::write(q.join("D.msg"), d).unwrap();
    // Random bytes, a record with an unknown field, a directory with a queue name.
    std::fs::write(q.join("R.msg"), [0x9f_u8; 100]).unwrap();
    std::fs::create_dir(q.join("x.toml")).unwrap();
    std::fs::write(q.join("notes.txt"), "hello").unwrap();
    // An older server's queue: an envelope with its message, and one without.
    std::fs::write(
        q.join("OLD.toml"),
        "id = \"OLD\"\nreceived = 1700000000\nfrom = \"\"\nlocal = [{ user = \"bob@example.org\" }]\nremote = []\nprefix = \"Received: old\\r\\n\"\n",
    )
    .unwrap();
    std::fs::write(q.join("OLD.eml"), "Subject: old\r\n\r\nold\r\n").unwrap();
    std::fs::write(
        q.join("LOST.toml"),
        "id = \"LOST\"\nreceived = 1700000000\nfrom = \"\"\nlocal = []\nremote = []\nprefix = \"\"\ncolour = 1\n",
    )
    .unwrap();

    let (queue, recovery) = Queue::open(dir.path()).unwrap();
    assert_eq!(queue.len(), 3, "A, B and OLD: {recovery:?}");
    assert_eq!(recovery.migrated, 1);
    assert_eq!(recovery.removed, 4, "incoming/X, the .tmp, Z.state, E");
    let mut quarantined: Vec<String> = recovery
        .quarantined
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    quarantined.sort();
    assert_eq!(
        quarantined,
        [
            "C.msg",
            "D.msg",
            "LOST.toml",
            "R.msg",
            "notes.txt",
            "x.toml"
        ]
    );
    assert!(
        std::fs::read_dir(dir.path().join("spool/incoming"))
            .unwrap()
            .next()
            .is_none()
    );
    assert_eq!(
        queue_files(dir.path()),
        ["A.msg", "B.msg", "B.state", "OLD.msg"]
    );

    // The damage stops nothing: A and OLD go now, B at its retry.
    let worker = worker_of(&queue, dir.path(), None);
    worker.deliver_due(T0 + 10).await;
    assert_eq!(delivered(dir.path(), "alice").len(), 1);
    let old = std::fs::read_to_string(&delivered(dir.path(), "bob")[0]).unwrap();
    assert_eq!(old, "Received: old\r\nSubject: old\r\n\r\nold\r\n");
    worker.deliver_due(T0 + 300).await;
    assert_eq!(delivered(dir.path(), "alice").len(), 2);
    assert!(queue.is_empty());
    assert!(queue_files(dir.path()).is_empty());
}

#[tokio::test]
async fn a_copy_made_before_a_crash_is_not_made_twice() {
    let dir = TempDir::new("maildir-crash");
    let (queue, _) = Queue::open(dir.path()).unwrap();
    commit(
        &queue,
        "M",
        vec![local("alice@example.org"), local("bob@example.org")],
    )
    .await;
    worker_of(&queue, dir.path(), None).deliver_due(T0).await;
    let alice = delivered(dir.path(), "alice");
    let bob = delivered(dir.path(), "bob");
    assert_eq!((alice.len(), bob.len()), (1, 1));
    // A crash after the copies were made but before the queue recorded them: the message
    // is queued again as it was. Meanwhile alice's copy has been read and moved to cur/ by
    // the IMAP server, and bob's copy was cut short in tmp/.
    assert!(queue.is_empty());
    drop(queue);
    // Committed again as it was, to play the crash.
    let (queue, _) = Queue::open(dir.path()).unwrap();
    commit(
        &queue,
        "M",
        vec![local("alice@example.org"), local("bob@example.org")],
    )
    .await;
    drop(queue);
    let alice_dir = dir.path().join("mail/example.org/alice");
    let name = alice[0].file_name().unwrap().to_string_lossy().into_owned();
    std::fs::rename(&alice[0], alice_dir.join("cur").join(format!("{name}:2,S"))).unwrap();
    let bob_dir = dir.path().join("mail/example.org/bob");
    let bob_name = bob[0].file_name().unwrap().to_string_lossy().into_owned();
    std::fs::remove_file(&bob[0]).unwrap();
    std::fs::write(bob_dir.join("tmp").join(&bob_name), "cut sh").unwrap();

    let (queue, _) = Queue::open(dir.path()).unwrap();
    worker_of(&queue, dir.path(), None).deliver_due(T0).await;
    assert!(queue.is_empty());
    assert!(
        delivered(dir.path(), "alice").is_empty(),
        "alice's copy is in cur/ only"
    );
    assert_eq!(std::fs::read_dir(alice_dir.join("cur")).unwrap().count(), 1);
    assert_eq!(delivered(dir.path(), "bob").len(), 1);
    assert_eq!(
        std::fs::read_dir(bob_dir.join("tmp")).unwrap().count(),
        0,
        "no debris in tmp/"
    );
}

#[tokio::test]
async fn remote_recipients_follow_the_schedule_and_are_given_up_on() {
    let dir = TempDir::new("schedule");
    let (queue, _) = Queue::open(dir.path()).unwrap();
    commit(
        &queue,
        "R",
        vec![
            remote("x@example.com"),
            remote("y@example.com"),
            local("alice@example.org"),
        ],
    )
    .await;
    let relay = Arc::new(Scripted::default());
    // Answers are taken from the end: x is refused for good, y deferred.
    *relay.answers.lock().unwrap() = vec![
        Outcome::Deferred("451 4.7.1 greylisted".to_owned()),
        Outcome::Failed("550 5.1.1 no such user".to_owned()),
    ];
    let worker = worker_of(&queue, dir.path(), Some(Arc::clone(&relay)));
    worker.deliver_due(T0).await;
    assert_eq!(delivered(dir.path(), "alice").len(), 1);
    let state = std::fs::read_to_string(dir.path().join("spool/queue/R.state")).unwrap();
    let record = Record::from_toml(&state).unwrap();
    assert_eq!(record.recipients[0].state, State::Failed);
    assert_eq!(record.recipients[1].state, State::Deferred);
    assert_eq!(record.recipients[1].next_attempt, T0 + 300);
    assert_eq!(
        record.recipients[1].last_reply.as_deref(),
        Some("451 4.7.1 greylisted")
    );
    // Deferred again and again (the script is empty): tries double, then the queue gives up
    // after five days.
    let mut now = T0 + 300;
    let mut tries = 1;
    while !queue.is_empty() && tries < 200 {
        worker.deliver_due(now).await;
        tries += 1;
        now += 3600;
    }
    assert!(queue.is_empty());
    let asked = relay.asked.lock().unwrap();
    assert_eq!(asked.iter().filter(|a| *a == "x@example.com").count(), 1);
    let y_tries = asked.iter().filter(|a| *a == "y@example.com").count();
    assert!((120..=125).contains(&y_tries), "{y_tries}");
}

#[tokio::test]
async fn concurrent_commits_share_directory_syncs() {
    let dir = TempDir::new("group-commit");
    let (queue, _) = Queue::open(dir.path()).unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..64 {
        let queue = queue.clone();
        tasks.spawn(async move {
            commit(&queue, &format!("G{n}"), vec![local("alice@example.org")]).await;
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    assert_eq!(queue.len(), 64);
    assert!(queue.directory_syncs() <= 64);
    assert_eq!(queue_files(dir.path()).len(), 64);
}

#[tokio::test]
async fn a_delivered_messages_file_is_emptied_and_reused_for_the_next() {
    let dir = TempDir::new("spare");
    let (queue, _) = Queue::open(dir.path()).unwrap();
    let worker = worker_of(&queue, dir.path(), None);
    let mut long = queue.receive("L").await.unwrap();
    long.write(&b"Subject: long\r\n\r\n".repeat(1000))
        .await
        .unwrap();
    queue
        .commit(long, record("L", vec![local("alice@example.org")]))
        .await
        .unwrap();
    worker.deliver_due(T0).await;
    let spare = dir.path().join("spool/spare");
    assert_eq!(std::fs::read_dir(&spare).unwrap().count(), 1);

    commit(&queue, "S", vec![local("bob@example.org")]).await;
    assert_eq!(std::fs::read_dir(&spare).unwrap().count(), 0, "taken again");
    let stored = store::read_committed(&dir.path().join("spool/queue/S.msg")).unwrap();
    assert_eq!(stored.data_len, 21, "nothing of the old message is left");
    worker.deliver_due(T0).await;
    let copy = std::fs::read_to_string(&delivered(dir.path(), "bob")[0]).unwrap();
    assert_eq!(copy, "Received: test\r\nSubject: x\r\n\r\nhello\r\n");
}
