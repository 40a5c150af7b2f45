#!/usr/bin/env bash
# Makes the README's screenshots from the real binary: tmux runs it, keys are sent as a person
# would type them, each screen is captured with its colours and rendered to PNG.
# Needs: tmux, python3 with Pillow (pip install pillow), fonts-dejavu-core.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/bts-doctor
out=$PWD/screenshots
tmp=$(mktemp -d)
session=bts-doctor-shots

start() { tmux kill-session -t $session 2>/dev/null || true; tmux new-session -d -s $session -x 120 -y 36 "env -u NO_COLOR BTS_DOCTOR_DATA=$tmp/data $*"; sleep 1; }
keys() { tmux send-keys -t $session "$@"; sleep 0.8; }
shot() { tmux capture-pane -e -p -t $session > "$tmp/$1.txt"; python3 screenshots/ansi2png.py "$tmp/$1.txt" "$out/$1.png"; echo "screenshots/$1.png"; }

start "$bin"
keys -l "SSO Master Secret Server service is not running on BTSCLUSTER01.Please start the service to continue the upgrade."
shot paste
keys Tab Enter
keys Down Space
shot detail
keys Escape '?'
shot help
keys Escape 3 /
keys -l "bam"
shot knowledge

start "$bin" tests/fixtures/logs
sleep 2
shot scan
keys l
sleep 1
shot log-viewer

start "$bin"
keys Tab
keys 4
keys e
keys -l "127.0.0.1,1"
keys Tab Tab
keys -l "bts_check"
keys Tab
keys -l "not-a-real-password"
keys Enter
sleep 2
shot checks

start "$bin" tests/fixtures/logs/msi-database-upgrade-failed.log
sleep 2
keys 5
shot guide
keys Enter
keys Enter
sleep 1
shot guide-check

tmux kill-session -t $session
rm -rf "$tmp"
