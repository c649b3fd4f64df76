#!/usr/bin/env bash
# Re-locks the dependencies after a change to pyproject.toml: writes requirements.lock (exact
# versions and hashes, for Python 3.11 on x86_64 Linux). `scripts/lock.sh --check` fails if
# requirements.lock no longer matches pyproject.toml.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$SD_ROOT/scripts/lib/system.sh"
cd "$SD_ROOT"
uv_tool="$(install_uv)"
compile() {
  "$uv_tool" pip compile pyproject.toml --group dev --generate-hashes -q \
    --python-version 3.11 --python-platform x86_64-unknown-linux-gnu --no-header -o "$1"
}
if [ "${1:-}" = "--check" ]; then
  scratch="$(mktemp)"
  cp requirements.lock "$scratch"  # the current pins are kept as preferences
  compile "$scratch"
  if ! diff -q requirements.lock "$scratch" >/dev/null; then
    diff requirements.lock "$scratch" | head -20 >&2
    rm -f "$scratch"
    die "requirements.lock does not match pyproject.toml: run scripts/lock.sh"
  fi
  rm -f "$scratch"
else
  compile requirements.lock
fi
