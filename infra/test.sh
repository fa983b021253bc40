#!/usr/bin/env bash
# Quickstart, command 2: install what is missing (test servers included:
# redis-server, PostgreSQL, Chromium, coturn from Debian), then run every suite.
# With CI=true it then fails if the run changed the checkout or left a folder
# over 10 MB in the temp dir (infra/cleancheck.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
temp_before="$(ls -A "${TMPDIR:-/tmp}")"
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
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
if [ "${CI:-}" = true ]; then
  echo "== the run left the checkout clean and no large folder in the temp dir"
  printf '%s\n' "$temp_before" | bash infra/cleancheck.sh
fi
