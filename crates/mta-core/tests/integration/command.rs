//! Commands (RFC 5321 §4.1.1) and ESMTP parameters, and the replies their errors give.

use mailroom_mta_core::{
    Body, Command, Domain, ForwardPath, MailParameters, Notify, RcptParameters, Ret, ReversePath,
};

fn parse(line: &str) -> Command {
    Command::parse(line, false).unwrap_or_else(|e| panic!("{line}: {e}"))
}

fn reply(line: &str, utf8: bool) -> String {
    Command::parse(line, utf8).unwrap_err().reply().to_string()
}

#[test]
fn every_verb() {
    assert_eq!(
        parse("HELO mx.example.org"),
        Command::Helo(Domain::Name("mx.example.org".into()))
    );
    assert_eq!(
        parse("ehlo [192.0.2.1]"),
        Command::Ehlo(Domain::Address("192.0.2.1".parse().unwrap()))
    );
    assert_eq!(parse("DATA"), Command::Data);
    assert_eq!(parse("rset"), Command::Rset);
    assert_eq!(parse("NOOP"), Command::Noop);
    assert_eq!(parse("NOOP anything at all"), Command::Noop);
    assert_eq!(parse("QUIT"), Command::Quit);
    assert_eq!(parse("VRFY joe"), Command::Vrfy("joe".into()));
    assert_eq!(parse("EXPN staff"), Command::Expn("staff".into()));
    assert_eq!(parse("HELP"), Command::Help(None));
    assert_eq!(parse("HELP MAIL"), Command::Help(Some("MAIL".into())));
    assert_eq!(parse("STARTTLS"), Command::StartTls);
    assert_eq!(
        parse("BDAT 1000"),
        Command::Bdat {
            size: 1000,
            last: false
        }
    );
    assert_eq!(
        parse("BDAT 0 LAST"),
        Command::Bdat {
            size: 0,
            last: true
        }
    );
    assert_eq!(
        parse("AUTH plain AGpvZQBzZWNyZXQ="),
        Command::Auth {
            mechanism: "PLAIN".into(),
            initial_response: Some("AGpvZQBzZWNyZXQ=".into())
        }
    );
    assert_eq!(
        parse("AUTH SCRAM-SHA-256"),
        Command::Auth {
            mechanism: "SCRAM-SHA-256".into(),
            initial_response: None
        }
    );
}

#[test]
fn mail_and_rcpt_with_every_parameter() {
    let mail = parse(
        "MAIL FROM:<@relay.example,@other.example:joe@example.org> SIZE=4096 BODY=BINARYMIME AUTH=joe+2Bx@example.org RET=HDRS ENVID=QQ314159 REQUIRETLS",
    );
    let Command::Mail {
        from: ReversePath::Mailbox(from),
        params,
    } = &mail
    else {
        panic!("{mail:?}")
    };
    assert_eq!(
        from.to_string(),
        "joe@example.org",
        "the source route is dropped"
    );
    assert_eq!(
        *params,
        MailParameters {
            size: Some(4096),
            body: Some(Body::BinaryMime),
            smtputf8: false,
            auth: Some(Some("joe+x@example.org".into())),
            ret: Some(Ret::Headers),
            envid: Some("QQ314159".into()),
            requiretls: true,
        }
    );
    assert_eq!(parse(&mail.to_string()), mail);
    assert_eq!(
        parse("MAIL FROM:<>"),
        Command::Mail {
            from: ReversePath::Null,
            params: MailParameters::default()
        }
    );
    assert_eq!(
        parse("MAIL FROM:<> AUTH=<>"),
        Command::Mail {
            from: ReversePath::Null,
            params: MailParameters {
                auth: Some(None),
                ..Default::default()
            }
        }
    );
    // A space after the colon is tolerated, as most servers do.
    assert!(matches!(
        parse("mail from: <a@example.org>"),
        Command::Mail { .. }
    ));

    let rcpt =
        parse("RCPT TO:<ann@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;ann+2Bx@example.net");
    assert_eq!(
        rcpt,
        Command::Rcpt {
            to: ForwardPath::Mailbox(
                mailroom_mta_core::Mailbox::parse("ann@example.net", false).unwrap()
            ),
            params: RcptParameters {
                notify: Some(Notify {
                    success: true,
                    failure: true,
                    delay: false
                }),
                orcpt: Some(("rfc822".into(), "ann+x@example.net".into())),
            },
        }
    );
    assert_eq!(parse(&rcpt.to_string()), rcpt);
    assert_eq!(
        parse("RCPT TO:<ann@example.net> NOTIFY=NEVER"),
        Command::Rcpt {
            to: ForwardPath::Mailbox(
                mailroom_mta_core::Mailbox::parse("ann@example.net", false).unwrap()
            ),
            params: RcptParameters {
                notify: Some(Notify::default()),
                orcpt: None
            },
        }
    );
    assert_eq!(
        parse("RCPT TO:<POSTMASTER>"),
        Command::Rcpt {
            to: ForwardPath::Postmaster,
            params: RcptParameters::default()
        }
    );
}

