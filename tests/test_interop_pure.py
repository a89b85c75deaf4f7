"""The exporters' renderers (hwcheck/interop/nfd.py, prometheus.py, facts.py) are pure, like
the judge: a result in, text out. They read no file, no clock and no environment (the
judging time comes from the result, the probe's duration from `check`), and import no stage
but the documents' rules: so `check`, and anything else holding a result, renders the same
labels and metrics from it."""

from __future__ import annotations

import os

import pytest
from test_architecture import imports_of

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PURE = ("nfd.py", "prometheus.py", "facts.py")
ALLOWED = {"__future__", "re", "hashlib", "datetime", "hwcheck.status", "hwcheck.errors"}


@pytest.mark.parametrize("name", PURE)
def test_an_exporter_renderer_imports_only_pure_modules(name):
    imported = imports_of(os.path.join(ROOT, "hwcheck", "interop", name))
    own = {i for i in imported if i.startswith("hwcheck.interop.")}
    documents = {i for i in imported if i.startswith("hwcheck.model.")}  # types only
    assert imported - own - documents <= ALLOWED, sorted(imported - own - documents - ALLOWED)
    assert own <= {"hwcheck.interop.facts"}
