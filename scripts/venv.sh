# Sourced by scripts/run and scripts/test: make .venv with Python 3.11+ and install partnerbot
# into it from the pinned, hashed lock files (scripts/lock makes them from pyproject.toml), again
# only when they have changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pick_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "partnerbot needs Python 3.11 or newer; install it, or set PYTHON=/path/to/python3.11" >&2
  exit 1
}

extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
  "$(pick_python)" -m venv .venv
fi
stamp=".venv/.installed${extras:+-$extras}"
lock="requirements${extras:+-$extras}.txt"
wanted="$(cat pyproject.toml "$lock" | sha256sum | cut -d' ' -f1)"
installed() { [ -f "$1" ] && [ "$(cat "$1")" = "$wanted" ]; }
# an install with the test extras has everything a plain run needs
if ! installed "$stamp" && ! { [ -z "$extras" ] && installed .venv/.installed-test; }; then
  echo "Installing partnerbot into .venv (first run takes a minute)..." >&2
  .venv/bin/python -m pip install --quiet --upgrade pip >&2
  .venv/bin/python -m pip install --quiet --require-hashes -r "$lock" >&2
  .venv/bin/python -m pip install --quiet --no-deps -e . >&2
  echo "$wanted" >"$stamp"
fi
