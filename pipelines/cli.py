"""The `duban` command line: generate, ingest, build, kpi, serve and demo."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from pipelines.errors import DubanError
from warehouse.clock import now_local, to_local
from warehouse.connection import WarehouseBusyError, WarehouseMissingError
from warehouse.paths import ROOT, warehouse_path

F = TypeVar("F", bound=Callable[..., Any])
USER_ERRORS = (DubanError, WarehouseMissingError, WarehouseBusyError, ValueError, OSError)
DEFAULT_SEED = 20240601


class DubanGroup(click.Group):
    """A group that turns user errors into one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except USER_ERRORS as error:
            raise click.ClickException(str(error)) from None


def warehouse_option(command: F) -> F:
    """The common --warehouse option (env DUBAN_WAREHOUSE, else data/warehouse.duckdb)."""
    return click.option(
        "--warehouse",
        "warehouse",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Warehouse file. Default: env DUBAN_WAREHOUSE, else data/warehouse.duckdb.",
    )(command)


@click.group(cls=DubanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="duban")
def cli() -> None:
    """督办 Duban: load the street's inspection, hotline and rectification data, build the
    warehouse, and serve the dashboard."""


def run_generate(out: Path, seed: int, end: str | None, months: int, scale: str) -> dict[str, Any]:
    """Write demo source files into `out` (deterministic for a seed and end month)."""
    from pipelines.generator import generate as generate_files

    return generate_files(out, seed=seed, end=end, months=months, scale=scale)


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the demo source files into.",
)
@click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="Random seed: the same seed and end month give identical files.",
)
@click.option(
    "--end",
    default=None,
    metavar="YYYY-MM",
    help="Last month to generate. Default: the last full month.",
)
@click.option(
    "--months",
    type=click.IntRange(1, 120),
    default=24,
    show_default=True,
    help="How many months to generate.",
)
@click.option(
    "--scale",
    default="demo",
    show_default=True,
    type=click.Choice(["tiny", "demo", "1m", "10m"]),
    help="Size: tiny (tests), demo (one street), 1m or 10m tickets.",
)
def generate(out: Path, seed: int, end: str | None, months: int, scale: str) -> None:
    """Write demo source files: departments' inspections, hotline exports and ledgers."""
    manifest = run_generate(out, seed, end, months, scale)
    files = manifest.get("files", [])
    click.echo(f"wrote {len(files)} files to {out}")


