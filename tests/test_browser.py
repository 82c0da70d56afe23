"""The dashboard in a real browser: `duban serve` on a generated warehouse, Chromium on each page.

Drives Debian's Chromium (/usr/bin/chromium, or $DUBAN_CHROMIUM) through Playwright; no browser is
ever downloaded. Without Chromium the test is skipped, except under CI (CI=true), where it fails.
The server runs with its own users file (a leader and a joint-meeting account) and audit file;
the test signs in through the password form as each. A screenshot of each page is saved under
tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import re
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
from dashboard.registry import pages_for
from warehouse.access import Viewer

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

HEADERS = {
    "overview": "overview.header", "hotspots": "hotspots.header", "repeats": "repeats.header",
    "inspections": "inspections.header", "closed-loop": "loop.header",
    "departments": "departments.header", "indicators": "indicators.header",
    "data-quality": "quality.header",
}  # fmt: skip
ACCOUNTS = {"b-leader": "leader", "b-meeting": "meeting"}
PASSWORD = "browser-test-password"  # a throwaway account in a temporary users file

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
def accounts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the users file (ACCOUNTS, password PASSWORD) and room for the audit file."""
    from warehouse.users import add_user

    folder = tmp_path_factory.mktemp("accounts")
    for name, role in ACCOUNTS.items():
        add_user(folder / "users.json", name, role, password=PASSWORD)
    return folder


@pytest.fixture(scope="module")
def server(warehouse: Path, accounts: Path) -> Iterator[str]:
    """`duban serve` on a free port, stopped (its process group) at the end."""
    port = _free_port()
    log = (accounts / "serve.log").open("w")
    environment = {
        **os.environ,
        "DUBAN_USERS": str(accounts / "users.json"),
        "DUBAN_AUDIT": str(accounts / "audit.sqlite"),
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("duban")), "serve", "--port", str(port),
         "--warehouse", str(warehouse)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=environment,
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
                raise AssertionError((accounts / "serve.log").read_text())
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


def _busiest_community(warehouse: Path) -> str:
    """The community with the most complaints in the period (its hotspot records are shown)."""
    from warehouse.connection import connect_readonly, fetch_one

    con = connect_readonly(warehouse)
    try:
        row = fetch_one(
            con,
            "select community_id from complaint_tickets where received_on between $f and $t"
            " and community_id is not null group by 1 order by count(*) desc, 1 limit 1",
            {"f": date.fromisoformat(PERIOD["from"]), "t": date.fromisoformat(PERIOD["to"])},
        )
    finally:
        con.close()
    assert row is not None, "no complaints in the browser test's period"
    return str(row[0])


def _open(page: Any, url: str, user: str, language: str = "zh") -> None:
    """Open a URL (a new Streamlit session) in a browser without cookies, so signed out, and sign
    in through the password form."""
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(url, wait_until="domcontentloaded")
    name = page.get_by_label(translate("auth.user", language), exact=True)
    name.wait_for(timeout=60_000)
    name.fill(user)
    page.get_by_label(translate("auth.password", language), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=translate("auth.submit", language)).click()
    name.wait_for(state="detached", timeout=60_000)
    page.get_by_role("heading", level=2).first.wait_for(timeout=60_000)
    _wait_until_idle(page)


def _problems(page: Any, where: str) -> list[str]:
    problems = []
    if page.locator('[data-testid="stException"]').count():
        error = page.locator('[data-testid="stException"]').first.inner_text()
        problems.append(f"{where}: {error}")
    if page.get_by_text(translate("error.page", "zh")).count():
        problems.append(f"{where}: the page reported an error")
    return problems


