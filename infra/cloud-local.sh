#!/usr/bin/env bash
# Cloud-local mode: the cloud shape on this machine with real parts
# (redis-server, PostgreSQL, coturn, migrations, the API under granian with
# several workers, two edge nodes, one SFU). Installs what is missing, prints
# the URLs, stops everything on Ctrl-C. Flags: --api-workers N, --port P,
# --workdir DIR (see infra/cloudlocal.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/bootstrap.sh --test
exec .venv/bin/python -m infra.cloudlocal "$@"
