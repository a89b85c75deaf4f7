#!/usr/bin/env bash
# Set up (with test tools) and run every check CI runs: ruff lint and format, mypy, the test suite
# (unit, fixture, fault, live-kernel and browser tests), and lint of every shipped profile.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check hwcheck tests bench
.venv/bin/ruff format --check hwcheck tests bench
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
