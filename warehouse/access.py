"""Who may see what: the one way record-level rows leave the warehouse, scoped, masked and audited.

Roles (default deny: an unknown user, a user with no or an unknown role, a department user with
no department sees nothing):

| role       | records                        | personal information            | aggregates |
|------------|--------------------------------|---------------------------------|------------|
| leader     | all                            | masked                          | yes        |
| analyst    | all                            | masked; revealed with a reason  | yes        |
| department | its own departments' records   | masked                          | yes        |
| meeting    | none (`RecordsDenied`)         | -                               | yes        |
| admin      | none: users and the audit log  | -                               | no         |

Row scoping and masking happen in SQL: identifiers come from this module's constants, every value
(filters, the viewer's departments, revealed ids) is a bound parameter. Every call that returns
rows, and every refusal, is written to the audit store before the rows are returned.

A caller may pass a `RecordCache` and the data version: the masked rows the SQL returned are then
kept for a short while, keyed by the version, the dataset, the viewer's role and departments, the
query and every bound value, and served again to a call with the same key. Cached or not, every
call is checked and audited; reveals are never cached.
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb
import polars as pl

from warehouse import masks
from warehouse.audit import AuditEvent, AuditStore
from warehouse.connection import fetch_frame

LEADER, ANALYST, DEPARTMENT, MEETING, ADMIN = "leader", "analyst", "department", "meeting", "admin"
ROLES = (LEADER, ANALYST, DEPARTMENT, MEETING, ADMIN)
RECORD_ROLES = frozenset({LEADER, ANALYST, DEPARTMENT})
AGGREGATE_ROLES = frozenset({LEADER, ANALYST, DEPARTMENT, MEETING})
ACTIONS = frozenset({"view", "export"})
MAX_TEXT = 200
MAX_IDS = 1000
MAX_LIMIT = 10_000
MIN_REASON = 2
MAX_REASON = 500


class AccessError(Exception):
    """A clean refusal the dashboard can show; `code` names the reason for the message catalogue."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class AccessDenied(AccessError, PermissionError):
    """The viewer may not see this."""


class RecordsDenied(AccessDenied):
    """The viewer may see aggregates only (the joint meeting's guests), not record-level rows."""


class InvalidRequest(AccessError, ValueError):
    """A filter or reveal request that cannot be run as given (wrong type, too long, no reason)."""


@dataclass(frozen=True)
class Viewer:
    """Who is looking: user name, role, departments (department role only), reveal right."""

    name: str
    role: str | None
    departments: tuple[str, ...] = ()
    may_reveal: bool = False

    @property
    def is_known(self) -> bool:
        """A named user with a known role (and a department when the role needs one)."""
        if not self.name or self.role not in ROLES:
            return False
        return self.role != DEPARTMENT or bool(self.departments)

    @property
    def can_reveal(self) -> bool:
        """Only analysts with the right may reveal personal information."""
        return self.is_known and self.role == ANALYST and self.may_reveal


NOBODY = Viewer(name="", role=None)


def aggregate_allowed(viewer: Viewer) -> bool:
    """Whether the viewer may see the shared aggregates (KPIs, charts, scorecards)."""
    return viewer.is_known and viewer.role in AGGREGATE_ROLES


def records_allowed(viewer: Viewer) -> bool:
    """Whether the viewer may see record-level rows (within its scope)."""
    return viewer.is_known and viewer.role in RECORD_ROLES


def admin_allowed(viewer: Viewer) -> bool:
    """Whether the viewer may manage users and read the audit log."""
    return viewer.is_known and viewer.role == ADMIN


def check_records(viewer: Viewer) -> None:
    """Raise the refusal for a viewer who may not see record-level rows."""
    if not viewer.is_known:
        raise AccessDenied("unknown_viewer", "access denied: unknown user, role or department")
    if viewer.role == MEETING:
        raise RecordsDenied(
            "aggregates_only", "the joint meeting's accounts see aggregates only, no records"
        )
    if viewer.role not in RECORD_ROLES:
        raise AccessDenied("no_records", f"the {viewer.role} role does not see records")


