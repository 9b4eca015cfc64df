#!/usr/bin/env bash
# Mailroom beside Debian's Postfix, relaying over loopback: smtp-source -> MTA -> smtp-sink.
# Installs Postfix (which ships smtp-source and smtp-sink) when it is missing, builds mailroom
# in release mode, then runs relay.py. Needs root (Postfix's queue and configuration).
# Usage: benches/relay/run.sh [--messages N] [--reps R] [--only NAME]   (see relay.py --help)
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v smtp-source >/dev/null || ! command -v postfix >/dev/null; then
    as_root=""
    if [ "$(id -u)" -ne 0 ]; then as_root="sudo"; fi
    echo "postfix postfix/main_mailer_type select No configuration" | $as_root debconf-set-selections
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y --no-install-recommends postfix
fi
cargo build --release --locked -p mailroom
target="${CARGO_TARGET_DIR:-target}"
exec python3 benches/relay/relay.py --mailroom "$target/release/mailroom" "$@"
