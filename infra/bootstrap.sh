#!/usr/bin/env bash
# Installs what VirtuBar needs on a fresh Debian machine, idempotently:
# system packages (only those missing), a Python venv with pinned versions,
# and the built client. `--test` adds the test tools and servers.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v python3 >/dev/null || missing+=(python3 python3-venv)
command -v node >/dev/null || missing+=(nodejs npm)
if [ "$want_test" = 1 ]; then
  command -v redis-server >/dev/null || missing+=(redis-server)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v turnserver >/dev/null || missing+=(coturn)
  command -v openssl >/dev/null || missing+=(openssl)  # test certificates for Redis over TLS
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
extras=""
[ "$want_test" = 1 ] && extras="[test]"
stamp=".venv/.installed$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ infra/constraints.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -c infra/constraints.txt -e ".$extras"
  touch "$stamp"
fi

if [ -f client/package.json ]; then
  # pyright (the Python type checker of --test) comes with the client's dev packages
  if [ ! -d client/node_modules ] || [ client/package-lock.json -nt client/node_modules ] \
    || { [ "$want_test" = 1 ] && [ ! -x client/node_modules/.bin/pyright ]; }; then
    (cd client && npm ci --no-audit --no-fund --loglevel=error)
  fi
  if [ ! -f client/dist/index.html ] || [ -n "$(find client/src client/index.html -newer client/dist/index.html 2>/dev/null | head -1)" ]; then
    (cd client && npm run build --silent)
  fi
fi
