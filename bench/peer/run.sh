#!/usr/bin/env bash
# The edge against its peer in one run: Socket.IO 4.8 with its Redis Streams
# adapter, both as two nodes and redis-server on this machine, driven by the
# same load generator, points interleaved (ours, peer, ours, peer) with a
# fresh stack each. The harness is the shared one (../shared/peers/socketio,
# read-only): it is copied to a work folder and its npm and Python parts are
# installed there once. Prints the side-by-side medians (bench/peer/compare.py);
# --write appends them to docs/benchmarks.md.
#   bench/peer/run.sh [--reps N] [--shapes "1:100:10 1:100:20"] [--write]
# Env: PEER (the harness, default ../shared/peers/socketio), PEER_WORK
# (default $TMPDIR/virtubar-peer), extra VIRTUBAR_* settings pass to our edge.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEER=${PEER:-$ROOT/../shared/peers/socketio}
WORK=${PEER_WORK:-${TMPDIR:-/tmp}/virtubar-peer}
REPS=1
SHAPES="1:100:10 1:100:20 4:50:10 10:20:25"
WRITE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS=$2; shift 2 ;;
    --shapes) SHAPES=$2; shift 2 ;;
    --write) WRITE=--write; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -d "$PEER" ] || { echo "no peer harness at $PEER" >&2; exit 1; }
[ -x "$ROOT/.venv/bin/python" ] || { echo "run infra/bootstrap.sh first (no .venv)" >&2; exit 1; }

if [ ! -f "$WORK/.installed" ]; then
  rm -rf "$WORK" && mkdir -p "$WORK" && cp -r "$PEER/." "$WORK/" && chmod -R u+w "$WORK"
  # the harness was written when the command line lived in virtubar.cli
  sed -i 's/virtubar\.cli/launcher.cli/g' "$WORK/vbstack.sh"
  (cd "$WORK" && npm install --no-audit --no-fund --silent && python3 -m venv .venv \
    && .venv/bin/pip install -q -r requirements.txt)
  touch "$WORK/.installed"
fi
# every generator client signs in as a guest from 127.0.0.1 with no cookie
export VIRTUBAR_GUESTS_PER_HOUR=${VIRTUBAR_GUESTS_PER_HOUR:-100000000}
export VIRTUBAR_GUESTS_PER_DEVICE_PER_HOUR=${VIRTUBAR_GUESTS_PER_DEVICE_PER_HOUR:-100000000}
RESULTS="$WORK/results-$(date -u +%Y%m%dT%H%M%S)"
mkdir -p "$RESULTS"
(cd "$WORK" && VB="$ROOT" RESULTS="$RESULTS" SHAPES="$SHAPES" NO_WAIT=1 ./run_A.sh "$REPS")
"$ROOT/.venv/bin/python" "$ROOT/bench/peer/compare.py" "$RESULTS/A.jsonl" $WRITE
