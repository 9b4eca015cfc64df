"""Verifies every DKIM-Signature of a message with dkimpy, answering key lookups from the
records `mailroom dkim keygen` printed. Usage: dkim_verify.py MESSAGE RECORDS. Prints the
d= and s= of each signature that verifies; exits non-zero unless all do."""

import re
import sys

import dkim

message = open(sys.argv[1], "rb").read()
records = {}
for line in open(sys.argv[2]):
    match = re.match(r"(\S+)\.\s+IN\s+TXT\s+(.*)", line)
    if match:
        records[match.group(1).lower()] = "".join(re.findall(r'"([^"]*)"', match.group(2))).encode()


def dnsfunc(name, timeout=5):
    return records.get(name.decode().rstrip(".").lower())


count = len(re.findall(rb"^DKIM-Signature:", message, re.M | re.I))
assert count >= 2, f"{count} signatures"
for index in range(count):
    verifier = dkim.DKIM(message)
    ok = verifier.verify(idx=index, dnsfunc=dnsfunc)
    assert ok, f"signature {index} does not verify"
    print(verifier.domain.decode(), verifier.selector.decode())
