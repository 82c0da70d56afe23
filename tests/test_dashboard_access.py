"""The dashboard's roles under AppTest on tests.factories.access_warehouse: each role sees exactly
its pages, rows and columns; personal information never appears unmasked on a page, in a download
or in the logs for a role without the right; sign-in, expiry and hostile URL parameters."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, records, session_cookie
from dashboard.components import _export_csv, _export_xlsx
from dashboard.i18n import translate
from dashboard.registry import PAGES
from tests.factories import (
    CALLERS,
    CASE_ADDRESSES,
    DASHBOARD_USERS,
    ID_NUMBER,
    access_warehouse,
    dashboard_users,
    sign_in,
)
from warehouse import access
from warehouse.access import RecordFilters, RecordsDenied, Viewer
from warehouse.audit import AuditStore
from warehouse.connection import connect_readonly
from warehouse.session_store import session_secret
from warehouse.sessions import Session, new_session, read_token, sign_token
from warehouse.users import add_user

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")
HEADERS = {
    "overview.py": "overview.header",
    "hotspots.py": "hotspots.header",
    "repeats.py": "repeats.header",
    "inspections.py": "inspections.header",
    "closed_loop.py": "loop.header",
    "departments.py": "departments.header",
    "indicators.py": "indicators.header",
    "data_quality.py": "quality.header",
    "audit.py": "audit.header",
}
AGGREGATE_PAGES = {page.file for page in PAGES} - {"audit.py"}
EXPECTED_PAGES = {
    "t-leader": AGGREGATE_PAGES,
    "t-analyst": AGGREGATE_PAGES,
    "t-chengguan": AGGREGATE_PAGES,
    "t-minzheng": AGGREGATE_PAGES,
    "t-meeting": AGGREGATE_PAGES,
    "t-admin": {"audit.py"},
}
RECORD_PAGES = ["hotspots.py", "repeats.py", "closed_loop.py", "departments.py", "data_quality.py"]
# what may never appear unmasked: names, full phone numbers, flat addresses, the ID number
PLANTED = sorted(
    {name for name, _, _, _ in CALLERS.values()}
    | {phone for _, phone, _, _ in CALLERS.values()}
    | {phone.replace("-", "") for _, phone, _, _ in CALLERS.values()}
    | {address for _, _, address, _ in CALLERS.values()}
    | {a for a in CASE_ADDRESSES.values() if "室" in a}
    | {ID_NUMBER}
)
HOSTILE = {
    "from": "2025-04-01'; drop table complaint_tickets; --",
    "to": "<script>alert(1)</script>",
    "community": "C01' or 1=1 --",
    "department": "城管' or '1'='1",
    "ptype": "<img src=x onerror=alert(1)>",
    "lang": "<script>alert(1)</script>",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return access_warehouse(tmp_path_factory.mktemp("access") / "w.duckdb")


@pytest.fixture(scope="module")
def users(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dashboard_users(tmp_path_factory.mktemp("users") / "users.json")


@pytest.fixture
def audit_file(tmp_path: Path) -> Path:
    return tmp_path / "audit.sqlite"


@pytest.fixture
def env(warehouse: Path, users: Path, audit_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("DUBAN_USERS", str(users))
    monkeypatch.setenv("DUBAN_AUDIT", str(audit_file))


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def open_as(user: str, file: str | None = None, **params: str) -> AppTest:
    at = sign_in(app(), user)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    if file is not None:
        at.switch_page(f"app_pages/{file}").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frames(at: AppTest) -> list[pd.DataFrame]:
    return [element.value for element in at.dataframe]


def column(at: AppTest, label: str) -> list[str]:
    found = [f for f in frames(at) if label in f.columns]
    return sorted(str(v) for f in found for v in f[label].tolist())


def rendered(at: AppTest) -> str:
    """Every text a viewer can read on the page, tables included."""
    parts = [f.to_csv() for f in frames(at)]
    for kind in ("markdown", "caption", "info", "warning", "error", "header", "subheader", "text"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for box in (*at.selectbox, *at.multiselect):
        parts += [str(o) for o in box.options]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def audit_text(path: Path) -> str:
    if not path.exists():
        return ""
    with sqlite3.connect(path) as con:
        return "\n".join(repr(row) for row in con.execute("select * from audit_log"))


def zh(key: str, **values: object) -> str:
    return translate(key, "zh", **values)


@pytest.mark.parametrize("user", sorted(DASHBOARD_USERS))
def test_each_role_opens_exactly_its_pages(env: None, user: str) -> None:
    for page in PAGES:
        if page.file not in EXPECTED_PAGES[user]:  # not in the role's navigation at all
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                open_as(user, page.file)
            continue
        at = open_as(user, page.file)
        assert zh(HEADERS[page.file]) in [h.value for h in at.header], (user, page.file)
        assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize(
    ("user", "tickets"),
    [
        ("t-leader", ["T1", "T2", "T3", "T4"]),
        ("t-analyst", ["T1", "T2", "T3", "T4"]),
        ("t-chengguan", ["T1", "T3"]),
        ("t-minzheng", ["T2"]),
        ("t-meeting", []),
    ],
)
def test_record_rows_follow_the_role(env: None, user: str, tickets: list[str]) -> None:
    at = open_as(user, "hotspots.py", community="C01")
    assert column(at, "工单编号") == tickets
    if user == "t-meeting":
        assert zh("access.aggregates_only") in rendered(at)
        assert "重复投诉" in rendered(at) or at.metric or frames(at)  # aggregates still shown
    else:
        names = column(at, "来电人")
        assert names and all(name.endswith("*") for name in names)  # masked: 张*
        phones = column(at, "来电号码")
        assert all("****" in phone for phone in phones)


def test_a_rerun_serves_cached_records_masked_scoped_and_audited_again(
    env: None, audit_file: Path
) -> None:
    for user, tickets in (("t-leader", ["T1", "T2", "T3", "T4"]), ("t-minzheng", ["T2"])):
        at = open_as(user, "hotspots.py", community="C01")
        views = AuditStore(audit_file).read(user=user, action="view").height
        at.run()  # the same view again: the records come from the cache
        assert column(at, "工单编号") == tickets
        names = column(at, "来电人")
        assert names and all(name.endswith("*") for name in names)
        for value in PLANTED:
            assert value not in rendered(at), value
        again = AuditStore(audit_file).read(user=user, action="view")
        assert views >= 1 and again.height == 2 * views  # audited per view, not per cache miss
        assert again.get_column("page").to_list()[0] == "hotspots"


def test_a_department_user_has_its_department_locked(env: None) -> None:
    at = open_as("t-chengguan", "departments.py")
    department = at.selectbox(key="filter_department")
    assert department.options == ["城管"] and department.value == "城管" and department.disabled
    assert at.selectbox(key="departments_own").options == ["城管"]
    assert set(column(at, "整改编号")) == {"R1"}  # own cases (and own overdue on the agenda)
    at = open_as("t-chengguan", "departments.py", department="民政")  # a URL cannot widen it
    assert at.selectbox(key="filter_department").value == "城管"
    assert set(column(at, "整改编号")) == {"R1"}  # own cases (and own overdue on the agenda)


@pytest.mark.parametrize("user", sorted(set(DASHBOARD_USERS) - {"t-admin"}))
@pytest.mark.parametrize("file", RECORD_PAGES)
def test_personal_information_never_appears_unmasked(
    env: None, audit_file: Path, caplog: pytest.LogCaptureFixture, user: str, file: str
) -> None:
    caplog.set_level(logging.DEBUG)
    at = open_as(user, file)
    text = rendered(at)
    logs = audit_text(audit_file) + caplog.text
    for value in PLANTED:
        assert value not in text, (user, file, value)
        assert value not in logs, (user, file, value)


@pytest.mark.parametrize("user", sorted(set(DASHBOARD_USERS) - {"t-admin"}))
def test_downloads_are_masked_scoped_and_audited(
    env: None, warehouse: Path, audit_file: Path, user: str
) -> None:
    role, departments = DASHBOARD_USERS[user]
    viewer = Viewer(user, role, departments, may_reveal=role == "analyst")
    store = AuditStore(audit_file)
    connection = connect_readonly(warehouse)
    view = records.RecordView("tickets", "t", "hotspots", "complaint_tickets", RecordFilters())
    try:
        if role == "meeting":
            with pytest.raises(RecordsDenied):
                records.export(connection, viewer, view, store, None)
            return
        labels = {"complaint_id": "工单编号"}
        export = lambda: records.export(connection, viewer, view, store, None)  # noqa: E731
        data = _export_csv(export, labels)
        xlsx = _export_xlsx(export, labels)
    finally:
        connection.close()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    for value in PLANTED:
        assert value not in text, value
        assert value.encode() not in xlsx
    shown = {line.split(",")[0] for line in text.splitlines()[1:]}
    expected = {"t-chengguan": {"T1", "T3"}, "t-minzheng": {"T2"}}
    assert shown == expected.get(user, {"T1", "T2", "T3", "T4"})
    exports = store.read(action="export")
    assert exports.height == 2 and set(exports["user_name"]) == {user}


def test_an_analyst_reveals_one_record_with_a_reason(env: None, audit_file: Path) -> None:
    at = open_as("t-analyst", "hotspots.py", community="C01")
    at.multiselect(key="reveal_ids_hotspot_tickets").set_value(["T1"])
    submit = next(b for b in at.button if b.label == zh("reveal.submit"))
    submit.click().run()  # no reason: refused
    assert zh("access.reason_required") in rendered(at)
    assert "张三" not in rendered(at)
    at.multiselect(key="reveal_ids_hotspot_tickets").set_value(["T1"])
    at.text_input(key="reveal_reason_hotspot_tickets").set_value("回访核实")
    next(b for b in at.button if b.label == zh("reveal.submit")).click().run()
    assert not at.exception
    text = rendered(at)
    assert "张三" in text and "13812345678" in text  # T1 revealed
    assert "李四" not in text and "13987654321" not in text  # every other row stays masked
    with sqlite3.connect(audit_file) as con:
        rows = con.execute(
            "select record_ids, reason from audit_log where action = 'reveal'"
        ).fetchall()
    assert ('["T1"]', "回访核实") in rows


@pytest.mark.parametrize("user", ["t-leader", "t-chengguan", "t-meeting"])
def test_only_analysts_get_the_reveal_control(env: None, user: str) -> None:
    at = open_as(user, "hotspots.py", community="C01")
    assert not [b for b in at.button if b.label == zh("reveal.submit")]


def test_the_admin_reads_the_audit_log_and_the_users_without_hashes(env: None) -> None:
    open_as("t-leader", "hotspots.py", community="C01")  # something to audit
    at = open_as("t-admin")
    assert zh("audit.header") in [h.value for h in at.header]
    log, accounts = frames(at)
    assert {"view", "audit_read"} <= set(log["action"])
    assert "password_hash" not in accounts.columns
    assert set(accounts["name"]) == set(DASHBOARD_USERS)
    assert "argon2" not in rendered(at)


def test_data_quality_masks_the_quarantine_reasons_except_for_analysts(env: None) -> None:
    leader = rendered(open_as("t-leader", "data_quality.py"))
    analyst = rendered(open_as("t-analyst", "data_quality.py"))
    assert zh("quality.reasons_masked") in leader
    assert zh("quality.reasons_masked") not in analyst
    assert "raw_row" not in leader and "raw_row" not in analyst


def test_the_sign_in_form_rejects_a_bad_password(
    env: None, tmp_path: Path, audit_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "users.json"
    add_user(path, "lin", "leader", password="correct horse battery")
    monkeypatch.setenv("DUBAN_USERS", str(path))
    at = app().run()
    assert not at.exception
    assert zh("auth.header") in [h.value for h in at.header]
    assert not at.dataframe and not at.metric  # nothing but the sign-in
    at.text_input(key="sign_in_user").set_value("lin")
    at.text_input(key="sign_in_password").set_value("wrong password!")
    at.button[-1].click().run()
    assert zh("auth.failed") in [e.value for e in at.error]
    assert not at.metric
    at.text_input(key="sign_in_user").set_value("lin")
    at.text_input(key="sign_in_password").set_value("correct horse battery")
    at.button[-1].click().run()
    assert not at.exception
    assert zh("overview.header") in [h.value for h in at.header]
    actions = AuditStore(audit_file).read()["action"].to_list()
    assert "login_failed" in actions and "login" in actions
    assert "correct horse battery" not in audit_text(audit_file)


def test_signing_out_ends_the_session(env: None, audit_file: Path) -> None:
    at = open_as("t-leader")
    at.button(key="sign_out").click().run()
    assert zh("auth.header") in [h.value for h in at.header]
    assert "auth_session" not in at.session_state
    assert "logout" in AuditStore(audit_file).read()["action"].to_list()


def _html(at: AppTest) -> str:
    return "\n".join(str(element.proto.body) for element in at.get("html"))


def test_a_password_sign_in_hands_the_browser_its_cookie_once(
    env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "users.json"
    add_user(path, "lin", "leader", password="correct horse battery")
    monkeypatch.setenv("DUBAN_USERS", str(path))
    at = app().run()
    assert session_cookie.ISSUE_PATH not in _html(at)
    at.text_input(key="sign_in_user").set_value("lin")
    at.text_input(key="sign_in_password").set_value("correct horse battery")
    at.button[-1].click().run()
    assert not at.exception
    script = _html(at)
    assert session_cookie.ISSUE_PATH in script
    nonce = script.split('body: "')[1].split('"')[0]
    found = session_cookie.take(nonce)  # what the route hands the browser
    assert found is not None
    session = read_token(found[0], session_secret(), datetime.now(UTC))
    assert session is not None and session.user == "lin"
    assert session.token == at.session_state["auth_session"].token
    at.run()
    assert session_cookie.ISSUE_PATH not in _html(at)  # handed over once


def test_a_reload_with_a_valid_cookie_resumes_until_signed_out(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session("t-leader", datetime.now(UTC))
    cookies = {session_cookie.COOKIE: sign_token(session, session_secret())}
    monkeypatch.setattr(auth, "_cookies", lambda: cookies)
    at = app().run()  # a new Streamlit session: nothing in its state but the browser's cookie
    assert not at.exception
    assert zh("overview.header") in [h.value for h in at.header]
    assert at.session_state["auth_session"].token == session.token
    at.button(key="sign_out").click().run()
    assert zh("auth.header") in [h.value for h in at.header]
    assert session_cookie.CLEAR_PATH in _html(at)  # the browser is told to drop the cookie
    again = app().run()  # a reload still sending the old cookie: revoked
    assert zh("auth.header") in [h.value for h in again.header]
    assert not again.metric


def test_a_tampered_or_expired_cookie_resumes_nothing(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    token = sign_token(new_session("t-meeting", now), session_secret())
    payload = sign_token(new_session("t-admin", now), session_secret()).split(".")[0]
    expired = sign_token(new_session("t-leader", now - timedelta(hours=9)), session_secret())
    for cookie in [f"{payload}.{token.split('.')[1]}", expired]:
        monkeypatch.setattr(auth, "_cookies", lambda c=cookie: {session_cookie.COOKIE: c})
        at = app().run()
        assert zh("auth.header") in [h.value for h in at.header]
        assert not at.metric and "auth_session" not in at.session_state


def test_an_expired_session_is_signed_out(env: None) -> None:
    now = datetime.now(UTC)
    at = app()
    at.session_state["auth_session"] = Session(
        "x" * 43, "t-leader", now - timedelta(hours=9), now - timedelta(hours=1)
    )
    at.run()
    assert not at.exception
    assert zh("auth.expired") in [i.value for i in at.info]
    assert zh("auth.header") in [h.value for h in at.header]
    assert not at.metric and not at.dataframe


def test_a_removed_user_loses_access_on_the_next_run(env: None) -> None:
    at = sign_in(app(), "nobody-here").run()
    assert zh("auth.header") in [h.value for h in at.header]
    assert not at.metric and not at.dataframe


@pytest.mark.parametrize("user", ["t-leader", "t-chengguan", "t-meeting"])
@pytest.mark.parametrize("file", ["hotspots.py", "repeats.py", "departments.py", "closed_loop.py"])
def test_hostile_url_parameters_change_nothing(env: None, user: str, file: str) -> None:
    plain = open_as(user, file)
    hostile = open_as(user, file, **HOSTILE)
    assert not hostile.error, [e.value for e in hostile.error]
    assert column(hostile, "工单编号") == column(plain, "工单编号")
    assert column(hostile, "整改编号") == column(plain, "整改编号")
    assert "<script>" not in rendered(hostile)


def test_records_go_through_the_access_layer_not_streamlit_caches() -> None:
    # the access layer keeps masked frames itself and audits every view: no Streamlit cache here
    source = Path(records.__file__).read_text(encoding="utf-8")
    assert "cache_data" not in source
    assert access.tickets is records.FETCH["tickets"]


def test_quarantine_reasons_are_masked_and_raw_rows_never_selected(
    con: duckdb.DuckDBPyConnection,
) -> None:
    from dashboard.queries_quality import MASKED_REASONS_SQL, RAW_REASONS_SQL
    from warehouse.connection import fetch_frame

    con.execute(
        "insert into raw.quarantine values (1, 'hotline', 'complaints', 'f.csv', 2,"
        " 'pattern:caller_phone', 'caller_phone', '13812345678',"
        " 'pattern:caller_phone (caller_phone=13812345678, address=文堤公寓3幢2单元1203室)',"
        ' \'{"caller_name": "张三"}\')'
    )
    params: dict[str, object] = {"department": None}
    masked = fetch_frame(con, MASKED_REASONS_SQL, params)["example_reason"].to_list()
    expected = "pattern:caller_phone (caller_phone=138****5678, address=文堤公寓3幢*单元*室)"
    assert masked == [expected]
    raw = fetch_frame(con, RAW_REASONS_SQL, params)["example_reason"].to_list()
    assert "13812345678" in raw[0]  # analysts only
    assert "raw_row" not in MASKED_REASONS_SQL and "raw_row" not in RAW_REASONS_SQL
