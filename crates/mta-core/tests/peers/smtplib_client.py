"""Python's smtplib (and a raw socket, for what smtplib does not do) against the Mailroom
server the Rust test started. Usage: smtplib_client.py PORT CASE. Exits non-zero, saying
why, when the server does not behave."""

import smtplib
import socket
import ssl
import sys

PORT = int(sys.argv[1])
CASE = sys.argv[2]
MESSAGE = "From: a@example.org\r\nTo: b@example.org\r\nSubject: {}\r\n\r\n.a dot line\r\nbody\r\n"


def unverified():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def plain():
    with smtplib.SMTP("127.0.0.1", PORT, local_hostname="client.example") as s:
        code, _ = s.ehlo()
        assert code == 250, code
        for ext in ("pipelining", "8bitmime", "smtputf8", "chunking", "size", "enhancedstatuscodes"):
            assert s.has_extn(ext), ext
        assert not s.has_extn("auth"), "AUTH offered without TLS"
        refused = s.sendmail("a@example.org", ["b@example.org", "nobody@example.org"],
                             MESSAGE.format("plain"))
        assert list(refused) == ["nobody@example.org"], refused
        assert refused["nobody@example.org"][0] == 550, refused
        code, _ = s.noop()
        assert code == 250, code


def starttls_auth(method):
    with smtplib.SMTP("127.0.0.1", PORT, local_hostname="client.example") as s:
        s.ehlo()
        assert s.has_extn("starttls")
        s.starttls(context=unverified())
        s.ehlo()
        assert "PLAIN" in s.esmtp_features["auth"], s.esmtp_features
        s.user, s.password = "tim", "wrong"
        try:
            s.auth(method, getattr(s, "auth_" + method.lower()), initial_response_ok=True)
            raise AssertionError("a wrong password was accepted")
        except smtplib.SMTPAuthenticationError as error:
            assert error.smtp_code == 535, error
        s.user, s.password = "tim", "tanstaaf"
        code, _ = s.auth(method, getattr(s, "auth_" + method.lower()), initial_response_ok=True)
        assert code == 235, code
        s.sendmail("tim@example.org", ["b@example.org"], MESSAGE.format("auth " + method))


def read_reply(sock, count=1):
    """Reads `count` whole replies; returns their last lines."""
    data = b""
    lasts = []
    while len(lasts) < count:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
        lines = data.split(b"\r\n")
        lasts = [line for line in lines[:-1] if len(line) >= 4 and line[3:4] == b" "]
    return [line.decode() for line in lasts]


def pipelined():
    with socket.create_connection(("127.0.0.1", PORT)) as sock:
        assert read_reply(sock)[0].startswith("220")
        sock.sendall(b"EHLO client.example\r\n")
        assert "250" in read_reply(sock)[0]
        sock.sendall(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"
                     b"RCPT TO:<nobody@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n")
        replies = read_reply(sock, 5)
        codes = [reply[:3] for reply in replies]
        assert codes == ["250", "250", "550", "250", "354"], replies
        sock.sendall(MESSAGE.format("pipelined").replace("\r\n.", "\r\n..").encode()
                     + b".\r\nQUIT\r\n")
        replies = read_reply(sock, 2)
        assert [r[:3] for r in replies] == ["250", "221"], replies


def smuggling():
    with socket.create_connection(("127.0.0.1", PORT)) as sock:
        read_reply(sock)
        sock.sendall(b"EHLO client.example\r\nMAIL FROM:<a@example.org>\r\n"
                     b"RCPT TO:<b@example.org>\r\nDATA\r\n")
        assert read_reply(sock, 4)[-1].startswith("354")
        sock.sendall(b"Subject: smuggling\r\n\r\nx\n.\nMAIL FROM:<admin@example.org>\r\n"
                     b"RCPT TO:<b@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\n.\r\nNOOP\r\n")
        replies = read_reply(sock, 2)
        assert replies[0].startswith("550 5.6.0"), replies
        assert replies[1].startswith("250"), replies


{"plain": plain,
 "starttls-plain": lambda: starttls_auth("PLAIN"),
 "starttls-login": lambda: starttls_auth("LOGIN"),
 "pipelined": pipelined,
 "smuggling": smuggling}[CASE]()
print("ok", CASE)
