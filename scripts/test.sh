#!/usr/bin/env bash
# Install the test dependencies and run the whole suite: lint, then every test
# on SQLite (the embedded default) and again on PostgreSQL, with the browser
# tests driving Debian's Chromium through Playwright.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_env.sh
ensure_venv test

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x "${QIHUB_CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "installing Debian's chromium for the browser tests"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

PG_URL="${QIHUB_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  sleep 2
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1; then
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/qihub-redis.log || true
fi

echo "== lint (ruff)"
.venv/bin/ruff check src bench conftest.py
.venv/bin/ruff format --check src bench conftest.py

# The two runs go side by side, one core each (each pytest is one process),
# each with a data directory of its own; the PostgreSQL run's output follows
# the SQLite run's.
pg_pid=""
pg_log="$(mktemp)"
if pg_up; then
  (QIHUB_DATA_DIR="$(mktemp -d)" DATABASE_URL="$PG_URL" \
    .venv/bin/python -m pytest -q "$@" >"$pg_log" 2>&1) &
  pg_pid=$!
elif [ -n "${CI:-}" ]; then
  echo "error: PostgreSQL is not reachable on 127.0.0.1:5432" >&2
  exit 1
fi

echo "== tests on SQLite"
sqlite_rc=0
QIHUB_DATA_DIR="$(mktemp -d)" .venv/bin/python -m pytest -q "$@" || sqlite_rc=$?

pg_rc=0
if [ -n "$pg_pid" ]; then
  wait "$pg_pid" || pg_rc=$?
  echo "== tests on PostgreSQL"
  cat "$pg_log"
else
  echo "PostgreSQL not reachable on 127.0.0.1:5432: skipped the PostgreSQL run"
fi
rm -f "$pg_log"
[ "$sqlite_rc" = 0 ] && [ "$pg_rc" = 0 ]
