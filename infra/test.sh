#!/usr/bin/env bash
# Quickstart, command 2: install what is missing (test servers included:
# redis-server, PostgreSQL, Chromium, coturn from Debian), then run every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/bootstrap.sh --test
echo "== lint (ruff)"
.venv/bin/ruff check virtubar launcher functions realtime_edge sfu_node infra tests bench
echo "== python types (pyright, pinned in client/package.json; settings in pyproject.toml)"
client/node_modules/.bin/pyright virtubar launcher functions sfu_node realtime_edge
echo "== template.yaml (cfn-lint)"
.venv/bin/cfn-lint template.yaml
echo "== client: types (tsc --noEmit), unit tests (vitest), then headless Chromium with the offline provider"
(cd client && npm run --silent typecheck && npm test --silent && npm run --silent e2e)
echo "== python suites (pytest)"
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
