"""Python's smtplib against a running `mailroom serve`. Usage: e2e.py CASE INBOUND SUBMISSION
SUBMISSIONS. Users alice@example.org (password alice-pw) and bob@example.org exist, and
sales@example.org is an alias of alice. Exits non-zero, saying why, when the server does not
behave."""

import smtplib
import ssl
import sys

CASE = sys.argv[1]
INBOUND, SUBMISSION, SUBMISSIONS = (int(p) for p in sys.argv[2:5])


def unverified():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def message(sender, subject):
    return f"From: {sender}\r\nTo: x@example.org\r\nSubject: {subject}\r\n\r\nHello.\r\n"


def expect_code(call, code, text=None):
    try:
        result = call()
    except smtplib.SMTPResponseException as error:
        assert error.smtp_code == code, (error.smtp_code, error.smtp_error)
        if text:
            assert text in error.smtp_error.decode(), error.smtp_error
        return
    except smtplib.SMTPRecipientsRefused as error:
        (got, reply), = error.recipients.values()
        assert got == code, (got, reply)
        if text:
            assert text in reply.decode(), reply
        return
    raise AssertionError(f"expected {code}, got {result}")


def inbound():
    with smtplib.SMTP("127.0.0.1", INBOUND, local_hostname="mx.sender.example") as s:
        s.ehlo()
        assert not s.has_extn("auth"), "AUTH offered on the inbound port"
        s.starttls(context=unverified())
        s.ehlo()
        assert not s.has_extn("auth"), "AUTH offered on the inbound port after STARTTLS"
        refused = s.sendmail("someone@plain.example", ["alice@example.org", "nobody@example.org"],
                             message("someone@plain.example", "inbound"))
        assert refused["nobody@example.org"][0] == 550, refused
        assert b"5.1.1" in refused["nobody@example.org"][1], refused
        s.mail("someone@plain.example")
        for trick in ["other@example.com", "alice%example.com@example.org",
                      "example.com!alice@example.org", '"alice@example.com"@example.org',
                      "alice@example.com."]:
            code, reply = s.rcpt(trick)
            # Refused: 550 5.7.1 as a relay attempt, or 501 where the grammar already says no.
            assert code in (550, 501), (trick, code, reply)
        s.rset()
        # Sub-addressing and an alias deliver.
        s.sendmail("someone@plain.example", ["alice+news@example.org"], message("a@plain.example", "tagged"))
        s.sendmail("someone@plain.example", ["sales@example.org"], message("a@plain.example", "alias"))


def submission():
    with smtplib.SMTP("127.0.0.1", SUBMISSION, local_hostname="laptop.example") as s:
        s.ehlo()
        assert not s.has_extn("auth"), "AUTH offered before TLS"
        expect_code(lambda: s.sendmail("alice@example.org", ["bob@example.org"],
                                       message("alice@example.org", "x")), 530)
        s.starttls(context=unverified())
        s.ehlo()
        assert "PLAIN" in s.esmtp_features["auth"], s.esmtp_features
        expect_code(lambda: s.login("alice@example.org", "wrong"), 535)
        s.login("alice@example.org", "alice-pw")
        s.sendmail("alice@example.org", ["bob@example.org"], message("alice@example.org", "submitted"))
        # An alias the user owns is hers to send as; bob's address is not.
        s.sendmail("sales@example.org", ["bob@example.org"], message("sales@example.org", "as alias"))
        expect_code(lambda: s.sendmail("bob@example.org", ["alice@example.org"],
                                       message("alice@example.org", "spoof")), 553, "bob@example.org")
        expect_code(lambda: s.sendmail("alice@example.org", ["bob@example.org"],
                                       message("Bob <bob@example.org>", "spoof")), 553, "From: bob@example.org")
    with smtplib.SMTP_SSL("127.0.0.1", SUBMISSIONS, local_hostname="laptop.example",
                          context=unverified()) as s:
        s.login("alice@example.org", "alice-pw")
        s.sendmail("alice@example.org", ["bob@example.org"], message("alice@example.org", "implicit tls"))
    # Five wrong passwords, and even the right one is refused for a while.
    with smtplib.SMTP_SSL("127.0.0.1", SUBMISSIONS, context=unverified()) as s:
        for _ in range(5):
            expect_code(lambda: s.login("bob@example.org", "guess"), 535)
        expect_code(lambda: s.login("bob@example.org", "bob-pw"), 535)


def relay():
    """Authenticated mail for another domain goes to the relay host."""
    with smtplib.SMTP("127.0.0.1", SUBMISSION, local_hostname="laptop.example") as s:
        s.starttls(context=unverified())
        s.login("alice@example.org", "alice-pw")
        s.sendmail("alice@example.org", ["friend@example.com"], message("alice@example.org", "relayed"))


def trusted():
    """A trusted host (loopback by default) relays without AUTH."""
    with smtplib.SMTP("127.0.0.1", INBOUND, local_hostname="app.example.org") as s:
        s.sendmail("alice@example.org", ["friend@example.com"],
                   message("Alice <alice@example.org>", "from the app server"))


def dmarc():
    """SPF and DMARC for mail from the world: p=reject refused, p=quarantine kept apart, an
    aligned pass delivered with the results, and forged results in our name removed."""
    with smtplib.SMTP("127.0.0.1", INBOUND, local_hostname="mx.sender.example") as s:
        expect_code(lambda: s.sendmail("someone@sender.example", ["alice@example.org"],
                                       message("someone@sender.example", "rejected")), 550, "DMARC")
        s.sendmail("someone@junk.example", ["alice@example.org"], message("someone@junk.example", "quarantined"))
        forged = "Authentication-Results: mx.example.org; dmarc=pass (forged)\r\n"
        s.sendmail("someone@good.example", ["alice@example.org"],
                   forged + message("someone@good.example", "aligned"))


def proxy():
    """Through a PROXY header naming an outside client, no relaying, local delivery only."""
    import socket
    with socket.create_connection(("127.0.0.1", INBOUND)) as sock:
        sock.sendall(b"PROXY TCP4 203.0.113.5 127.0.0.1 40000 25\r\n")
        file = sock.makefile("rb")

        def reply():
            while True:
                line = file.readline()
                assert line, "the server closed the connection"
                if line[3:4] != b"-":
                    return line.decode()

        assert reply().startswith("220")
        sock.sendall(b"EHLO client.example\r\n")
        assert reply().startswith("250")
        sock.sendall(b"MAIL FROM:<someone@plain.example>\r\n")
        assert reply().startswith("250")
        sock.sendall(b"RCPT TO:<friend@example.com>\r\n")
        relay = reply()
        assert relay.startswith("550 5.7.1"), relay
        sock.sendall(b"RCPT TO:<alice@example.org>\r\nDATA\r\n")
        assert reply().startswith("250")
        assert reply().startswith("354")
        sock.sendall(b"Subject: proxied\r\n\r\nhi\r\n.\r\nQUIT\r\n")
        assert reply().startswith("250")


def lmtp():
    with smtplib.SMTP("127.0.0.1", INBOUND, local_hostname="app.example.org") as s:
        s.sendmail("app@example.org", ["alice@example.org", "bob@example.org"],
                   message("app@example.org", "over lmtp"))


{"lmtp": lmtp, "proxy": proxy, "dmarc": dmarc, "inbound": inbound, "submission": submission, "relay": relay, "trusted": trusted}[CASE]()
print("ok", CASE)