def test_every_page_renders_in_chromium(chromium: str, server: str, warehouse: Path) -> None:
    executable = chromium
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    query = f"?lang=zh&from={PERIOD['from']}&to={PERIOD['to']}"
    problems: list[str] = []
    leader_pages = pages_for(Viewer("b-leader", "leader"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        # before signing in: the form only, no figures
        page.goto(f"{server}/{query}", wait_until="domcontentloaded")
        page.get_by_label(translate("auth.user", "zh")).wait_for(timeout=60_000)
        if page.locator('[data-testid="stMetricValue"]').count():
            problems.append("figures shown before signing in")
        for index, spec in enumerate(leader_pages):
            path = "" if index == 0 else spec.url_path  # the default page lives at /
            _open(page, f"{server}/{path}{query}", "b-leader")
            _screenshot(page, ARTIFACTS / f"{spec.url_path}.png")
            problems += _problems(page, spec.url_path)
            navigation = page.locator("section").first.inner_text()
            if translate(spec.title_key, "zh") not in navigation:
                problems.append(f"{spec.url_path}: no navigation entry {spec.title_key}")
            if translate("nav.audit", "zh") in navigation:
                problems.append("the leader's navigation offers the audit page")
            if translate(HEADERS[spec.url_path], "zh") not in page.locator("h2").all_inner_texts():
                problems.append(f"{spec.url_path}: another page opened after signing in")
            if spec.url_path == "hotspots":  # the records: the drill-down's last step
                community = f"{query}&community={_busiest_community(warehouse)}"
                _open(page, f"{server}/hotspots{community}", "b-leader")
                problems += _problems(page, "hotspots, one community")
                _check_the_tickets_download(page, problems)
            if spec.url_path == "overview":
                shown = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
                expected = _expected_repeat_rate(warehouse)
                if expected not in shown:
                    problems.append(f"overview: repeat rate {expected} not among {shown}")
            if "from=" not in page.url:
                problems.append(f"{spec.url_path}: the filters left the URL: {page.url}")
        _check_a_reload_keeps_the_filters(page, server, problems)
        community = f"{query}&community={_busiest_community(warehouse)}"
        _check_the_meeting_sees_aggregates_only(page, server, community, problems)
        browser.close()
    assert not problems, "\n".join(problems)


def _check_the_tickets_download(page: Any, problems: list[str]) -> None:
    """The leader's hotspot tickets: shown, and downloaded (built on click) masked."""
    if page.get_by_text(translate("access.aggregates_only", "zh")).count():
        problems.append("the leader was refused the hotspots' records")
        return
    buttons = page.get_by_role("button", name=translate("table.csv", "zh"))
    if not buttons.count():
        problems.append("hotspots: no CSV download")
        return
    header = translate("col.complaint_id", "zh")
    text = ""
    for index in range(buttons.count() - 1, max(buttons.count() - 3, 0) - 1, -1):
        with page.expect_download(timeout=60_000) as started:
            buttons.nth(index).click()  # the drill-down's tickets, then its inspections
        text = Path(started.value.path()).read_text(encoding="utf-8-sig")
        if header in text.splitlines()[0]:
            break
    else:
        problems.append(f"hotspots: none of the last CSVs is the tickets: {text.splitlines()[:1]}")
    if re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text):
        problems.append("hotspots: an unmasked mobile number in the tickets' CSV")
    if "****" not in text:
        problems.append("hotspots: no masked phone in the tickets' CSV")


def _check_the_meeting_sees_aggregates_only(
    page: Any, server: str, query: str, problems: list[str]
) -> None:
    """The joint meeting's account: the aggregate pages, record tables replaced by a notice."""
    _open(page, f"{server}/hotspots{query}", "b-meeting")
    _screenshot(page, ARTIFACTS / "meeting-hotspots.png")
    problems += _problems(page, "meeting hotspots")
    if not page.get_by_text(translate("access.aggregates_only", "zh")).count():
        problems.append("meeting: no aggregates-only notice on the hotspots page")
    if not page.get_by_text(translate("auth.signed_in_as", "zh", user="b-meeting",
                                      role=translate("role.meeting", "zh"))).count():  # fmt: skip
        problems.append("meeting: not shown as signed in")
    navigation = page.locator("section").first.inner_text()
    if translate("nav.audit", "zh") in navigation:
        problems.append("meeting: the navigation offers the audit page")
    if translate("nav.overview", "zh") not in navigation:
        problems.append("meeting: the navigation lacks the overview")


def _session_cookie(page: Any, timeout: float = 30.0) -> dict[str, Any] | None:
    """The sign-in's cookie once the page has fetched it, or None."""
    from dashboard.session_cookie import COOKIE

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in page.context.cookies() if c["name"] == COOKIE]
        if found:
            return dict(found[0])
        time.sleep(0.2)
    return None


def _signed_in(page: Any, user: str, language: str) -> bool:
    caption = translate("auth.signed_in_as", language, user=user,
                        role=translate("role.leader", language))  # fmt: skip
    try:
        page.get_by_text(caption).wait_for(timeout=60_000)
    except Exception:  # playwright's TimeoutError
        return False
    return not page.get_by_label(translate("auth.user", language), exact=True).count()


def _check_a_reload_keeps_the_filters(page: Any, server: str, problems: list[str]) -> None:
    """A link with filters reproduces the view, and so does reloading it: still signed in (the
    HttpOnly cookie), until the viewer signs out; the signed-out cookie, replayed, is refused."""
    url = f"{server}/repeats?lang=en&from={PERIOD['from']}&to={PERIOD['to']}&community=C0001"
    _open(page, url, "b-leader", "en")
    cookie = _session_cookie(page)
    if cookie is None:
        problems.append("password sign-in: no session cookie")
        return
    if not cookie["httpOnly"] or cookie["sameSite"] != "Strict":
        problems.append(f"the session cookie is readable by scripts or sent cross-site: {cookie}")
    if cookie["value"] in page.url:
        problems.append("the session token is in the URL")
    page.reload()  # a new Streamlit session: the cookie resumes the sign-in, the URL the view
    if not _signed_in(page, "b-leader", "en"):
        problems.append("reload signed the password user out")
    page.get_by_role("heading", level=2).first.wait_for(timeout=60_000)
    _wait_until_idle(page)
    if "community=C0001" not in page.url or "lang=en" not in page.url:
        problems.append(f"reload lost the filters: {page.url}")
    if not page.get_by_text(translate("repeats.header", "en")).count():
        problems.append("reload lost the language")
    _screenshot(page, ARTIFACTS / "repeats-en-community.png")
    page.get_by_role("button", name=translate("auth.sign_out", "en")).click()
    user_field = page.get_by_label(translate("auth.user", "en"), exact=True)
    user_field.wait_for(timeout=60_000)
    page.reload()  # signed out stays signed out
    user_field.wait_for(timeout=60_000)
    page.context.add_cookies([cookie])  # the signed-out session's cookie, replayed
    page.reload()
    user_field.wait_for(timeout=60_000)
    _wait_until_idle(page)
    if page.locator('[data-testid="stMetricValue"]').count() or not user_field.count():
        problems.append("a signed-out session's cookie signed the viewer in again")


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
