#!/usr/bin/env bash
# Installs what VirtuBar needs on a fresh Debian machine, idempotently:
# system packages (only those missing), a Python venv with pinned versions,
# and the built client. `--test` adds the test tools and servers.
# `--check` changes nothing: it checks the versions found and prints each
# install step it would run ("would run: ...").
#
# Versions are checked, not only presence: Python >= 3.11 with venv (Debian
# ships venv apart, as python3-venv), Node >= 20.19 or >= 22.12 (what vite
# needs; Debian 12's nodejs is 18). Servers installed for the tests (coturn,
# PostgreSQL, redis-server) are neither started nor enabled at boot: the
# tests start their own.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
check_only=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --check) check_only=1 ;;
    *) echo "usage: bash infra/bootstrap.sh [--test] [--check]" >&2; exit 64 ;;
  esac
done

run() { if [ "$check_only" = 1 ]; then echo "would run: $*"; else "$@"; fi; }
as_root() { if [ "$(id -u)" = 0 ]; then run "$@"; else run sudo "$@"; fi; }
apt_get() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"; }

# "X.Y" at least "MIN_X.MIN_Y"
at_least() { local IFS=.; local -a have=($1) want=($2); (( have[0] > want[0] || (have[0] == want[0] && have[1] >= want[1]) )); }

python_ok() {
  local version
  version="$(python3 --version 2>&1 | sed -n 's/^Python \([0-9]*\.[0-9]*\).*/\1/p')"
  if [ -z "$version" ] || ! at_least "$version" 3.11; then
    echo "VirtuBar needs Python 3.11 or newer; python3 is ${version:-unknown}." >&2
    echo "Debian 12 (bookworm) and newer ship it as python3: upgrade, or put a Python >= 3.11 first on PATH as python3." >&2
    exit 2
  fi
}

node_ok() {
  local version
  version="$(node --version 2>/dev/null | sed -n 's/^v\([0-9]*\.[0-9]*\).*/\1/p')"
  if [ -n "$version" ] && { { at_least "$version" 20.19 && ! at_least "$version" 21.0; } || at_least "$version" 22.12; }; then
    return 0
  fi
  echo "VirtuBar's client build (vite) needs Node 20.19+ or 22.12+; node is ${version:-unknown} ($(command -v node))." >&2
  echo "Get Node 22 from npm (the binary comes as an npm package), then run this again:" >&2
  echo "    npm install -g node@22" >&2
  exit 3
}

missing=()
services=()  # servers the tests start themselves: kept off after installing
if command -v python3 >/dev/null; then
  python_ok
  # Debian's python3 has no venv (ensurepip) until python3-venv is installed
  if [ ! -x .venv/bin/python ] && ! python3 -m ensurepip --version >/dev/null 2>&1; then
    missing+=(python3-venv)
  fi
else
  missing+=(python3 python3-venv)
fi
if command -v node >/dev/null; then
  node_ok
else
  missing+=(nodejs npm)
fi
if [ "$want_test" = 1 ]; then
  command -v redis-server >/dev/null || { missing+=(redis-server); services+=(redis-server); }
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { missing+=(postgresql); services+=(postgresql); }
  command -v chromium >/dev/null || missing+=(chromium)
  command -v turnserver >/dev/null || { missing+=(coturn); services+=(coturn); }
  command -v openssl >/dev/null || missing+=(openssl)  # test certificates for Redis over TLS
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  # policy-rc.d answering 101 stops Debian's maintainer scripts from starting services
  policy="${POLICY_RC_D:-/usr/sbin/policy-rc.d}"  # another path only for infra's own tests
  if [ "${#services[@]}" -gt 0 ] && [ ! -e "$policy" ]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    trap 'as_root rm -f '"$policy" EXIT
  fi
  apt_get update -q
  apt_get install -y -q --no-install-recommends "${missing[@]}"
  for service in "${services[@]}"; do  # and not at boot either
    if command -v systemctl >/dev/null; then as_root systemctl disable --quiet "$service" || true; fi
  done
  if [ "$check_only" = 0 ]; then
    python_ok
    node_ok
  fi
fi

if [ ! -x .venv/bin/python ]; then
  run python3 -m venv .venv
fi
extras=""
[ "$want_test" = 1 ] && extras="[test]"
stamp=".venv/.installed$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ infra/constraints.txt -nt "$stamp" ]; then
  run .venv/bin/python -m pip install -q --disable-pip-version-check -c infra/constraints.txt -e ".$extras"
  run touch "$stamp"
fi
# the embedded mode's house tracks, synthesized once here rather than at its first start
run .venv/bin/virtubar house-tracks

if [ -f client/package.json ]; then
  # pyright (the Python type checker of --test) comes with the client's dev packages
  if [ ! -d client/node_modules ] || [ client/package-lock.json -nt client/node_modules ] \
    || { [ "$want_test" = 1 ] && [ ! -x client/node_modules/.bin/pyright ]; }; then
    (cd client && run npm ci --no-audit --no-fund --loglevel=error)
  fi
  if [ ! -f client/dist/index.html ] || [ -n "$(find client/src client/index.html -newer client/dist/index.html 2>/dev/null | head -1)" ]; then
    (cd client && run npm run build --silent)
  fi
fi
