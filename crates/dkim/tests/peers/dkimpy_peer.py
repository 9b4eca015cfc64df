#!/usr/bin/env python3
"""A dkimpy peer for mailroom-dkim's interoperability tests.

  dkimpy_peer.py sign KEYFILE DOMAIN SELECTOR ALGORITHM HEADER_CANON BODY_CANON [LENGTH]
      reads a message on stdin, writes the message signed by dkimpy on stdout;
      ALGORITHM is rsa-sha256 or ed25519-sha256; LENGTH "l" adds l= (body length).
  dkimpy_peer.py verify KEY_RECORD
      reads a signed message on stdin and prints, for each DKIM-Signature, "pass" or "fail",
      answering every key lookup with KEY_RECORD.
"""
import sys

import dkim


def main():
    command = sys.argv[1]
    message = sys.stdin.buffer.read()
    if command == "sign":
        keyfile, domain, selector, algorithm, hcanon, bcanon = sys.argv[2:8]
        length = len(sys.argv) > 8 and sys.argv[8] == "l"
        with open(keyfile, "rb") as f:
            key = f.read()
        signature = dkim.sign(
            message,
            selector.encode(),
            domain.encode(),
            key,
            canonicalize=(hcanon.encode(), bcanon.encode()),
            signature_algorithm=algorithm.encode(),
            length=length,
        )
        sys.stdout.buffer.write(signature + message)
    elif command == "verify":
        record = sys.argv[2].encode()
        checker = dkim.DKIM(message)
        count = sum(
            1 for name, _ in checker.headers if name.lower() == b"dkim-signature"
        )
        for index in range(count):
            ok = checker.verify(idx=index, dnsfunc=lambda name, timeout=5: record)
            print("pass" if ok else "fail")
    else:
        sys.exit("unknown command " + command)


if __name__ == "__main__":
    main()
