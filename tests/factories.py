"""Test factories: raw rows with lineage defaults, and source files written in a source's format."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from warehouse.contracts import load_contracts, polars_schema

HOTLINE_HEADER = (
    "工单编号,受理时间,来电渠道,来电人,联系电话,问题地址,所属社区,一级分类,二级分类,三级分类,"
    "问题描述,承办部门,办理状态,首次响应时间,办结时间,满意度"
)
MINZHENG_HEADER = "检查编号,检查日期,社区名称,检查事项,检查结果,发现问题,检查人员,联合检查部门"


def insert_raw(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    rows: list[dict[str, Any]],
    source: str = "test",
    period: str | None = "2025-03",
    load_id: int = 1,
) -> None:
    """Insert rows into raw.<dataset>; missing contract columns are null, lineage filled in."""
    contract = load_contracts()[dataset]
    schema = polars_schema(contract)
    filled = [
        {
            **{name: row.get(name) for name in contract.column_names},
            "_load_id": row.get("_load_id", load_id),
            "_source": source,
            "_period": row.get("_period", period),
            "_row": row.get("_row", index + 2),
        }
        for index, row in enumerate(rows)
    ]
    frame = pl.DataFrame(
        filled,
        schema={**schema, "_load_id": pl.Int64, "_source": pl.String, "_period": pl.String,
                "_row": pl.Int64},
    )  # fmt: skip
    con.register("raw_rows", frame.to_arrow())
    con.execute(f"insert into raw.{dataset} by name select * from raw_rows")
    con.unregister("raw_rows")


def ts(text: str) -> datetime:
    """A timestamp from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text)


def day(text: str) -> date:
    """A date from 'YYYY-MM-DD'."""
    return date.fromisoformat(text)


def hotline_row(
    ticket: str,
    received: str,
    address: str = "幸福里3栋",
    l3: str = "垃圾清运不及时",
    closed: str = "",
    satisfaction: str = "",
    community: str = "幸福里社区",
) -> str:
    """One line of a hotline export."""
    return (
        f"{ticket},{received},电话,张三,13812345678,{address},{community},环境卫生,垃圾,{l3},"
        f"楼下垃圾没人清,城管,已办结,,{closed},{satisfaction}"
    )


def write_hotline(folder: Path, period: str, lines: list[str], encoding: str = "utf-8") -> Path:
    """A hotline monthly export under folder/hotline/."""
    path = folder / "hotline" / f"12345_工单_{period}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join([HOTLINE_HEADER, *lines]) + "\n").encode(encoding))
    return path


def write_minzheng(folder: Path, period: str, lines: list[str]) -> Path:
    """A 民政 monthly inspection file (UTF-8 with BOM) under folder/inspections/民政/."""
    path = folder / "inspections" / "民政" / f"民政_社区检查_{period}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join([MINZHENG_HEADER, *lines]) + "\n").encode("utf-8-sig"))
    return path


def insert_departments(con: duckdb.DuckDBPyConnection) -> None:
    """Two departments of the reference data (民政, 城管), with their full names."""
    insert_raw(
        con,
        "departments",
        [
            {"department": "民政", "full_name": "区民政局", "id_prefix": "MZ"},
            {"department": "城管", "full_name": "区城市管理局", "id_prefix": "CG"},
        ],
        period=None,
    )


def small_warehouse(path: Path) -> Path:
    """A published warehouse with a few complaints and visits in March and April 2025, built."""
    from warehouse.build import build
    from warehouse.connection import writer
    from warehouse.schema import ensure_raw_schema

    complaints = [
        ("A1", "2025-03-01 09:00", "幸福里3栋"),
        ("A2", "2025-03-10 09:00", "幸福里3栋"),
        ("A3", "2025-03-20 09:00", "幸福里3栋"),
        ("B1", "2025-03-21 09:00", "阳光城1栋"),
        ("C1", "2025-04-02 09:00", "阳光城1栋"),
        ("C2", "2025-04-12 09:00", "和平路8号"),
        ("C3", "2025-04-22 09:00", "和平路9号"),
        ("C4", "2025-04-23 09:00", "和平路10号"),
    ]
    visits = [("M1", "2025-03-01"), ("M2", "2025-03-11"), ("M3", "2025-04-20")]
    with writer(path) as con:
        ensure_raw_schema(con)
        insert_raw(
            con,
            "complaints",
            [
                {"complaint_id": i, "received_at": ts(r), "address": a, "category_l1": "环境卫生",
                 "category_l3": "垃圾清运不及时", "community": "幸福里社区", "community_id": "C01"}
                for i, r, a in complaints
            ],
        )  # fmt: skip
        insert_raw(
            con,
            "inspections",
            [
                {"inspection_id": i, "department": "民政", "inspected_on": day(d),
                 "community": "幸福里社区", "community_id": "C01", "subject": "养老服务",
                 "result": "合格"}
                for i, d in visits
            ],
        )  # fmt: skip
        add_reference_and_cases(con)
        build(con)
    return path


SQUARE = (
    '{{"type":"Polygon","coordinates":'
    "[[[{x0},30.0],[{x1},30.0],[{x1},30.01],[{x0},30.01],[{x0},30.0]]]}}"
)


