"""Revealing personal information: analysts only, with a reason, audited; the rest masked."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.factories import CALLERS
from warehouse.access import (
    AccessDenied,
    InvalidRequest,
    RecordFilters,
    Reveal,
    Viewer,
    cases,
    csv_bytes,
    tickets,
    visits,
)
from warehouse.audit import AuditStore

ANALYST = Viewer("ana", "analyst", may_reveal=True)


def test_an_analyst_reveals_one_record_with_a_reason(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore
) -> None:
    reveal = Reveal(("T1",), "回访核实诉求")
    result = tickets(
        reader, ANALYST, RecordFilters(), audit=audit, page="complaints", reveal=reveal
    )
    rows = {row["complaint_id"]: row for row in result.iter_rows(named=True)}
    name, phone, address, _ = CALLERS["T1"]
    assert (rows["T1"]["caller_name"], rows["T1"]["caller_phone"]) == (name, phone)
    assert rows["T1"]["address"] == address
    assert rows["T2"]["caller_name"] == "李*"  # only the record named is revealed
    text = csv_bytes(result).decode("utf-8-sig")
    assert CALLERS["T2"][1] not in text and CALLERS["T3"][0] not in text
    logged = audit.read()
    assert logged.get_column("action").to_list() == ["reveal", "view"]
    revealed = logged.row(0, named=True)
    assert revealed["user_name"] == "ana"
    assert revealed["reason"] == "回访核实诉求"
    assert revealed["page"] == "complaints"
    assert json.loads(revealed["record_ids"]) == ["T1"]
    assert json.loads(logged.row(1, named=True)["record_ids"]) == ["T4", "T3", "T2", "T1"]


def test_revealing_a_record_outside_the_result_reveals_and_logs_nothing(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore
) -> None:
    result = tickets(
        reader, ANALYST, RecordFilters(record_ids=("T2",)), audit=audit, page="p",
        reveal=Reveal(("T1",), "核实"),
    )  # fmt: skip
    assert result.get_column("caller_name").to_list() == ["李*"]
    assert json.loads(audit.read(action="reveal").row(0, named=True)["record_ids"]) == []


@pytest.mark.parametrize("reason", ["", "   ", "a", None])
def test_a_reveal_needs_a_reason(reason: str | None) -> None:
    with pytest.raises(InvalidRequest) as refusal:
        Reveal(("T1",), reason)  # type: ignore[arg-type]
    assert refusal.value.code == "reason_required"


def test_a_reveal_names_its_records() -> None:
    with pytest.raises(InvalidRequest):
        Reveal((), "核实")


@pytest.mark.parametrize(
    "viewer",
    [
        Viewer("lead", "leader", may_reveal=True),
        Viewer("cg", "department", ("城管",), may_reveal=True),
        Viewer("ana2", "analyst", may_reveal=False),
    ],
    ids=lambda v: v.name,
)
def test_only_analysts_with_the_right_may_reveal(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore, viewer: Viewer
) -> None:
    for function in (tickets, cases, visits):
        with pytest.raises(AccessDenied) as refusal:
            function(reader, viewer, {}, audit=audit, page="p", reveal=Reveal(("T1",), "核实"))
        assert refusal.value.code == "reveal_denied"
    logged = audit.read()
    assert set(logged.get_column("action")) == {"denied"}
    assert set(logged.get_column("reason")) == {"reveal_denied"}


def test_an_analyst_reveals_a_case_address(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore
) -> None:
    result = cases(
        reader, ANALYST, {}, audit=audit, page="loop", reveal=Reveal(("R1#1",), "现场核查")
    )
    addresses = dict(result.select("case_round_id", "address").iter_rows())
    assert addresses == {
        "R1#1": "文堤公寓3幢2单元1203室",
        "R2#1": "文堤公寓5幢",
        "R3#1": "阳光城2栋",
    }


def test_exports_are_audited_as_exports(
    reader: duckdb.DuckDBPyConnection, audit: AuditStore
) -> None:
    tickets(reader, ANALYST, {"community": "C01"}, audit=audit, page="areas", action="export")
    row = audit.read().row(0, named=True)
    assert (row["action"], row["dataset"], row["page"]) == ("export", "tickets", "areas")
    assert json.loads(row["filters"])["community"] == "C01"
    with pytest.raises(InvalidRequest):
        tickets(reader, ANALYST, {}, audit=audit, page="areas", action="delete")
