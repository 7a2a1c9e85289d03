# Sourced by the scripts: make .venv (Python 3.11+) and install the project into it when missing
# or when pyproject.toml or constraints.txt changed since the last install. The versions are the
# ones constraints.txt pins, which the deploy jobs install too: the tests run what deploys.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-}"
if [ -z "$python" ]; then
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
  done
fi
if [ -z "$python" ]; then echo "scripts: no python3 found; install Python 3.11" >&2; exit 2; fi
if [ ! -x .venv/bin/python ]; then
  "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
    || { echo "scripts: $python is older than 3.11" >&2; exit 2; }
  "$python" -m venv .venv
fi
stamp=.venv/.appspecs-installed
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
  echo "$want" > "$stamp"
fi
