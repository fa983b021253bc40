#!/usr/bin/env bash
# Quickstart, command 1: install what is missing, then run VirtuBar in
# embedded mode (API, edge, SFU, client; SQLite and ./.virtubar) and print
# the URL to open. Flags go to `virtubar up` (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/bootstrap.sh
exec .venv/bin/virtubar up "$@"
