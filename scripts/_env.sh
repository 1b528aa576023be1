# Shared by scripts/demo.sh and scripts/test.sh: find Python >= 3.12 (Django 6
# needs it) and keep the project's virtual environment in .venv up to date.

find_python() {
  local c p
  for c in "${QIHUB_PYTHON:-}" python3.13 python3.12 python3; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1 &&
      "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$c"
      return 0
    fi
  done
  for p in "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.1[2-9]*/bin/python3; do
    if [ -x "$p" ]; then
      echo "$p"
      return 0
    fi
  done
  # Last resort: uv installs a standalone CPython 3.12 from its registry.
  echo "no Python >= 3.12 found; installing one with uv" >&2
  python3 -m pip install --user --quiet uv >&2 &&
    python3 -m uv python install 3.12 >&2 &&
    python3 -m uv python find 3.12
}

ensure_venv() {
  # $1: "" for the platform, "test" for the platform and its test tools
  local extras="${1:-}" stamp py
  if [ ! -x .venv/bin/python ] ||
    ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    py="$(find_python)" || { echo "error: qihub needs Python >= 3.12" >&2; exit 1; }
    echo "creating .venv with $py"
    rm -rf .venv
    "$py" -m venv .venv
  fi
  stamp=".venv/.qihub-installed${extras:+-$extras}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    if [ -n "$extras" ]; then
      .venv/bin/python -m pip install --quiet -e ".[$extras]"
    else
      .venv/bin/python -m pip install --quiet -e .
    fi
    touch "$stamp"
  fi
}
