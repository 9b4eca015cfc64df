#!/usr/bin/env python3
"""Mailroom and Postfix side by side on one machine, in one run: smtp-source sends 4 KiB
messages to the MTA on 127.0.0.1, which relays them to smtp-sink on 127.0.0.1. Both MTAs keep
their queues on the same disk with fsync on; repetitions alternate between them.

For each run it prints the injection rate (messages acknowledged per second of smtp-source's
run), the relay-through rate (messages per second until the sink holds every message and the
MTA's queue is empty), and the MTA's CPU time per message; for each pair, Mailroom / Postfix.
It fails when the sink is missing an acknowledged message or holds one twice.

Run it through run.sh, which installs Postfix and builds mailroom."""

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
# Below Linux's range of ephemeral ports (32768-60999), which the connections of a run use.
SINK_PORT = 20025
MAILROOM_PORT = 20026
POSTFIX_PORT = 20027


def free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_listening(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing listens on port {port}")


def cpu_of(pids):
    """User + system seconds of these processes, with their reaped children's."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime are fields 14-17 (1-based), 12-15 after the ')'.
        total += sum(int(x) for x in fields[11:15])
    return total / CLK_TCK


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


class Mailroom:
    name = "mailroom"

    def __init__(self, binary, work, sign):
        self.binary = binary
        self.data = os.path.join(work, "mailroom-data")
        self.sign = sign
        self.process = None
        self.port = MAILROOM_PORT

    def start(self):
        shutil.rmtree(self.data, ignore_errors=True)
        env = dict(
            os.environ,
            MAILROOM_DATA_DIR=self.data,
            MAILROOM_HOSTNAME="mailroom.bench.example",
            MAILROOM_LISTENERS=f"inbound=127.0.0.1:{self.port},submission=127.0.0.1:{self.port + 10},submissions=127.0.0.1:{self.port + 11}",
            MAILROOM_DELIVERY_RELAY_HOST=f"127.0.0.1:{SINK_PORT}",
            MAILROOM_LIMITS_MAX_RECIPIENTS="1000",
            MAILROOM_LOG="warn",
        )
        if self.sign:
            subprocess.run([self.binary, "dkim", "keygen", "example.org"], env=env, check=True,
                           stdout=subprocess.DEVNULL)
        self.log = open(os.path.join(os.path.dirname(self.data), "mailroom.log"), "w")
        self.process = subprocess.Popen([self.binary, "serve"], env=env,
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        wait_listening(self.port)

    def cpu(self):
        return cpu_of([self.process.pid])

    def queue_empty(self):
        return not os.listdir(os.path.join(self.data, "spool", "queue"))

    def stop(self):
        if self.process:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
            self.log.close()


class Postfix:
    name = "postfix"
    FILES = ["/etc/postfix/main.cf", "/etc/postfix/master.cf"]

    def __init__(self, work):
        self.port = POSTFIX_PORT
        self.saved = {path: open(path).read() for path in self.FILES if os.path.exists(path)}
        self.log = os.path.join(work, "postfix.log")

    def postconf(self, *settings):
        subprocess.run(["postconf", *settings], check=True)

    def start(self):
        subprocess.run(["postfix", "stop"], capture_output=True)
        self.postconf(
            "-e",
            "inet_interfaces = loopback-only",
            "inet_protocols = ipv4",
            "myhostname = postfix.bench.example",
            "mydestination =",
            "mynetworks = 127.0.0.0/8",
            f"relayhost = [127.0.0.1]:{SINK_PORT}",
            "smtpd_tls_security_level = none",
            "smtp_tls_security_level = none",
            "smtpd_recipient_restrictions = permit_mynetworks, reject",
            "smtpd_relay_restrictions = permit_mynetworks, reject",
            f"maillog_file = {self.log}",
            "default_destination_recipient_limit = 1000",
            "smtpd_recipient_limit = 1000",
        )
        self.postconf("-M", f"{self.port}/inet={self.port} inet n - y - - smtpd")
        subprocess.run(["postfix", "start"], check=True, capture_output=True)
        wait_listening(self.port)
        with open("/var/spool/postfix/pid/master.pid") as f:
            self.master = int(f.read().strip())

    def cpu(self):
        return cpu_of(descendants(self.master))

    def queue_empty(self):
        out = subprocess.run(["postqueue", "-p"], capture_output=True, text=True).stdout
        return "Mail queue is empty" in out

    def stop(self):
        subprocess.run(["postfix", "stop"], capture_output=True)
        subprocess.run(["postsuper", "-d", "ALL"], capture_output=True)
        for path, text in self.saved.items():
            with open(path, "w") as f:
                f.write(text)


def run_once(mta, work, messages, sessions, recipients):
    dump = os.path.join(work, "sink.dump")
    if os.path.exists(dump):
        os.remove(dump)
    sink = subprocess.Popen(["smtp-sink", "-c", "-u", "root", "-D", dump,
                             f"127.0.0.1:{SINK_PORT}", "1000"], stdout=subprocess.PIPE)
    received = [0]

    def count():
        # -c prints "sess=S quit=Q mesg=M" after every message and session, ending in CR.
        pending = b""
        for chunk in iter(lambda: sink.stdout.read1(4096), b""):
            *done, pending = (pending + chunk).split(b"\r")
            for part in done:
                found = re.search(rb"mesg=(\d+)", part)
                if found:
                    received[0] = int(found.group(1))

    reader = threading.Thread(target=count, daemon=True)
    reader.start()
    wait_listening(SINK_PORT)
    cpu_before = mta.cpu()
    start = time.monotonic()
    source = subprocess.run(
        ["smtp-source", "-s", str(sessions), "-m", str(messages), "-l", "4096", "-d",
         "-r", str(recipients), "-f", "app@example.org", "-t", "rcpt@example.net",
         f"127.0.0.1:{mta.port}"],
        capture_output=True, text=True)
    injected = time.monotonic() - start
    if source.returncode != 0:
        sink.kill()
        sys.exit(f"{mta.name}: smtp-source failed: {source.stderr.strip()}")
    deadline = time.monotonic() + max(120, messages / 20)
    while received[0] < messages and time.monotonic() < deadline:
        time.sleep(0.01)
    sunk = time.monotonic() - start
    while not mta.queue_empty() and time.monotonic() < deadline:
        time.sleep(0.01)
    through = time.monotonic() - start
    if os.environ.get("RELAY_DEBUG"):
        print(f"injected {injected:.2f}s sink done {sunk:.2f}s queue empty {through:.2f}s, sink counted {received[0]}")
    cpu = mta.cpu() - cpu_before
    sink.kill()
    sink.wait()
    ids = re.findall(rb"^Message-Id: (\S+)", open(dump, "rb").read(), re.M)
    unique = len(set(ids))
    if unique < messages or len(ids) > unique:
        sys.exit(f"{mta.name}: the sink holds {unique} of {messages} acknowledged messages, "
                 f"{len(ids) - unique} twice")
    return {
        "inject": messages / injected,
        "through": messages / through,
        "cpu_ms": 1000 * cpu / messages,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mailroom", required=True, help="the mailroom binary (release)")
    parser.add_argument("--messages", type=int, default=10000, help="messages per run")
    parser.add_argument("--reps", type=int, default=3, help="runs per MTA and case")
    parser.add_argument("--only", help="run only the case of this name")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: Postfix's queue and configuration need it")
    for port in (SINK_PORT, MAILROOM_PORT, POSTFIX_PORT, MAILROOM_PORT + 10, MAILROOM_PORT + 11):
        if not free(port):
            sys.exit(f"port {port} is in use")
    cases = [
        ("S=16", 16, 1, False),
        ("S=64", 64, 1, False),
        ("S=16 r=10", 16, 10, False),
        ("S=16 dkim", 16, 1, True),
    ]
    work = tempfile.mkdtemp(prefix="mailroom-relay-", dir="/var/tmp")
    postfix = Postfix(work)
    print(f"{args.messages} messages of 4 KiB per run, {args.reps} runs per MTA, alternating; "
          f"work in {work}")
    print(f"{'case':<11} {'mta':<9} {'inject/s':>9} {'through/s':>10} {'cpu ms/msg':>11}")
    ratios = []
    try:
        for name, sessions, recipients, sign in cases:
            if args.only and args.only != name:
                continue
            mailroom = Mailroom(args.mailroom, work, sign)
            results = {"mailroom": [], "postfix": []}
            for rep in range(args.reps):
                for mta in (mailroom, postfix) if rep % 2 == 0 else (postfix, mailroom):
                    mta.start()
                    try:
                        result = run_once(mta, work, args.messages, sessions, recipients)
                    finally:
                        mta.stop()
                    results[mta.name].append(result)
                    label = f"{name} (Mailroom signs)" if sign and mta is mailroom else name
                    print(f"{label:<11} {mta.name:<9} {result['inject']:>9.0f} "
                          f"{result['through']:>10.0f} {result['cpu_ms']:>11.2f}", flush=True)
            med = {m: {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                   for m, runs in results.items()}
            ratios.append((name, med))
    finally:
        postfix.stop()
    print("\nmedians, and Mailroom / Postfix (Postfix never signs)")
    print(f"{'case':<11} {'through/s M':>12} {'through/s P':>12} {'ratio':>6} "
          f"{'inject ratio':>13} {'cpu M':>7} {'cpu P':>7}")
    for name, med in ratios:
        m, p = med["mailroom"], med["postfix"]
        print(f"{name:<11} {m['through']:>12.0f} {p['through']:>12.0f} "
              f"{m['through'] / p['through']:>6.2f} {m['inject'] / p['inject']:>13.2f} "
              f"{m['cpu_ms']:>7.2f} {p['cpu_ms']:>7.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