def display_width(text: str) -> int:
    """Columns a string takes on a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def outcome_text(outcome: Any) -> str:
    """A file's outcome for the summary: with its reject kind, or the header drift it loaded
    with (`loaded, header changed: +extra / renamed a→b`)."""
    if outcome.reject_kind:
        return f"{outcome.outcome} ({outcome.reject_kind})"
    if outcome.outcome == "loaded" and outcome.drift:
        return f"loaded, header changed: {outcome.drift.describe()}"
    return str(outcome.outcome)


def print_summary(report: Any) -> None:
    """The per-file summary table after an ingest."""
    header = ("source", "file", "period", "read", "loaded", "quarant.", "dup.", "outcome")
    rows = [
        (
            o.source,
            Path(o.file_path).name,
            o.period or "",
            str(o.rows_read),
            str(o.rows_loaded),
            str(o.rows_quarantined),
            str(o.rows_duplicate),
            outcome_text(o),
        )
        for o in report.outcomes
    ]
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        pairs = zip(row, widths, strict=True)
        cells = (cell + " " * (width - display_width(cell)) for cell, width in pairs)
        click.echo("  ".join(cells).rstrip())
    loaded = sum(1 for o in report.outcomes if o.outcome == "loaded")
    unchanged = sum(1 for o in report.outcomes if o.outcome == "unchanged")
    click.echo(
        f"{len(report.outcomes)} files: {loaded} loaded, {unchanged} unchanged, "
        f"{len(report.rejected)} rejected; {len(report.unmatched)} files matched no source"
    )
    if report.outcomes and unchanged == len(report.outcomes):
        click.echo("nothing changed: every file was ingested before (same content, sha256)")
    for rejected in report.rejected:
        click.echo(f"rejected: {rejected.message}", err=True)


def run_ingest(inputs: list[Path], warehouse: Path | None, sources: list[Path]) -> Any:
    """Ingest the inputs and print the summary; return the report."""
    from pipelines.ingest import ingest as ingest_files

    report = ingest_files(inputs, warehouse_path(warehouse), extra_sources=sources)
    print_summary(report)
    return report


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--sources",
    "sources",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra folder of source configs (YAML); may be repeated.",
)
@warehouse_option
def ingest(inputs: tuple[Path, ...], sources: tuple[Path, ...], warehouse: Path | None) -> None:
    """Load source files (or folders of them) into the warehouse; exit 1 if any file is rejected."""
    report = run_ingest(list(inputs), warehouse, list(sources))
    if report.rejected:
        sys.exit(1)


def run_build(warehouse: Path | None, full: bool = False) -> None:
    """Build every SQL model into the warehouse and publish it."""
    from warehouse.build import build as build_models
    from warehouse.connection import writer

    with writer(warehouse_path(warehouse)) as con:
        built = build_models(con, full=full)
    if not built:
        click.echo("nothing new since the last build: the marts are up to date")
    for model in built:
        rows = "" if model.rows is None else f" {model.rows} rows"
        click.echo(f"built {model.materialization} {model.name}{rows} ({model.seconds:.2f} s)")


@cli.command()
@click.option(
    "--full", is_flag=True, help="Rebuild everything, even when an incremental build would do."
)
@warehouse_option
def build(full: bool, warehouse: Path | None) -> None:
    """Build the SQL models (staging, intermediate, marts) in dependency order; incrementally
    when only new fact files came since the last build."""
    run_build(warehouse, full)


def parse_as_of(value: str | None) -> datetime:
    """An --as-of value or now, as naive local time: a date is its day's end; a date-time is
    local unless it carries an offset (`2025-06-30T18:00+00:00`), which converts it."""
    if value is None:
        return now_local()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise DubanError(f"--as-of {value!r}: give a date or time like 2025-06-30T18:00") from None
    if len(value) <= 10:
        from warehouse.metrics import end_of_day

        return end_of_day(parsed.date())
    return to_local(parsed)


def format_value(value: float | None, unit: str) -> str:
    """A KPI value for the terminal."""
    if value is None:
        return "-"
    return f"{value:.1%}" if unit == "ratio" else f"{value:.2f}"


def format_number(value: float) -> str:
    """A numerator or denominator: whole numbers as such, fractions to 4 places."""
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}"


@cli.command()
@click.option(
    "--from",
    "date_from",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First day of the period (inclusive). Default: the latest month with data.",
)
@click.option(
    "--to",
    "date_to",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last day of the period (inclusive).",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="TIME",
    help="The moment the figures are computed for: local time, or with an offset (+00:00). "
    "Default: now.",
)
@click.option(
    "--community",
    default=None,
    metavar="ID",
    help="Only this community (its community_id, e.g. C0001).",
)
@click.option(
    "--department",
    default=None,
    metavar="NAME",
    help="Only this department (short name, e.g. 城管).",
)
@click.option(
    "--grid",
    default=None,
    metavar="ID",
    help="Only this grid (its grid_id, e.g. G00003): tickets and visits by their address's grid, "
    "rectification cases by the ledger's grid.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@warehouse_option
def kpi(
    date_from: datetime | None,
    date_to: datetime | None,
    as_of: str | None,
    community: str | None,
    department: str | None,
    grid: str | None,
    as_json: bool,
    warehouse: Path | None,
) -> None:
    """Print every KPI for a period with numerator, denominator, target and unit."""
    from dataclasses import replace

    from warehouse.connection import connect_readonly
    from warehouse.metrics import compute, default_period, grid_known, grid_scope, kpi_document

    moment = parse_as_of(as_of)
    con = connect_readonly(warehouse_path(warehouse))
    try:
        period = default_period(
            con,
            moment,
            date_from.date() if date_from else None,
            date_to.date() if date_to else None,
        )
        if grid and grid_known(con, grid) is False:
            raise click.BadParameter(f"no grid {grid} in the reference data", param_hint="--grid")
        period = replace(period, community=community, department=department, grid=grid)
        values = compute(con, period)
    finally:
        con.close()
    if as_json:
        click.echo(json.dumps(kpi_document(period, values), ensure_ascii=False, indent=2))
        return
    scope = "".join(
        f", {key} {name}"
        for key, name in (("community", community), ("department", department), ("grid", grid))
        if name
    )
    click.echo(f"period {period.date_from} .. {period.date_to}, as of {period.as_of}{scope}")
    if grid:  # how each kind of row is placed in the grid: said, not left to be guessed
        for line in dict.fromkeys(grid_scope(name) for name in values):
            click.echo(f"  grid {grid}: {line}")
    for value in values.values():
        target = (
            "-"
            if value.target is None
            else f"{value.target.op} {format_value(value.target.value, value.unit)}"
        )
        status = {True: "met", False: "NOT met", None: ""}[value.meets_target]
        parts = f"{format_number(value.numerator)}/{format_number(value.denominator)}"
        click.echo(
            f"{value.name:<32} {format_value(value.value, value.unit):>7}  {parts:<14} "
            f"target {target:<8} {status}".rstrip()
        )


def serve_command(port: int) -> list[str]:
    """The Streamlit command `duban serve` runs, with the settings the dashboard needs."""
    return [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "server.py"),
        "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
        # no watching of the source files for edits: without watchdog every session polls every
        # module's file, CPU the sessions' runs need (restart the server after an edit)
        "--server.fileWatcherType", "none",
        # no full gc.collect() after every script run (Streamlit's default): with the app's
        # ~140k long-lived objects it holds the GIL 60-170 ms per rerun, and with many sessions
        # every one waits for it; Python's generational collector still runs as usual
        "--runner.postScriptGC", "false",
    ]  # fmt: skip


def run_serve(port: int, warehouse: Path | None) -> None:
    """Serve the dashboard on the port until interrupted."""
    path = warehouse_path(warehouse).resolve()
    if not path.exists():
        raise WarehouseMissingError(f"warehouse {path} does not exist: run `duban demo` first")
    env = {**os.environ, "DUBAN_WAREHOUSE": str(path)}
    command = serve_command(port)
    click.echo(f"serving the dashboard on http://localhost:{port} (Ctrl+C to stop)", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # replace this process with Streamlit's, so that stopping `duban serve` stops the server too
    os.execve(sys.executable, command, env)


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@warehouse_option
def serve(port: int, warehouse: Path | None) -> None:
    """Serve the dashboard (Streamlit) on http://localhost:PORT."""
    run_serve(port, warehouse)


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/demo"),
    show_default=True,
    help="Folder for the demo files.",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option(
    "--end", default=None, metavar="YYYY-MM", help="Last month. Default: last full month."
)
@click.option(
    "--scale", default="demo", show_default=True, type=click.Choice(["tiny", "demo", "1m", "10m"])
)
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option("--no-serve", is_flag=True, help="Stop after building; do not serve.")
@warehouse_option
def demo(
    out: Path, seed: int, end: str | None, scale: str, port: int, no_serve: bool,
    warehouse: Path | None,
) -> None:  # fmt: skip
    """Generate, ingest, build, print the KPIs, print demo accounts and serve: the whole product."""
    stamp = out / ".duban-generated.json"
    wanted = {"seed": seed, "end": end, "scale": scale, "day": date.today().isoformat()}
    if stamp.exists() and json.loads(stamp.read_text(encoding="utf-8")) == wanted:
        click.echo(f"demo files in {out} are up to date")
    else:
        manifest = run_generate(out, seed, end, 24, scale)
        stamp.write_text(json.dumps(wanted), encoding="utf-8")
        click.echo(f"wrote {len(manifest.get('files', []))} demo files to {out}")
    run_ingest([out], warehouse, [])
    run_build(warehouse)
    ctx = click.get_current_context()
    ctx.invoke(kpi, date_from=None, date_to=None, as_of=None, as_json=False, warehouse=warehouse)
    if not no_serve:
        # the dashboard asks for a sign-in: give the demo one account per role, and show them
        ctx.invoke(user_demo, users_file=None)
        run_serve(port, warehouse)


