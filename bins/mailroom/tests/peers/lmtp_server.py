"""A small LMTP server (RFC 2033) for the delivery tests: it accepts alice, defers bob with
452 after the data, and prints each message it takes. Usage: lmtp_server.py PORT. Prints
`ready`, then `MESSAGE from to,to size` per message, until stdin closes."""

import socketserver
import sys
import threading


class Session(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self):
        self.reply("220 lmtp.example LMTP ready")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode().strip()
            verb = command.split(" ")[0].upper()
            if verb == "LHLO":
                self.wfile.write(b"250-lmtp.example\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n")
            elif verb == "MAIL":
                sender, recipients = command[10:].strip("<>").split(">")[0], []
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                recipients.append(command[8:].strip().strip("<>"))
                self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                self.reply("354 go")
                data = b""
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b""):
                        break
                    data += chunk
                print("MESSAGE", sender, ",".join(recipients), len(data), flush=True)
                for recipient in recipients:
                    if recipient.startswith("bob@"):
                        self.reply("452 4.2.2 bob is over quota")
                    else:
                        self.reply("250 2.0.0 saved")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("500 5.5.1 what")


server = socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Session)
threading.Thread(target=server.serve_forever, daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
server.shutdown()