def add_reference_and_cases(con: duckdb.DuckDBPyConnection) -> None:
    """Reference data, April visits by 城管, rectification cases and a load ledger for the
    dashboard's pages; they leave the complaints (and so every repeat figure) unchanged."""
    insert_raw(con, "streets", [{"street_id": "S01", "street_name": "城北街道"}], period=None)
    insert_raw(
        con,
        "communities",
        [
            {"community_id": "C01", "street_id": "S01", "community_name": "幸福里社区",
             "short_name": "幸福里", "household_count": 1000},
            {"community_id": "C02", "street_id": "S01", "community_name": "阳光城社区",
             "short_name": "阳光城", "household_count": 800},
        ],
        period=None,
    )  # fmt: skip
    insert_departments(con)
    insert_raw(
        con,
        "problem_types",
        [
            {"problem_type_id": "P01", "level1": "社区环境", "level2": "垃圾",
             "level3": "垃圾清运不及时", "default_department": "城管", "is_environment": True},
        ],
        period=None,
    )  # fmt: skip
    insert_raw(
        con,
        "addresses",
        [
            {"address_id": "AD1", "community_id": "C01", "grid_id": "G02", "building": "2",
             "unit": "1", "address": "幸福里2幢1单元"},
        ],
        period=None,
    )  # fmt: skip
    insert_raw(
        con,
        "grids",
        [
            {"grid_id": "G01", "community_id": "C01", "grid_name": "幸福里第1网格",
             "household_count": 600, "geometry": SQUARE.format(x0=120.0, x1=120.01)},
            {"grid_id": "G02", "community_id": "C01", "grid_name": "幸福里第2网格",
             "household_count": 400, "geometry": SQUARE.format(x0=120.01, x1=120.02)},
        ],
        period=None,
    )  # fmt: skip
    insert_raw(
        con,
        "inspections",
        [
            {"inspection_id": "CG1", "department": "城管", "inspected_on": day("2025-04-25"),
             "community": "幸福里社区", "community_id": "C01", "address": "幸福里2幢1单元",
             "subject": "养老服务", "result": "不合格",
             "problem": "垃圾清运不及时"},
        ],
        load_id=2,
    )  # fmt: skip
    case = {"round": 1, "found_by": "部门检查", "community": "幸福里社区", "community_id": "C01",
            "problem_type": "垃圾清运不及时", "responsible_unit": "区民政局"}  # fmt: skip
    insert_raw(
        con,
        "rectification_cases",
        [
            # found, noticed in 24 h, completed in time, evaluated in time, satisfied
            {**case, "case_id": "R1", "found_at": ts("2025-04-01 09:00"),
             "noticed_at": ts("2025-04-01 15:00"), "verified_at": ts("2025-04-08 10:00"),
             "evaluated_at": ts("2025-04-09 10:00"), "satisfaction_pct": 90.0, "status": "已办结"},
            # noticed late, completed, evaluated below 80%: a second round follows
            {**case, "case_id": "R2", "found_at": ts("2025-04-02 09:00"),
             "noticed_at": ts("2025-04-04 09:00"), "verified_at": ts("2025-04-10 10:00"),
             "evaluated_at": ts("2025-04-11 10:00"), "satisfaction_pct": 60.0,
             "status": "转二次整改"},
            # noticed in time, never completed: overdue
            {**case, "case_id": "R3", "found_at": ts("2025-04-03 09:00"),
             "noticed_at": ts("2025-04-03 12:00"), "status": "整改中"},
        ],
        load_id=3,
    )  # fmt: skip
    con.execute(
        """
        insert into raw.sources values
            ('hotline', 'complaints', null, 'monthly', false, '12345', null),
            ('minzheng', 'inspections', '民政', 'monthly', false, '民政', null)
        """
    )
    con.execute(
        """
        insert into raw.load_ledger (load_id, source, dataset, file_path, sha256, size_bytes,
            period, rows_read, rows_loaded, rows_quarantined, rows_duplicate, started_at,
            finished_at, outcome, message, extra_columns, missing_columns, renamed_columns)
        values
            (1, 'hotline', 'complaints', '/in/12345_工单_2025-04.csv', 'a', 10, '2025-04',
             9, 8, 1, 0, '2025-05-01 08:00', '2025-05-01 08:01', 'loaded', '', [], [], []),
            -- loaded although its header changed: a column nobody reads, one renamed
            (2, 'minzheng', 'inspections', '/in/民政_社区检查_2025-04.csv', 'b', 10, '2025-04',
             4, 4, 0, 0, '2025-05-01 08:02', '2025-05-01 08:03', 'loaded', '', ['联系电话'], [],
             [{'column_name': 'problem', 'expected_name': '发现问题', 'found_name': '问题'}])
        """
    )
    con.execute(
        """
        insert into raw.quarantine values (1, 'hotline', 'complaints',
            '/in/12345_工单_2025-04.csv', 5, 'required:address', 'address', null,
            'required:address (address=empty)', '{}')
        """
    )