def _text(name: str, value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidRequest("invalid_filter", f"filter {name} must be text")
    if len(value) > MAX_TEXT:
        raise InvalidRequest("invalid_filter", f"filter {name} is longer than {MAX_TEXT}")
    return value


def _date(name: str, value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidRequest("invalid_filter", f"filter {name} must be a date (YYYY-MM-DD)")


def _ids(name: str, values: object) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str) or not isinstance(values, Sequence | frozenset | set):
        raise InvalidRequest("invalid_filter", f"{name} must be a list of ids")
    if len(values) > MAX_IDS:
        raise InvalidRequest("invalid_filter", f"{name}: at most {MAX_IDS} ids")
    return tuple(v for v in (_text(name, value) for value in values) if v is not None)


@dataclass(frozen=True)
class RecordFilters:
    """Filters for record-level rows; every value is validated here and bound in the SQL.

    Dates filter tickets by `received_on`, visits by `inspected_on`, cases by the day found.
    `grid` and `address_id` apply to tickets and visits (a visit has them when the department
    recorded a place that resolves; cases carry no grid id).
    `record_ids` keeps only those records (ticket, visit or case-round ids).
    """

    date_from: date | None = None
    date_to: date | None = None
    community: str | None = None
    grid: str | None = None
    address_id: str | None = None
    department: str | None = None
    problem_type: str | None = None
    record_ids: tuple[str, ...] = ()
    limit: int = 1000

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            object.__setattr__(self, name, _date(name, getattr(self, name)))
        for name in ("community", "grid", "address_id", "department", "problem_type"):
            object.__setattr__(self, name, _text(name, getattr(self, name)))
        object.__setattr__(self, "record_ids", _ids("record_ids", self.record_ids))
        if isinstance(self.limit, bool) or not isinstance(self.limit, int):
            raise InvalidRequest("invalid_filter", "limit must be a whole number")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidRequest("invalid_filter", f"limit must be between 1 and {MAX_LIMIT}")

    @classmethod
    def from_params(cls, params: Mapping[str, object], **extra: Any) -> RecordFilters:
        """From a mapping: this class's field names, or the dashboard's bound parameters
        ($ptype for problem_type, $area_grid for grid, $area_address for address_id);
        other keys are ignored."""
        aliases = {"problem_type": "ptype", "grid": "area_grid", "address_id": "area_address"}
        fields = ("date_from", "date_to", "community", "grid", "address_id", "department",
                  "problem_type", "record_ids", "limit")  # fmt: skip
        values: dict[str, Any] = {}
        for name in fields:
            if name in params:
                values[name] = params[name]
            elif name in aliases and aliases[name] in params:
                values[name] = params[aliases[name]]
        return cls(**{**values, **extra})

    def as_audit(self) -> dict[str, object]:
        """The filters as JSON-ready values for the audit log."""
        values: dict[str, object] = {
            "date_from": self.date_from and self.date_from.isoformat(),
            "date_to": self.date_to and self.date_to.isoformat(),
            "community": self.community,
            "grid": self.grid,
            "address_id": self.address_id,
            "department": self.department,
            "problem_type": self.problem_type,
            "record_ids": list(self.record_ids),
            "limit": self.limit,
        }
        return {k: v for k, v in values.items() if v not in (None, [])}


@dataclass(frozen=True)
class Reveal:
    """A request to show personal information unmasked on some records, with the reason."""

    record_ids: tuple[str, ...]
    reason: str

    def __post_init__(self) -> None:
        ids = _ids("reveal", self.record_ids)
        if not ids:
            raise InvalidRequest("reveal_ids_required", "name the records to reveal")
        object.__setattr__(self, "record_ids", ids)
        reason = self.reason.strip() if isinstance(self.reason, str) else ""
        if len(reason) < MIN_REASON:
            raise InvalidRequest("reason_required", "give a reason to reveal personal information")
        if len(reason) > MAX_REASON:
            raise InvalidRequest("reason_too_long", f"the reason is longer than {MAX_REASON}")
        object.__setattr__(self, "reason", reason)


@dataclass(frozen=True)
class Dataset:
    """A record-level dataset: its mart, key, filters and columns (all identifiers fixed here)."""

    name: str
    source: str
    key: str
    order: str
    departments: str
    dates: str
    filters: tuple[str, ...]
    columns: tuple[tuple[str, str | None], ...] = field(default=())
    lookup: str = ""  # a join for more columns, made after the filters and the limit


# the masks by kind: warehouse.masks' own, and a ticket's text with its caller's name masked too
MASKS = {
    **masks.MASKS,
    "caller_text": lambda column: masks.free_text_naming(column, "p.caller_name"),
}


def _mine(expression: str) -> str:
    return f"($all_departments::boolean or list_has_any({expression}, $departments::varchar[]))"


TICKETS = Dataset(
    name="tickets",
    source="complaint_tickets as t",
    # the callers of the chosen rows only: their received dates bound the scan
    lookup=(
        "left join (select complaint_id, caller_name, caller_phone from int_complaints_located"
        " where received_on between (select min(received_on) from chosen)"
        " and (select max(received_on) from chosen)) as p on p.complaint_id = t.complaint_id"
    ),
    key="t.complaint_id",
    order="t.received_at desc, t.complaint_id",
    departments=_mine("[t.handling_department]"),
    dates="t.received_on",
    filters=(
        "($community::varchar is null or t.community_id = $community)",
        "($grid::varchar is null or t.grid_id = $grid)",
        "($address_id::varchar is null or t.address_id = $address_id)",
        "($department::varchar is null or t.handling_department = $department)",
        "($problem_type::varchar is null or t.problem_type = $problem_type)",
    ),
    columns=(
        ("t.complaint_id", None), ("t.received_at", None), ("t.channel", None),
        ("p.caller_name", "name"), ("p.caller_phone", "phone"), ("t.address", "address"),
        ("t.community_id", None), ("t.community", None), ("t.grid_id", None),
        ("t.address_id", None), ("t.category_l1", None), ("t.category_l2", None),
        ("t.problem_type", None), ("t.description", "caller_text"), ("t.handling_department", None),
        ("t.status", None), ("t.first_response_at", None), ("t.closed_at", None),
        ("t.handling_working_days", None), ("t.satisfaction", None), ("t.is_repeat", None),
        ("t.previous_complaint_id", None), ("t.original_complaint_id", None),
    ),
)  # fmt: skip

VISITS = Dataset(
    name="visits",
    source="inspection_visits as v",
    key="v.visit_id",
    order="v.inspected_on desc, v.visit_id",
    departments=_mine("v.departments_involved"),
    dates="v.inspected_on",
    filters=(
        "($community::varchar is null or v.community_id = $community)",
        "($grid::varchar is null or v.grid_id = $grid)",
        "($address_id::varchar is null or v.address_id = $address_id)",
        "($department::varchar is null or list_contains(v.departments_involved, $department))",
        "($problem_type::varchar is null or v.problem_type = $problem_type)",
    ),
    columns=(
        ("v.visit_id", None), ("v.inspection_id", None), ("v.department", None),
        ("v.departments_involved", None), ("v.inspected_on", None), ("v.community_id", None),
        ("v.community", None), ("v.address", "address"), ("v.grid_id", None),
        ("v.address_id", None), ("v.subject", None), ("v.is_failed", None),
        ("v.problem", "text"), ("v.problem_type", None), ("v.is_duplicate", None),
        ("v.previous_visit_id", None), ("v.previous_department", None),
    ),
)  # fmt: skip

CASES = Dataset(
    name="cases",
    source="rectification_cases as c",
    key="c.case_round_id",
    order="c.found_at desc, c.case_round_id",
    departments=_mine("[c.responsible_department]"),
    dates="cast(c.found_at as date)",
    filters=(
        "($community::varchar is null or c.community_id = $community)",
        "($department::varchar is null or c.responsible_department = $department)",
        "($problem_type::varchar is null or c.problem_type = $problem_type)",
    ),
    columns=(
        ("c.case_round_id", None), ("c.case_id", None), ("c.round", None),
        ("c.is_second_round", None), ("c.found_by", None), ("c.source_ref", None),
        ("c.community_id", None), ("c.community", None), ("c.grid", None),
        ("c.address", "address"), ("c.problem_type", None), ("c.description", "text"),
        ("c.responsible_unit", None), ("c.responsible_unit_type", None),
        ("c.responsible_department", None), ("c.found_at", None), ("c.noticed_at", None),
        ("c.rectification_deadline_on", None), ("c.completed_at", None),
        ("c.evaluated_at", None), ("c.satisfaction_pct", None), ("c.status", None),
        ("c.remark", "text"), ("c.is_completed_on_time", None), ("c.is_recurred", None),
    ),
)  # fmt: skip

DATASETS = {dataset.name: dataset for dataset in (TICKETS, VISITS, CASES)}


def _select(column: str, mask: str | None, key: str, revealing: bool) -> str:
    alias = column.split(".")[-1]
    if mask is None:
        return f"{column} as {alias}"
    masked = MASKS[mask](column)
    if not revealing:
        return f"{masked} as {alias}"
    revealed = f"list_contains($reveal_ids::varchar[], {key})"
    return f"case when {revealed} then {column} else {masked} end as {alias}"


def record_sql(dataset: Dataset, revealing: bool) -> str:
    """The query for a dataset; identifiers from the dataset's constants, values all bound."""
    columns = ",\n    ".join(
        _select(column, mask, dataset.key, revealing) for column, mask in dataset.columns
    )
    where = " and ".join(
        (
            f"($date_from::date is null or {dataset.dates} >= $date_from)",
            f"($date_to::date is null or {dataset.dates} <= $date_to)",
            # the key's range first: constant bounds let the scan skip row groups
            f"(len($record_ids::varchar[]) = 0 or ({dataset.key} between "
            "list_min($record_ids::varchar[]) and list_max($record_ids::varchar[]) and "
            f"list_contains($record_ids::varchar[], {dataset.key})))",
            dataset.departments,
            *dataset.filters,
        )
    )
    chosen = f"from {dataset.source}\nwhere {where}\norder by {dataset.order}\nlimit $limit"
    if not dataset.lookup:
        return f"select\n    {columns}\n{chosen}"
    # the rows first (filters, order, limit), then the lookup's join on those rows only
    alias = dataset.key.split(".")[0]
    return (
        f"with chosen as (select * {chosen})\nselect\n    {columns}\nfrom chosen as {alias}\n"
        f"{dataset.lookup}\norder by {dataset.order}"
    )


def _params(viewer: Viewer, filters: RecordFilters, reveal: Reveal | None) -> dict[str, object]:
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "community": filters.community,
        "grid": filters.grid,
        "address_id": filters.address_id,
        "department": filters.department,
        "problem_type": filters.problem_type,
        "record_ids": list(filters.record_ids),
        "limit": filters.limit,
        "all_departments": viewer.role != DEPARTMENT,
        "departments": list(viewer.departments),
        "reveal_ids": list(reveal.record_ids) if reveal else [],
    }


