#!/usr/bin/env bash
# Quickstart, command 2: install what is missing (test servers included:
# redis-server, PostgreSQL, Chromium, coturn from Debian), then run every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/bootstrap.sh --test
echo "== lint (ruff)"
.venv/bin/ruff check virtubar functions realtime_edge sfu_node infra tests bench
echo "== template.yaml (cfn-lint)"
.venv/bin/cfn-lint template.yaml
if [ -f client/package.json ]; then
  echo "== client (vitest)"
  (cd client && npm test --silent)
fi
echo "== python suites (pytest)"
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
