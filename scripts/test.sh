#!/usr/bin/env bash
# Set up (with test tools) and run every check CI runs: ruff lint and format, mypy, the test suite
# (unit, fixture, fault, live-kernel and browser tests), and lint of every shipped profile.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check hwcheck tests bench
.venv/bin/ruff format --check hwcheck tests bench
.venv/bin/mypy
# The probe, capture and gate paths run on a ramdisk's python3: nothing newer than 3.9 there
# (the same files as pyproject.toml's [tool.ruff.per-file-target-version]).
STDLIB_PATH=(
  hwcheck/__init__.py hwcheck/__main__.py hwcheck/capture.py hwcheck/compactjson.py
  hwcheck/errors.py hwcheck/outfile.py hwcheck/status.py hwcheck/shipped.py
  hwcheck/cli/__init__.py hwcheck/cli/capture.py hwcheck/cli/gate.py hwcheck/cli/parser.py
  hwcheck/cli/once.py hwcheck/cli/probe.py hwcheck/cli/quickargs.py hwcheck/cli/streams.py hwcheck/gate/*.py
  hwcheck/model/__init__.py hwcheck/model/cardident.py hwcheck/probe/*.py
  hwcheck/render/__init__.py hwcheck/render/inventory_text.py hwcheck/render/words.py
)
.venv/bin/vermin --no-tips --violations -t=3.9- "${STDLIB_PATH[@]}"
.venv/bin/python -m pytest "$@"
