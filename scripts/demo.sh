#!/usr/bin/env bash
# Install qihub and serve it on http://127.0.0.1:8000 with demo data, on the
# embedded default (SQLite with WAL and FTS5 under ./var). No server needed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_env.sh
ensure_venv ""
exec .venv/bin/qihub serve --demo "$@"