class RecordCache:
    """Masked record frames already read, by everything that decides them; bounded and short-lived
    (`ttl` seconds, the `max_entries` most recently used). Shared by threads."""

    def __init__(self, ttl: float = 120.0, max_entries: int = 256) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, pl.DataFrame]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> pl.DataFrame | None:
        """The frame kept under `key`, or None when there is none or it is too old."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if time.monotonic() - found[0] > self.ttl:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, frame: pl.DataFrame) -> None:
        """Keep `frame` under `key`, dropping the least recently used beyond max_entries."""
        with self._lock:
            self._entries[key] = (time.monotonic(), frame)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _frozen(value: object) -> Hashable:
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value  # dates, text, numbers, booleans, None


def bound_key(params: Mapping[str, object]) -> Hashable:
    """Bound parameter values as a hashable key, in name order (lists as tuples)."""
    return tuple(sorted((name, _frozen(value)) for name, value in params.items()))


def cache_key(
    version: str, dataset: str, viewer: Viewer, sql: str, params: Mapping[str, object]
) -> Hashable:
    """Everything that decides a record frame: the data version, the dataset, the viewer's role
    and departments (scope and masking), the query and every bound value."""
    return (version, dataset, viewer.role, viewer.departments, sql, bound_key(params))


def _event(
    viewer: Viewer, action: str, page: str, dataset: str, filters: dict[str, object],
    ids: Sequence[str] = (), reason: str | None = None,
) -> AuditEvent:  # fmt: skip
    return AuditEvent(
        user=viewer.name, role=viewer.role or "", action=action, page=page, dataset=dataset,
        filters=filters, record_ids=tuple(ids), reason=reason,
    )  # fmt: skip


def _records(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    viewer: Viewer,
    filters: RecordFilters | Mapping[str, object],
    audit: AuditStore,
    page: str,
    reveal: Reveal | None,
    action: str,
    cache: RecordCache | None = None,
    version: str | None = None,
) -> pl.DataFrame:
    page = str(page)[:MAX_TEXT]
    try:
        check_records(viewer)
        if reveal is not None and not viewer.can_reveal:
            raise AccessDenied("reveal_denied", "this account may not reveal personal information")
        if action not in ACTIONS:
            raise InvalidRequest("invalid_action", f"action must be one of {sorted(ACTIONS)}")
        if not isinstance(filters, RecordFilters):
            filters = RecordFilters.from_params(filters)
    except AccessError as refusal:
        shown = filters.as_audit() if isinstance(filters, RecordFilters) else {}
        audit.append(_event(viewer, "denied", page, dataset.name, shown, reason=refusal.code))
        raise
    sql = record_sql(dataset, reveal is not None)
    named = set(re.findall(r"\$([a-z_]+)", sql))
    params = {k: v for k, v in _params(viewer, filters, reveal).items() if k in named}
    cacheable = cache is not None and version is not None and reveal is None
    key = cache_key(version or "", dataset.name, viewer, sql, params) if cacheable else None
    frame = cache.get(key) if cache is not None and key is not None else None
    if frame is None:
        frame = fetch_frame(con, sql, params)
        if cache is not None and key is not None:
            cache.put(key, frame)
    ids = [str(v) for v in frame.get_column(dataset.key.split(".")[-1]).to_list()]
    audit.append(_event(viewer, action, page, dataset.name, filters.as_audit(), ids))
    if reveal is not None:
        revealed = [i for i in ids if i in set(reveal.record_ids)]
        audit.append(
            _event(viewer, "reveal", page, dataset.name, filters.as_audit(), revealed,
                   reveal.reason)
        )  # fmt: skip
    return frame


def tickets(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    filters: RecordFilters | Mapping[str, object],
    *,
    audit: AuditStore,
    page: str,
    reveal: Reveal | None = None,
    action: str = "view",
    cache: RecordCache | None = None,
    version: str | None = None,
) -> pl.DataFrame:
    """Complaint tickets the viewer may see, personal information masked unless revealed.

    Columns: TICKETS.columns (caller_name, caller_phone, address and description masked).
    Raises RecordsDenied for the joint meeting, AccessDenied for anyone else without the right,
    InvalidRequest for a filter or reveal that cannot be run. Audited (view/export, reveal).
    With `cache` and `version`, unrevealed rows are kept and served again (still audited).
    """
    return _records(con, TICKETS, viewer, filters, audit, page, reveal, action, cache, version)


def visits(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    filters: RecordFilters | Mapping[str, object],
    *,
    audit: AuditStore,
    page: str,
    reveal: Reveal | None = None,
    action: str = "view",
    cache: RecordCache | None = None,
    version: str | None = None,
) -> pl.DataFrame:
    """Inspection visits the viewer may see (department users: visits it took part in)."""
    return _records(con, VISITS, viewer, filters, audit, page, reveal, action, cache, version)


def cases(
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    filters: RecordFilters | Mapping[str, object],
    *,
    audit: AuditStore,
    page: str,
    reveal: Reveal | None = None,
    action: str = "view",
    cache: RecordCache | None = None,
    version: str | None = None,
) -> pl.DataFrame:
    """Rectification case rounds the viewer may see (department users: its own), masked."""
    return _records(con, CASES, viewer, filters, audit, page, reveal, action, cache, version)


FORMULA_START = r"^[=+\-@\t\r]"


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """A frame as a download: UTF-8 CSV with a BOM (Excel opens Chinese text correctly), text
    cells that a spreadsheet would run as a formula (= + - @) prefixed with an apostrophe."""
    safe = frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )
    nested = [name for name, dtype in safe.schema.items() if dtype.is_nested()]
    safe = safe.with_columns(pl.col(name).cast(pl.List(pl.String)).list.join("、")
                             for name in nested)  # fmt: skip
    buffer = io.BytesIO()
    safe.write_csv(buffer)
    return b"\xef\xbb\xbf" + buffer.getvalue()


def audit_log(
    store: AuditStore,
    viewer: Viewer,
    *,
    user: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    limit: int = 500,
) -> pl.DataFrame:
    """The audit log for the admin page (newest first); admins only, and the reading is audited.

    Columns: audit_id, at (UTC), user_name, role, action, page, dataset, filters (JSON),
    record_ids (JSON list), reason. Render it as a table (st.dataframe), never as markdown/HTML.
    """
    shown: dict[str, object] = {"user": _text("user", user), "action": _text("action", action)}
    if not admin_allowed(viewer):
        store.append(_event(viewer, "denied", "audit", "audit_log", shown, reason="admin_only"))
        raise AccessDenied("admin_only", "only administrators read the audit log")
    store.append(_event(viewer, "audit_read", "audit", "audit_log", shown))
    return store.read(user=user, action=action, since=since, limit=limit)