#[test]
fn smtputf8_paths_need_the_parameter_and_the_offer() {
    assert!(matches!(
        Command::parse("MAIL FROM:<jörg@bücher.example> SMTPUTF8", true),
        Ok(Command::Mail {
            params: MailParameters { smtputf8: true, .. },
            ..
        })
    ));
    assert_eq!(
        reply("MAIL FROM:<jörg@bücher.example>", true),
        "553 5.6.7 UTF-8 is allowed only with SMTPUTF8\r\n"
    );
    assert_eq!(
        reply("MAIL FROM:<jörg@bücher.example> SMTPUTF8", false),
        "553 5.6.7 UTF-8 is allowed only with SMTPUTF8\r\n"
    );
    assert_eq!(
        reply("MAIL FROM:<a@example.org> SMTPUTF8", false),
        "555 5.5.4 parameter `SMTPUTF8` not recognized\r\n"
    );
    assert!(Command::parse("RCPT TO:<用户@例子.广告>", true).is_ok());
    assert_eq!(
        reply("RCPT TO:<用户@例子.广告>", false),
        "553 5.6.7 UTF-8 is allowed only with SMTPUTF8\r\n"
    );
}

#[test]
fn errors_give_the_right_replies() {
    for (line, expected) in [
        ("FROB", "500 5.5.1 command not recognized: `FROB`\r\n"),
        (
            "MAIL TO:<a@example.org>",
            "501 5.5.4 syntax error in the MAIL arguments (FROM:<path>)\r\n",
        ),
        (
            "MAIL FROM:a@example.org",
            "501 5.5.4 syntax error in the reverse-path\r\n",
        ),
        (
            "MAIL FROM:<a@example.org>X",
            "501 5.5.4 syntax error in the reverse-path\r\n",
        ),
        (
            "MAIL FROM:<a@example.org> FOO=1",
            "555 5.5.4 parameter `FOO` not recognized\r\n",
        ),
        (
            "MAIL FROM:<a@example.org> SIZE=big",
            "501 5.5.4 parameter `SIZE`: not a number\r\n",
        ),
        (
            "MAIL FROM:<a@example.org> SIZE=1 SIZE=2",
            "501 5.5.4 parameter `SIZE`: given twice\r\n",
        ),
        (
            "MAIL FROM:<a@example.org> BODY=9BIT",
            "501 5.5.4 parameter `BODY`: not 7BIT, 8BITMIME or BINARYMIME\r\n",
        ),
        (
            "MAIL FROM:<a@example.org> ENVID=a=b",
            "501 5.5.4 syntax error in the ESMTP parameter\r\n",
        ),
        (
            "RCPT TO:<a@example.org> NOTIFY=NEVER,SUCCESS",
            "501 5.5.4 parameter `NOTIFY`: not NEVER or SUCCESS,FAILURE,DELAY\r\n",
        ),
        (
            "RCPT TO:<>",
            "501 5.5.4 syntax error in the forward-path\r\n",
        ),
        (
            "DATA now",
            "501 5.5.4 syntax error in the arguments (none are allowed)\r\n",
        ),
        (
            "BDAT -1",
            "501 5.5.4 syntax error in the BDAT chunk size\r\n",
        ),
        (
            "BDAT 10 FIRST",
            "501 5.5.4 syntax error in the BDAT LAST\r\n",
        ),
        ("VRFY", "501 5.5.4 syntax error in the VRFY argument\r\n"),
        ("AUTH", "501 5.5.4 syntax error in the AUTH mechanism\r\n"),
    ] {
        assert_eq!(reply(line, false), expected, "{line}");
    }
    let long = format!("NOOP {}", "x".repeat(600));
    assert_eq!(
        reply(&long, false),
        "501 5.5.4 the command line is longer than 512 octets\r\n"
    );
}
