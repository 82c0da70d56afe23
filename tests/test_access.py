"""Access: each role sees exactly its rows and columns, personal data masked, default deny."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import polars as pl
import pytest

from tests.factories import CALLERS, CASE_ADDRESSES, ID_NUMBER
from warehouse import access
from warehouse.access import (
    CASES,
    TICKETS,
    VISITS,
    AccessDenied,
    AccessError,
    InvalidRequest,
    RecordFilters,
    RecordsDenied,
    Reveal,
    Viewer,
    aggregate_allowed,
    cases,
    csv_bytes,
    tickets,
    visits,
)
from warehouse.audit import AuditStore

RecordFunction = Callable[..., pl.DataFrame]
FUNCTIONS: dict[str, RecordFunction] = {"tickets": tickets, "visits": visits, "cases": cases}
COLUMNS = {
    name: [column.split(".")[-1] for column, _ in dataset.columns]
    for name, dataset in (("tickets", TICKETS), ("visits", VISITS), ("cases", CASES))
}

LEADER = Viewer("lead", "leader")
ANALYST = Viewer("ana", "analyst", may_reveal=True)
CHENGGUAN = Viewer("cg", "department", ("城管",))
MINZHENG = Viewer("mz", "department", ("民政",))
BOTH = Viewer("both", "department", ("城管", "民政"))
MEETING = Viewer("meet", "meeting")
ADMIN = Viewer("root", "admin")

ALL = {
    "tickets": ["T1", "T2", "T3", "T4"],
    "visits": ["城管:CG1", "城管:CG2", "民政:M1"],
    "cases": ["R1#1", "R2#1", "R3#1"],
}
EXPECTED: dict[str, dict[str, list[str]]] = {
    "lead": ALL,
    "ana": ALL,
    "cg": {"tickets": ["T1", "T3"], "visits": ["城管:CG1", "城管:CG2"], "cases": ["R1#1"]},
    "mz": {"tickets": ["T2"], "visits": ["城管:CG1", "民政:M1"], "cases": ["R2#1"]},
    "both": {
        "tickets": ["T1", "T2", "T3"],
        "visits": ["城管:CG1", "城管:CG2", "民政:M1"],
        "cases": ["R1#1", "R2#1"],
    },
}
RECORD_VIEWERS = [LEADER, ANALYST, CHENGGUAN, MINZHENG, BOTH]
DENIED_VIEWERS = [
    Viewer("", "leader"),  # no name
    Viewer("ghost", None),  # no role
    Viewer("odd", "superuser"),  # unknown role
    Viewer("nodept", "department"),  # department user without a department
    access.NOBODY,
    ADMIN,
]
SECRETS = [
    *(value for name, phone, address, _ in CALLERS.values() for value in (name, phone, address)),
    *(address for address in CASE_ADDRESSES.values() if "室" in address),  # flats, not buildings
    ID_NUMBER,
    "13812345678",
    "87654321",
    "1203室",
]
INJECTIONS = [
    "' or '1'='1",
    "x'; drop table complaint_tickets; --",
    "城管' or 1=1 --",
    '<script>alert("x")</script>',
    "$department",
    "%",
    "\x00",
    "1); copy complaint_tickets to '/tmp/leak.csv'; --",
]


def ids(frame: pl.DataFrame) -> list[str]:
    return sorted(str(value) for value in frame.get_column(frame.columns[0]).to_list())


def csv_text(frame: pl.DataFrame) -> str:
    return csv_bytes(frame).decode("utf-8-sig")


@pytest.mark.parametrize("viewer", RECORD_VIEWERS, ids=lambda v: v.name)
@pytest.mark.parametrize("dataset", list(FUNCTIONS))
def test_each_role_sees_exactly_its_rows_and_columns(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore, viewer: Viewer, dataset: str
) -> None:
    result = FUNCTIONS[dataset](reader, viewer, RecordFilters(), audit=audit, page="test")
    assert ids(result) == EXPECTED[viewer.name][dataset]
    assert result.columns == COLUMNS[dataset]


@pytest.mark.parametrize("viewer", RECORD_VIEWERS, ids=lambda v: v.name)
@pytest.mark.parametrize("dataset", list(FUNCTIONS))
def test_personal_information_never_appears_unmasked(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore, viewer: Viewer, dataset: str
) -> None:
    result = FUNCTIONS[dataset](reader, viewer, {}, audit=audit, page="test", action="export")
    text = csv_text(result) + repr(result.rows())
    leaked = [secret for secret in SECRETS if secret in text]
    assert leaked == []


def test_masks_keep_what_the_work_needs(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore
) -> None:
    result = tickets(reader, LEADER, RecordFilters(record_ids=("T1", "T3")), audit=audit, page="t")
    rows = {row["complaint_id"]: row for row in result.iter_rows(named=True)}
    assert rows["T1"]["caller_name"] == "张*"
    assert rows["T1"]["caller_phone"] == "138****5678"
    assert rows["T1"]["address"] == "文堤公寓3幢"
    assert rows["T1"]["description"] == (
        "文堤公寓3幢*单元*室垃圾未清，张*请回电138****5678，身份证**************1234"
    )
    assert rows["T3"]["caller_phone"] == "057****4321"
    assert rows["T3"]["address"] == "和平路8号"
    case = cases(reader, LEADER, RecordFilters(record_ids=("R1#1",)), audit=audit, page="t")
    assert case.row(0, named=True)["address"] == "文堤公寓3幢"
    assert case.row(0, named=True)["remark"] == "联系人电话138****5678"


@pytest.mark.parametrize("dataset", list(FUNCTIONS))
def test_the_meeting_gets_a_clear_refusal_for_records(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore, dataset: str
) -> None:
    with pytest.raises(RecordsDenied) as refusal:
        FUNCTIONS[dataset](reader, MEETING, {}, audit=audit, page="test")
    assert refusal.value.code == "aggregates_only"
    assert aggregate_allowed(MEETING)
    logged = audit.read()
    assert logged.select("action", "reason").row(0) == ("denied", "aggregates_only")


@pytest.mark.parametrize("viewer", DENIED_VIEWERS, ids=lambda v: v.name or "nobody")
@pytest.mark.parametrize("dataset", list(FUNCTIONS))
def test_default_deny(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore, viewer: Viewer, dataset: str
) -> None:
    with pytest.raises(AccessDenied):
        FUNCTIONS[dataset](reader, viewer, {}, audit=audit, page="test")
    assert not aggregate_allowed(viewer)
    assert not viewer.can_reveal


def test_aggregates_are_for_every_known_role_but_admin() -> None:
    allowed = {v.name for v in [*RECORD_VIEWERS, MEETING, *DENIED_VIEWERS] if aggregate_allowed(v)}
    assert allowed == {"lead", "ana", "cg", "mz", "both", "meet"}
    assert access.admin_allowed(ADMIN)
    assert not any(access.admin_allowed(v) for v in [LEADER, ANALYST, CHENGGUAN, MEETING])


def test_a_department_filter_cannot_widen_a_department_users_scope(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore
) -> None:
    for dataset, function in FUNCTIONS.items():
        other = function(reader, CHENGGUAN, {"department": "民政"}, audit=audit, page="t")
        if dataset == "visits":  # the joint visit involves both
            assert ids(other) == ["城管:CG1"]
        else:
            assert other.is_empty()


def test_filters_from_the_dashboards_parameters(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore
) -> None:
    params: dict[str, Any] = {
        "date_from": "2025-04-02",
        "date_to": "2025-04-03",
        "community": "C01",
        "department": None,
        "ptype": "垃圾清运不及时",
        "as_of": "ignored",
        "unknown": "ignored",
    }
    result = tickets(reader, LEADER, params, audit=audit, page="t")
    assert ids(result) == ["T2", "T3"]


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("field", ["community", "grid", "address_id", "department", "problem_type"])
@pytest.mark.parametrize("dataset", list(FUNCTIONS))
def test_injection_payloads_in_filters_change_nothing(
    reader: duckdb.DuckDBPyConnection,
    audit: AuditStore,
    payload: str,
    field: str,
    dataset: str,
) -> None:
    result = FUNCTIONS[dataset](reader, ANALYST, {field: payload}, audit=audit, page=payload)
    if field in {"grid", "address_id"} and dataset == "cases":
        assert ids(result) == ALL[dataset]  # those filters do not apply to cases
    else:
        assert result.is_empty()
    assert result.columns == COLUMNS[dataset]
    again = FUNCTIONS[dataset](reader, ANALYST, {}, audit=audit, page="t")
    assert ids(again) == ALL[dataset]  # nothing was dropped or changed


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_payloads_as_ids_dates_and_reasons_are_clean(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore, payload: str
) -> None:
    by_id = tickets(reader, LEADER, RecordFilters(record_ids=(payload,)), audit=audit, page="t")
    assert by_id.is_empty()
    with pytest.raises(InvalidRequest):
        tickets(reader, LEADER, {"date_from": payload}, audit=audit, page="t")
    revealed = tickets(
        reader, ANALYST, {}, audit=audit, page="t", reveal=Reveal(("T1", payload), payload + "!!")
    )
    assert ids(revealed) == ALL["tickets"]
    assert audit.read(action="reveal").get_column("reason").to_list() == [(payload + "!!").strip()]


@pytest.mark.parametrize(
    "bad",
    [
        {"community": 1},
        {"community": "x" * 201},
        {"date_to": "2025-13-01"},
        {"date_from": 20250101},
    ],
)
def test_malformed_filters_are_refused_cleanly(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore, bad: dict[str, object]
) -> None:
    with pytest.raises(InvalidRequest) as refusal:
        tickets(reader, LEADER, bad, audit=audit, page="t")
    assert refusal.value.code == "invalid_filter"
    with pytest.raises(InvalidRequest):
        RecordFilters(limit=0)
    with pytest.raises(InvalidRequest):
        RecordFilters(record_ids="T1")  # type: ignore[arg-type]


def test_every_refusal_is_an_access_error_with_a_code() -> None:
    for error in (AccessDenied, RecordsDenied, InvalidRequest):
        assert issubclass(error, AccessError)
    assert issubclass(AccessDenied, PermissionError)
    assert issubclass(InvalidRequest, ValueError)


def test_csv_downloads_neutralise_spreadsheet_formulas() -> None:
    frame = pl.DataFrame({"a": ["=HYPERLINK(1)", "+1", "-x", "@SUM", "ok", None], "n": range(6)})
    text = csv_text(frame)
    assert "'=HYPERLINK(1)" in text and "'+1" in text and "'-x" in text and "'@SUM" in text
    assert "\nok," in text
    listed = csv_text(pl.DataFrame({"d": [["城管", "民政"]]}))
    assert "城管、民政" in listed


def test_the_viewer_is_checked_before_anything_else(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore
) -> None:
    with pytest.raises(AccessDenied):
        tickets(reader, access.NOBODY, {"date_from": "not a date"}, audit=audit, page="t")
    with pytest.raises(RecordsDenied):
        tickets(reader, MEETING, {}, audit=audit, page="t", action="delete")


@pytest.mark.parametrize(
    ("text", "caller", "masked"),
    [
        ("联系人张三，电话13812345678", "张三", "联系人张*，电话138****5678"),
        ("张三说张三家漏水", " 张三 ", "张*说张*家漏水"),
        ("张先生反映漏水", "张", "张先生反映漏水"),  # a one-character name is left alone
        ("李四反映漏水", None, "李四反映漏水"),
        (None, "张三", None),
    ],
)
def test_the_callers_name_is_masked_in_the_ticket_text(
    text: str | None, caller: str | None, masked: str | None
) -> None:
    expression = access.masks.free_text_naming("t", "n")
    con = duckdb.connect()
    query = f"select {expression} from (select $t::varchar as t, $n::varchar as n)"
    assert con.execute(query, {"t": text, "n": caller}).fetchall() == [(masked,)]


@pytest.mark.parametrize(
    ("kind", "raw", "masked"),
    [
        ("phone", "13812345678", "138****5678"),
        ("phone", "0571-87654321", "057****4321"),
        ("phone", "123", "****"),
        ("name", "张三", "张*"),
        ("name", "欧阳娜娜", "欧*"),
        ("id_number", "110101199003071234", "**************1234"),
        ("address", "文堤公寓3幢2单元1203室", "文堤公寓3幢"),
        ("address", "城北街道宁庭家园3号楼1单元", "城北街道宁庭家园3号楼"),
        ("address", "XX路12号3幢2单元", "XX路12号3幢"),
        ("address", "和平路8号302室", "和平路8号"),
        ("address", "小区5-2-301", "小区*-*-***"),
        ("address", "文堤公寓门口", "文堤公寓门口"),
        ("text", "梅溪名苑25幢1单元104室卫生死角", "梅溪名苑25幢*单元*室卫生死角"),
        ("text", "电话138-1234-5678", "电话138****5678"),
    ],
)
def test_the_masks_as_macros(kind: str, raw: str, masked: str) -> None:
    con = duckdb.connect()
    con.execute(access.masks.MACROS_SQL)
    assert con.execute(f"select mask_{kind}($raw)", {"raw": raw}).fetchall() == [(masked,)]
    assert con.execute(f"select mask_{kind}(null)").fetchall() == [(None,)]
