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
                 "category_l3": "垃圾清运不及时", "community": "幸福里社区"}
                for i, r, a in complaints
            ],
        )  # fmt: skip
        insert_raw(
            con,
            "inspections",
            [
                {"inspection_id": i, "department": "民政", "inspected_on": day(d),
                 "community": "幸福里社区", "subject": "养老服务", "result": "合格"}
                for i, d in visits
            ],
        )  # fmt: skip
        build(con)
    return path