# Personal information planted in access_warehouse(): none of it may reach a masked viewer.
CALLERS = {
    "T1": ("张三", "13812345678", "文堤公寓3幢2单元1203室", "城管"),
    "T2": ("李四", "13987654321", "文堤公寓5幢1单元302室", "民政"),
    "T3": ("王五", "0571-87654321", "和平路8号302室", "城管"),
    "T4": ("赵六", "15011112222", "幸福里1栋3单元101室", None),
}
CASE_ADDRESSES = {"R1": "文堤公寓3幢2单元1203室", "R2": "文堤公寓5幢1单元302室", "R3": "阳光城2栋"}
ID_NUMBER = "110101199003071234"


def access_warehouse(path: Path) -> Path:
    """A published, built warehouse for the access tests: tickets handled by 城管, 民政 and
    nobody with callers' names, phones and flat addresses; visits by 民政, by 城管 and a joint
    城管+民政 visit; cases owned by 城管, 民政 and a property company (no department)."""
    from warehouse.build import build
    from warehouse.connection import writer
    from warehouse.schema import ensure_raw_schema

    with writer(path) as con:
        ensure_raw_schema(con)
        add_reference_and_cases_for_access(con)
        build(con)
    return path


def add_reference_and_cases_for_access(con: duckdb.DuckDBPyConnection) -> None:
    """The raw rows of access_warehouse()."""
    insert_raw(con, "streets", [{"street_id": "S01", "street_name": "城北街道"}], period=None)
    insert_raw(
        con,
        "communities",
        [{"community_id": "C01", "street_id": "S01", "community_name": "文堤社区",
          "short_name": "文堤", "household_count": 1000}],
        period=None,
    )  # fmt: skip
    insert_departments(con)
    insert_raw(
        con,
        "complaints",
        [
            {"complaint_id": ticket, "received_at": ts(f"2025-04-0{index + 1} 09:00"),
             "caller_name": name, "caller_phone": phone, "address": address,
             "community": "文堤社区", "community_id": "C01", "category_l1": "环境卫生",
             "category_l3": "垃圾清运不及时", "department": department,
             "description": f"{address}垃圾未清，{name}请回电{phone}，身份证{ID_NUMBER}"}
            for index, (ticket, (name, phone, address, department)) in enumerate(CALLERS.items())
        ],
    )  # fmt: skip
    insert_raw(
        con,
        "inspections",
        [
            {"inspection_id": "M1", "department": "民政", "inspected_on": day("2025-04-02"),
             "community": "文堤社区", "community_id": "C01", "subject": "养老服务",
             "result": "合格"},
            {"inspection_id": "CG1", "department": "城管", "inspected_on": day("2025-04-03"),
             "community": "文堤社区", "community_id": "C01", "subject": "消防安全",
             "result": "不合格", "problem": "楼道堆物，联系人13812345678",
             "joint_departments": "民政"},
            {"inspection_id": "CG2", "department": "城管", "inspected_on": day("2025-04-04"),
             "community": "文堤社区", "community_id": "C01", "subject": "环境卫生",
             "result": "合格"},
        ],
    )  # fmt: skip
    case = {"round": 1, "found_by": "12345工单", "community": "文堤社区", "community_id": "C01",
            "problem_type": "垃圾清运不及时", "status": "整改中"}  # fmt: skip
    insert_raw(
        con,
        "rectification_cases",
        [
            {**case, "case_id": "R1", "responsible_unit": "区城市管理局",
             "address": CASE_ADDRESSES["R1"], "found_at": ts("2025-04-01 10:00"),
             "noticed_at": ts("2025-04-01 15:00"), "remark": "联系人电话13812345678"},
            {**case, "case_id": "R2", "responsible_unit": "区民政局",
             "address": CASE_ADDRESSES["R2"], "found_at": ts("2025-04-02 10:00"),
             "noticed_at": ts("2025-04-02 15:00")},
            {**case, "case_id": "R3", "responsible_unit": "某物业公司",
             "responsible_unit_type": "物业公司", "address": CASE_ADDRESSES["R3"],
             "found_at": ts("2025-04-03 10:00"), "noticed_at": ts("2025-04-03 15:00")},
        ],
    )  # fmt: skip


# Dashboard accounts for the AppTest tests: one per role, no passwords (tests inject a session).
DASHBOARD_USERS = {
    "t-leader": ("leader", ()),
    "t-analyst": ("analyst", ()),
    "t-chengguan": ("department", ("城管",)),
    "t-minzheng": ("department", ("民政",)),
    "t-meeting": ("meeting", ()),
    "t-admin": ("admin", ()),
}


def dashboard_users(path: Path) -> Path:
    """A users file holding DASHBOARD_USERS."""
    from warehouse.users import add_user

    for name, (role, departments) in DASHBOARD_USERS.items():
        add_user(path, name, role, departments)
    return path


def sign_in(app: Any, user: str) -> Any:
    """An AppTest with a fresh session for `user` in its session state (no bypass in the app)."""
    from datetime import UTC, datetime

    from warehouse.sessions import new_session

    app.session_state["auth_session"] = new_session(user, datetime.now(UTC))
    return app
