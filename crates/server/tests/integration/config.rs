//! Configuration: defaults, the file, the environment, and errors that name the key.

use mailroom_server::config::{DeliveryMode, Role};
use mailroom_server::{Config, Error};

use crate::TempDir;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A config file with this text, in a directory removed when it is dropped.
fn file(text: &str) -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new("config");
    let path = dir.file("mailroom.toml", text);
    (dir, path)
}

fn config_error(result: Result<Config, Error>) -> (String, String) {
    match result {
        Err(Error::Config { key, problem }) => (key, problem),
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[test]
fn the_embedded_defaults_run_on_loopback_at_unprivileged_ports() {
    let config = Config::load(None, env(&[])).unwrap();
    let listeners: Vec<(Role, String)> = config
        .listeners
        .iter()
        .map(|l| (l.role, l.address.to_string()))
        .collect();
    assert_eq!(
        listeners,
        [
            (Role::Inbound, "127.0.0.1:2525".to_owned()),
            (Role::Submission, "127.0.0.1:2587".to_owned()),
            (Role::Submissions, "127.0.0.1:2465".to_owned()),
        ]
    );
    assert_eq!(config.data_dir, std::path::Path::new("mailroom-data"));
    assert!(!config.hostname.is_empty());
    assert!(config.is_trusted("127.0.0.1".parse().unwrap()));
    assert!(config.is_trusted("::1".parse().unwrap()));
    assert!(config.is_trusted("::ffff:127.0.0.9".parse().unwrap()));
    assert!(!config.is_trusted("192.0.2.1".parse().unwrap()));
    assert!(config.policy.spoof_protection);
}

#[test]
fn a_file_and_the_environment_set_every_key() {
    let f = file(
        r#"
hostname = "mail.example.org"
data_dir = "/var/lib/mailroom"
domains = ["example.org", "example.net"]
trusted_networks = ["10.0.0.0/8"]

[[listeners]]
role = "inbound"
address = "0.0.0.0:25"
proxy_protocol = true

[[listeners]]
role = "submissions"
address = "0.0.0.0:465"

[limits]
max_recipients = 50

[delivery]
mode = "lmtp"
lmtp_address = "127.0.0.1:24"
"#,
    );
    let config = Config::load(
        Some(&f.1),
        env(&[
            ("MAILROOM_LIMITS_MAX_MESSAGE_SIZE", "1000"),
            ("MAILROOM_POLICY_SPOOF_PROTECTION", "false"),
            ("MAILROOM_TRUSTED_NETWORKS", "192.0.2.0/24, 2001:db8::/32"),
            ("PATH", "/usr/bin"),
            ("MAILROOM_LOG", "debug"),
            ("MAILROOM_REQUIRE_PEERS", "1"),
        ]),
    )
    .unwrap();
    assert_eq!(config.hostname, "mail.example.org");
    assert_eq!(config.domains, ["example.org", "example.net"]);
    assert!(config.listeners[0].proxy_protocol);
    assert_eq!(config.listeners[1].role, Role::Submissions);
    assert_eq!(config.limits.max_recipients, 50);
    assert_eq!(config.limits.max_message_size, 1000);
    assert!(!config.policy.spoof_protection);
    assert_eq!(config.delivery.mode, DeliveryMode::Lmtp);
    assert!(config.is_trusted("2001:db8::1".parse().unwrap()));
    assert!(!config.is_trusted("10.1.2.3".parse().unwrap()));

    let config = Config::load(
        None,
        env(&[(
            "MAILROOM_LISTENERS",
            "inbound=0.0.0.0:25+proxy,submission=[::]:587",
        )]),
    )
    .unwrap();
    assert_eq!(config.listeners.len(), 2);
    assert!(config.listeners[0].proxy_protocol);
    assert_eq!(config.listeners[1].address.to_string(), "[::]:587");
}

#[test]
fn mistakes_name_the_key() {
    let cases = [
        (
            "[limits]\nmax_recipients = \"many\"\n",
            "limits.max_recipients",
        ),
        ("[limits]\nmax_recipient = 5\n", "limits.max_recipient"),
        ("trusted_networks = [\"10.0.0.0/33\"]\n", "trusted_networks"),
        (
            "[[listeners]]\nrole = \"relay\"\naddress = \"127.0.0.1:25\"\n",
            "listeners.role",
        ),
        ("[limits]\nmax_errors = 0\n", "limits.max_errors"),
        ("[delivery]\nmode = \"lmtp\"\n", "delivery.lmtp_address"),
        ("[tls]\ncertificate = \"cert.pem\"\n", "tls"),
        ("hostname = \n", "hostname"),
    ];
    for (text, key) in cases {
        let f = file(text);
        let (found, problem) = config_error(Config::load(Some(&f.1), env(&[])));
        assert_eq!(found, key, "{text:?}: {problem}");
    }
    let (key, _) = config_error(Config::load(None, env(&[("MAILROOM_COLOUR", "blue")])));
    assert_eq!(key, "MAILROOM_COLOUR");
    let (key, _) = config_error(Config::load(
        None,
        env(&[("MAILROOM_LIMITS_MAX_ERRORS", "x")]),
    ));
    assert_eq!(key, "limits.max_errors");
    assert!(matches!(
        Config::load(
            Some(std::path::Path::new("/nonexistent/mailroom.toml")),
            env(&[])
        ),
        Err(Error::ConfigFile { .. })
    ));
}

#[test]
fn the_example_config_loads() {
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/mailroom.toml");
    let config = Config::load(Some(&example), env(&[])).unwrap();
    assert_eq!(config.hostname, "mail.example.org");
    assert_eq!(config.listeners.len(), 3);
}
