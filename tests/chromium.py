"""The real browser of the browser tests: Debian's Chromium, driven by playwright (never a
browser playwright downloads), headless and cut off from background networking. The
``browser`` fixture is offered to every test (tests/conftest.py loads this module as a
plugin); a test module that uses it marks itself ``needs_chromium``: skipped, with the
reason, only when no Chromium executable is found."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
"""Where the browser tests leave their screenshots."""
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


EXECUTABLE = chromium()
needs_chromium = pytest.mark.skipif(
    EXECUTABLE is None, reason="no chromium executable found (CI installs Debian's)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api",
                                         reason="playwright is not installed")
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=EXECUTABLE, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()
