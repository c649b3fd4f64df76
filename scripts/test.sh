#!/usr/bin/env bash
# Lint, types, module boundaries, then the test suite against the real services.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=.venv/bin
echo "== lock";          scripts/lock.sh --check
echo "== ruff";          "$BIN/ruff" check src tests bench
echo "== ruff format";   "$BIN/ruff" format --check src tests bench
echo "== mypy";          "$BIN/mypy"
echo "== import-linter"; "$BIN/lint-imports"
echo "== pytest";        "$BIN/pytest" "$@"
