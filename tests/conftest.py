"""Fixtures shared by test modules: the browser of the report tests."""

from __future__ import annotations

import pytest
from browser import Session


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
