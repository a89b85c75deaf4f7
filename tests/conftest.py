"""Fixtures shared by test modules: the browser of the report tests; and where tmp_path is.

`check` and `report` write no default HTML report when the current directory is on a
ramdisk (tmpfs, ramfs: hwcheck.cli.reportsdir). Tests that run them in tmp_path to see
that default report would then see none where /tmp is a tmpfs, so there the temporary
directories go under tests/artifacts/ (git-ignored) instead. The tests of the ramdisk rule
mount a tmpfs of their own.
"""

from __future__ import annotations

import os
import tempfile

import pytest
from browser import Session

from hwcheck.cli.reportsdir import RAMDISK_TYPES, filesystem_type

ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "artifacts")


def pytest_configure(config: pytest.Config) -> None:
    if config.option.basetemp is None and filesystem_type(tempfile.gettempdir()) in RAMDISK_TYPES:
        os.makedirs(ARTIFACTS, exist_ok=True)
        config.option.basetemp = tempfile.mkdtemp(prefix="tmp-", dir=ARTIFACTS)


@pytest.fixture(scope="module")
def playwright():
    """Playwright, started once per test module."""
    from playwright import sync_api

    with sync_api.sync_playwright() as running:
        yield running


@pytest.fixture
def session(playwright, tmp_path):
    """A fresh browser profile for one test, closed after it."""
    opened = Session(playwright, tmp_path / "profile")
    yield opened
    opened.close()
