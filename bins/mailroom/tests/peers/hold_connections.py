"""Opens COUNT connections to 127.0.0.1:PORT and reads each one's greeting, then prints
`ready` and holds them until stdin closes. Usage: hold_connections.py PORT COUNT.
Raises its own descriptor limit as far as the hard limit allows; prints `limit N` and exits
when that is not enough."""

import resource
import socket
import sys

port, count = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = count + 64
if hard != resource.RLIM_INFINITY and hard < want:
    print(f"limit {hard}", flush=True)
    sys.exit(0)
resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
held = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    held.append(s)
for s in held:
    greeting = s.recv(512)
    if not greeting.startswith(b"220"):
        print(f"no greeting: {greeting!r}", flush=True)
        sys.exit(1)
print("ready", flush=True)
sys.stdin.read()
