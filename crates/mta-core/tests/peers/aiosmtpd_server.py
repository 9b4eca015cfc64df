"""An aiosmtpd server for the Mailroom client to deliver to. Usage: aiosmtpd_server.py PORT
CERT KEY. Prints `ready`, then one line per message received (`MESSAGE from to,to size`
followed by the message, dot-free, and a line `END`), until stdin closes."""

import asyncio
import ssl
import sys

from aiosmtpd.controller import Controller

PORT, CERT, KEY = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        if address.startswith("full@"):
            return "452 4.2.2 mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content
        print("MESSAGE", envelope.mail_from, ",".join(envelope.rcpt_tos), len(data),
              "tls" if session.ssl else "clear", flush=True)
        sys.stdout.write(data.decode("utf-8", "replace"))
        print("END", flush=True)
        return "250 2.0.0 queued"


context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(CERT, KEY)
controller = Controller(Handler(), hostname="127.0.0.1", port=PORT, tls_context=context,
                        server_hostname="localhost")
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
