"""Headless Chromium for browser tests, driven by subprocess (no WebDriver, no Playwright download).

Uses the Debian package ``chromium`` (``apt-get install -y chromium``) or ``$TAKEAWAYS_CHROMIUM``; tests
skip with the reason when neither is there. Each run gets a fresh profile folder and the flags that keep
a headless browser quiet, offline and sandbox-free in a container.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--mute-audio",
)
CANDIDATES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
TIMEOUT_S = 60


def find_chromium() -> str | None:
    """``$TAKEAWAYS_CHROMIUM``, else /usr/bin/chromium, else the first candidate on PATH."""
    configured = os.environ.get("TAKEAWAYS_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def require_chromium() -> str:
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "headless Chromium not found: install the Debian package (`apt-get install -y chromium`) "
            "or set TAKEAWAYS_CHROMIUM to a Chromium/Chrome binary"
        )
    return executable


def run_chromium(
    page: Path, *args: str, executable: str | None = None, query: str = ""
) -> subprocess.CompletedProcess[str]:
    """Open ``page`` (a local file) with the extra ``args``; fail with Chromium's stderr if it fails."""
    binary = executable or require_chromium()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        result = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri() + query],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
            env={**os.environ, "HOME": profile},
        )
    if result.returncode != 0:
        raise AssertionError(f"chromium exited with {result.returncode}:\n{result.stderr[-3000:]}")
    return result


def dump_dom(page: Path, *, executable: str | None = None, query: str = "") -> str:
    """The DOM after the page loaded (and after any script would have run), serialised as HTML;
    ``query`` ("?theme=financing") is added to the page's address."""
    return run_chromium(
        page, "--dump-dom", "--virtual-time-budget=2000", executable=executable, query=query
    ).stdout


def screenshot(
    page: Path, png: Path, *, width: int = 1280, height: int = 2400, executable: str | None = None
) -> Path:
    """A PNG of the top ``width`` x ``height`` pixels of the page."""
    png.parent.mkdir(parents=True, exist_ok=True)
    run_chromium(
        page, f"--screenshot={png.resolve()}", f"--window-size={width},{height}", executable=executable
    )
    if not png.is_file() or png.stat().st_size == 0:
        raise AssertionError(f"chromium wrote no screenshot to {png}")
    return png
