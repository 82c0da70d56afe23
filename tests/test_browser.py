"""The dashboard in a real browser: `duban serve` on a generated warehouse, Chromium on each page.

Drives Debian's Chromium (/usr/bin/chromium, or $DUBAN_CHROMIUM) through Playwright; no browser is
ever downloaded. Without Chromium the test is skipped, except under CI (CI=true), where it fails.
A screenshot of each page is saved under tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dashboard.components import format_value
from dashboard.i18n import translate
from dashboard.registry import PAGES

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("DUBAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
END_MONTH = "2026-09"  # the generated data's last month: a fixed end keeps the run deterministic
PERIOD = {"from": "2026-09-01", "to": "2026-09-30"}

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium executable; checked before the warehouse is generated."""
    return _chromium_or_skip()


def _chromium_or_skip() -> str:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        found = None
    if not found:
        message = f"Chromium ({CHROMIUM}) or the playwright package is missing"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}: CI must install it (.ci/run installs Debian's chromium)")
        pytest.skip(message)
    return found


def _duban(*args: str, cwd: Path) -> None:
    script = Path(sys.executable).with_name("duban")
    result = subprocess.run(
        [str(script), *args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    # `ingest` exits 1 when the generator's deliberately broken files are rejected; fine here
    if result.returncode not in (0, 1) or "Traceback" in result.stderr:
        raise AssertionError(f"duban {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny generated street: generate, ingest and build with the CLI.

    DUBAN_BROWSER_WAREHOUSE names an existing warehouse to use instead (to iterate quickly).
    """
    if os.environ.get("DUBAN_BROWSER_WAREHOUSE"):
        return Path(os.environ["DUBAN_BROWSER_WAREHOUSE"])
    folder = tmp_path_factory.mktemp("browser")
    path = folder / "warehouse.duckdb"
    _duban(
        "generate", "--scale", "tiny", "--out", str(folder / "src"), "--end", END_MONTH, cwd=folder
    )
    _duban("ingest", str(folder / "src"), "--warehouse", str(path), cwd=folder)
    _duban("build", "--warehouse", str(path), cwd=folder)
    assert path.exists()
    return path


@pytest.fixture(scope="module")
def server(warehouse: Path) -> Iterator[str]:
    """`duban serve` on a free port, stopped (its process group) at the end."""
    port = _free_port()
    log = (warehouse.parent / "serve.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("duban")), "serve", "--port", str(port),
         "--warehouse", str(warehouse)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError((warehouse.parent / "serve.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _expected_repeat_rate(warehouse: Path) -> str:
    """The repeat-complaint rate the overview must show, computed from the warehouse directly."""
    from warehouse.connection import connect_readonly
    from warehouse.metrics import Period, compute, end_of_day

    con = connect_readonly(warehouse)
    try:
        period = Period(
            date.fromisoformat(PERIOD["from"]),
            date.fromisoformat(PERIOD["to"]),
            end_of_day(date.today()),
        )
        value = compute(con, period, ["repeat_complaint_rate"])["repeat_complaint_rate"]
    finally:
        con.close()
    return format_value(value.value, value.unit)


def test_every_page_renders_in_chromium(chromium: str, server: str, warehouse: Path) -> None:
    executable = chromium
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    query = f"?lang=zh&from={PERIOD['from']}&to={PERIOD['to']}"
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        for index, spec in enumerate(PAGES):
            path = "" if index == 0 else spec.url_path  # the default page lives at /
            page.set_viewport_size({"width": 1440, "height": 1000})
            page.goto(f"{server}/{path}{query}", wait_until="domcontentloaded")
            page.get_by_role("heading", level=2).first.wait_for(timeout=60_000)
            _wait_until_idle(page)
            _screenshot(page, ARTIFACTS / f"{spec.url_path}.png")
            if page.locator('[data-testid="stException"]').count():
                error = page.locator('[data-testid="stException"]').first.inner_text()
                problems.append(f"{spec.url_path}: {error}")
            if page.get_by_text(translate("error.page", "zh")).count():
                problems.append(f"{spec.url_path}: the page reported an error")
            if translate(spec.title_key, "zh") not in page.locator("section").first.inner_text():
                problems.append(f"{spec.url_path}: no navigation entry {spec.title_key}")
            if spec.url_path == "overview":
                shown = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
                expected = _expected_repeat_rate(warehouse)
                if expected not in shown:
                    problems.append(f"overview: repeat rate {expected} not among {shown}")
            if "from=" not in page.url:
                problems.append(f"{spec.url_path}: the filters left the URL: {page.url}")
        _check_a_reload_keeps_the_filters(page, server, problems)
        browser.close()
    assert not problems, "\n".join(problems)


def _check_a_reload_keeps_the_filters(page: Any, server: str, problems: list[str]) -> None:
    """A link with filters reproduces the view, and so does reloading it."""
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(f"{server}/repeats?lang=en&from={PERIOD['from']}&to={PERIOD['to']}&community=C0001")
    page.get_by_role("heading", level=2).first.wait_for(timeout=60_000)
    _wait_until_idle(page)
    page.reload()
    page.get_by_role("heading", level=2).first.wait_for(timeout=60_000)
    _wait_until_idle(page)
    if "community=C0001" not in page.url or "lang=en" not in page.url:
        problems.append(f"reload lost the filters: {page.url}")
    if not page.get_by_text(translate("repeats.header", "en")).count():
        problems.append("reload lost the language")
    _screenshot(page, ARTIFACTS / "repeats-en-community.png")


def _screenshot(page: Any, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main area, so grow the viewport to fit it."""
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=stMain], section')]"
        ".map(e => e.scrollHeight), document.body.scrollHeight)"
    )
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 40, 16000)})
    time.sleep(0.5)  # charts re-layout to the new size
    page.screenshot(path=str(path), full_page=True)


def _wait_until_idle(page: Any, timeout: float = 60.0) -> None:
    """Until Streamlit's "running" indicator has gone and stayed gone for a moment."""
    deadline = time.monotonic() + timeout
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count()
        now = time.monotonic()
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since > 1.0:
            return
        time.sleep(0.2)
