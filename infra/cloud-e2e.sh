#!/usr/bin/env bash
# The client's browser suite against the cloud-local mode: two headless
# Chromium players sign in, meet in one room, see each other move, chat, and
# one hears the other over WebRTC, through the API workers, the edges, the
# SFU and coturn started by infra/cloud-local.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/bootstrap.sh --test
work=$(mktemp -d)
.venv/bin/python -m infra.cloudlocal --workdir "$work" > "$work/cloud-local.out" 2>&1 &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 120); do
  grep -q "Press Ctrl-C" "$work/cloud-local.out" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/cloud-local.out"; exit 1; }
  sleep 1
done
url=$(sed -nE 's|^  client +(http://[^ ]+)/$|\1|p' "$work/cloud-local.out")
[ -n "$url" ] || { echo "cloud-local did not serve the client:"; cat "$work/cloud-local.out"; exit 1; }
(cd client && VIRTUBAR_E2E_URL="$url" npm run e2e:server --silent)
