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

echo "== tests on SQLite"
.venv/bin/python -m pytest -q "$@"

if pg_up; then
  echo "== tests on PostgreSQL"
  DATABASE_URL="$PG_URL" .venv/bin/python -m pytest -q "$@"
elif [ -n "${CI:-}" ]; then
  echo "error: PostgreSQL is not reachable on 127.0.0.1:5432" >&2
  exit 1
else
  echo "PostgreSQL not reachable on 127.0.0.1:5432: skipped the PostgreSQL run"
fi