def users_option(command: F) -> F:
    """The --users option (env DUBAN_USERS, else data/users.json)."""
    return click.option(
        "--users",
        "users_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Users file. Default: env DUBAN_USERS, else data/users.json.",
    )(command)


@cli.group()
def user() -> None:
    """Manage the dashboard's accounts (roles, departments, argon2-hashed passwords)."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["leader", "analyst", "department", "meeting", "admin"]),
    help="leader, analyst, department, meeting (aggregates only) or admin.",
)
@click.option(
    "--department",
    "departments",
    multiple=True,
    metavar="NAME",
    help="A department the user belongs to (short name, e.g. 城管); may be repeated.",
)
@click.option("--email", default=None, help="The OIDC identity (st.login) to map to this user.")
@click.option("--no-reveal", is_flag=True, help="An analyst who may not reveal personal data.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@click.option(
    "--no-password", is_flag=True, help="No password: the user signs in through OIDC (--email)."
)
@click.option("--replace", is_flag=True, help="Replace an existing user of that name.")
@users_option
def user_add(
    name: str, role: str, departments: tuple[str, ...], email: str | None, no_reveal: bool,
    password_stdin: bool, no_password: bool, replace: bool, users_file: Path | None,
) -> None:  # fmt: skip
    """Add a user; asks for the password (hidden) unless --password-stdin or --no-password."""
    from warehouse.users import add_user, users_path

    password: str | None
    if no_password:
        if not email:
            raise DubanError("--no-password needs --email: the OIDC identity the user signs in as")
        password = None
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    added = add_user(
        users_path(users_file), name, role, departments, password=password, email=email,
        may_reveal=False if no_reveal else None, replace=replace,
    )  # fmt: skip
    scope = f" ({', '.join(added.departments)})" if added.departments else ""
    click.echo(f"added user {added.name}: {added.role}{scope}")


@user.command("remove")
@click.argument("name")
@users_option
def user_remove(name: str, users_file: Path | None) -> None:
    """Remove a user."""
    from warehouse.users import remove_user, users_path

    if not remove_user(users_path(users_file), name):
        raise DubanError(f"no user {name}: `duban user list` shows the users")
    click.echo(f"removed user {name}")


@user.command("list")
@users_option
def user_list(users_file: Path | None) -> None:
    """List the users: name, role, departments, email, reveal right (never the hashes)."""
    from warehouse.users import load_users, users_path

    for entry in sorted(load_users(users_path(users_file)).values(), key=lambda u: u.name):
        click.echo(
            "\t".join(
                (
                    entry.name, entry.role, "、".join(entry.departments) or "-",
                    entry.email or "-", "reveal" if entry.may_reveal else "-",
                    "password" if entry.password_hash else "oidc-only",
                )
            )
        )  # fmt: skip


@user.command("demo")
@users_option
def user_demo(users_file: Path | None) -> None:
    """Create one demo account per role with fresh random passwords, and print them."""
    from warehouse.users import create_demo_users, load_users, users_path

    path = users_path(users_file)
    passwords = create_demo_users(path)
    users = load_users(path)
    click.echo(f"demo accounts in {path} (passwords change on every run):")
    for name, password in passwords.items():
        scope = "、".join(users[name].departments)
        click.echo(f"  {name:<16} {users[name].role:<10} {scope:<6} {password}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="duban")
