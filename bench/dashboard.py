"""Benchmark: the served dashboard at scale, driven over Streamlit's websocket like a browser.

Each run starts `duban serve` on a warehouse (a new server process: a cold start), signs in
through the password form as an analyst (the role that sees every aggregate page and the record
tables), then on every page: a community change and a period change that miss the cache, and a
return to an earlier view (cached). Then two loads of 20 sessions, each session signing in and
walking every page with a community change:

- paced like people (the issue's bounded load, the figure held against the target): the sessions
  arrive over `RAMP` seconds (Locust's spawn rate) and each waits a think time drawn uniformly
  from `THINK` seconds between its actions (Locust's `between`);
- all at once with no think time (a stress test): 20 sign-ins at the same moment, then every
  action back to back. One Streamlit process runs every session's script, so by the interactive
  response time law (R = N / X - Z, with Z = 0) its p95 is bound to about 20 x a rerun's
  Python time whatever the queries cost; it is reported beside the paced figure, not instead.

A run's time is from sending its `rerun_script` to receiving its `script_finished`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

from bench.dashboard_client import RunResult, StreamlitSession
from bench.harness import BenchResult, Timing, report, run_command
from dashboard.i18n import translate
from dashboard.registry import PAGES
from warehouse.access import ANALYST
from warehouse.users import add_user

DUBAN = str(Path(sys.executable).with_name("duban"))
ENV = {"GX_ANALYTICS_ENABLED": "False"}
LANGUAGE = "zh"
USER = "bench-analyst"
SESSIONS = 20
RAMP = 10.0  # seconds over which the paced sessions arrive: 2 sign-ins a second
THINK = (2.0, 6.0)  # seconds a paced session waits between its actions, drawn uniformly
TARGETS = {"miss": 1.0, "cached": 0.2, "cold": 3.0, "p95": 2.0}
ANALYST_PAGES = [page.url_path for page in PAGES if ANALYST in page.roles]


def label(key: str) -> str:
    """A widget's label as the page shows it."""
    return translate(key, LANGUAGE)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`duban serve` on a warehouse, with its own users and audit files."""

    def __init__(self, warehouse: Path, work: Path, password: str) -> None:
        self.port = free_port()
        self.password = password
        users = work / "users.json"
        if not users.exists():
            add_user(users, USER, ANALYST, (), password=password, replace=True)
        env = {
            **os.environ,
            **ENV,
            "DUBAN_USERS": str(users),
            "DUBAN_AUDIT": str(work / "audit.sqlite"),
        }
        command = [DUBAN, "serve", "--port", str(self.port), "--warehouse", str(warehouse)]
        self.log = (work / "serve.log").open("ab")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=self.log, start_new_session=True
        )

    def peak_rss_mb(self) -> float:
        """The server's peak resident memory so far."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        except OSError:
            return 0.0
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        """Stop the server (its process group) and wait for it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


async def connect(server: Server, deadline: float = 60.0) -> StreamlitSession:
    """A session on the server, retrying while it starts."""
    while True:
        session = StreamlitSession(server.port)
        try:
            await session.open()
            return session
        except OSError:
            if server.process.poll() is not None:
                raise RuntimeError("duban serve exited; see serve.log") from None
            if time.perf_counter() - server.started > deadline:
                raise
            await asyncio.sleep(0.02)


def check(result: RunResult, what: str) -> RunResult:
    """The run, or an error when the page showed one."""
    if result.errors:
        raise RuntimeError(f"{what}: {result.errors}")
    return result


async def sign_in(
    session: StreamlitSession, password: str, pause: Callable[[], Awaitable[None]] | None = None
) -> list[float]:
    """Open the app and sign in through the form, as a user does (with `pause` as the time the
    user takes to type); the two runs' seconds."""
    form = check(await session.run("", f"lang={LANGUAGE}"), "sign-in form")
    if pause is not None:
        await pause()
    session.set_text(label("auth.user"), USER)
    session.set_text(label("auth.password"), password)
    session.press(label("auth.submit"))
    signed = check(await session.run(), "sign-in")
    if label("auth.sign_out") not in session.widgets:
        raise RuntimeError("sign-in did not succeed")
    return [form.seconds, signed.seconds]


def set_period(session: StreamlitSession, month: date) -> None:
    """Pick a whole month in the sidebar's period."""
    end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    session.set_date(label("filter.from"), month)
    session.set_date(label("filter.to"), end)


def month_before(month: date, count: int) -> date:
    """The first of the month `count` months before `month`."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def default_month(session: StreamlitSession) -> date:
    """The period the app opened with (the first of its month), from the URL."""
    for part in session.query.split("&"):
        if part.startswith("from="):
            return date.fromisoformat(part[5:]).replace(day=1)
    raise RuntimeError(f"no period in the URL: {session.query}")


async def pages_once(server: Server) -> dict[str, float]:
    """One cold start and every page's miss and cached runs; step -> seconds."""
    times: dict[str, float] = {}
    session = await connect(server)
    await sign_in(session, server.password)
    times["cold start: server start to the overview after signing in"] = (
        time.perf_counter() - server.started
    )
    base = default_month(session)
    communities = session.widgets[label("filter.community")].options[1:]
    everyone = label("filter.all")
    for index, page in enumerate(ANALYST_PAGES):
        check(await session.run(page), page)  # open it on the view of the last page
        session.choose(label("filter.community"), communities[index % len(communities)])
        miss = check(await session.run(), f"{page} community")
        times[f"{page}: community change (miss)"] = miss.seconds
        set_period(session, month_before(base, index + 1))
        miss = check(await session.run(), f"{page} period")
        times[f"{page}: period change (miss)"] = miss.seconds
        session.choose(label("filter.community"), everyone)
        set_period(session, base)
        cached = check(await session.run(), f"{page} cached")
        times[f"{page}: back to the opening view (cached)"] = cached.seconds
    await session.close()
    return times


class Pacing:
    """When a paced session arrives and how long it thinks between actions (seeded)."""

    def __init__(self, seed: int, arrival: float, think: tuple[float, float] = THINK) -> None:
        self.arrival = arrival
        self.think_range = think
        self.chooser = random.Random(seed)

    def think(self) -> float:
        """The next think time in seconds."""
        return self.chooser.uniform(*self.think_range)


def arrivals(sessions: int, ramp: float = RAMP) -> list[float]:
    """Each paced session's start, in seconds from the first: evenly over the ramp."""
    return [ramp * n / sessions for n in range(sessions)]


async def walker(
    server: Server, seed: int, samples: list[float], pacing: Pacing | None = None
) -> None:
    """One of the concurrent sessions: sign in, then every page with a community change; with
    `pacing`, it arrives late and thinks between its actions, as a person does."""

    async def pause() -> None:
        if pacing is not None:
            await asyncio.sleep(pacing.think())

    chooser = random.Random(seed)
    if pacing is not None:
        await asyncio.sleep(pacing.arrival)
    session = await connect(server)
    form, signed = await sign_in(session, server.password, pause)
    samples += [form, signed]
    options = session.widgets[label("filter.community")].options
    for page in ANALYST_PAGES:
        await pause()
        samples.append(check(await session.run(page), page).seconds)
        await pause()
        session.choose(label("filter.community"), chooser.choice(options[:6]))
        samples.append(check(await session.run(), f"{page} community").seconds)
    await session.close()


async def concurrent(server: Server, sessions: int, seed: int, paced: bool) -> list[float]:
    """Every run's seconds from `sessions` sessions walking the app together: paced like
    people, or all at once with no think time."""
    samples: list[float] = []
    starts = arrivals(sessions)
    await asyncio.gather(
        *(
            walker(
                server,
                seed * 100 + n,
                samples,
                Pacing(seed * 100 + n, starts[n]) if paced else None,
            )
            for n in range(sessions)
        )
    )
    return samples


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


LOADS = {True: "paced like people", False: "all at once, no think time (stress)"}


def measure(warehouse: Path, runs: int, sessions: int, work: Path) -> BenchResult:
    """The timings over `runs` fresh servers."""
    think = f"{THINK[0]:.0f}-{THINK[1]:.0f} s"
    result = BenchResult(
        name="The dashboard, served",
        description=(
            f"`duban serve` on `{warehouse.name}` and headless sessions that speak Streamlit's "
            "websocket protocol with its own protobufs (`rerun_script` with the URL's query "
            "string and the widget states, timed to `script_finished`: the server's whole "
            "work, no drawing). Each run is a new server (a cold start: process start, "
            "sign-in through the form, the overview); then, on each page an analyst may open, "
            "a community change and a period change not seen before (cache misses) and a "
            f"return to the opening view (cached); then {sessions} sessions, each signing in "
            "and walking every page with a community change: first paced like people (they "
            f"arrive over {RAMP:.0f} s and think {think} between actions, drawn uniformly; "
            "the bounded load the target is held against), then all at once with no think "
            "time (a stress test; one Streamlit process runs every session's script, so its "
            f"p95 is bound to about {sessions} reruns' Python time)."
        ),
    )
    password = secrets.token_urlsafe(12)
    steps: dict[str, list[float]] = {}
    peaks: list[float] = []
    loads: dict[bool, list[float]] = {True: [], False: []}
    all_samples: dict[bool, list[float]] = {True: [], False: []}
    for run in range(runs):
        server = Server(warehouse, work, password)
        try:
            for step, seconds in asyncio.run(pages_once(server)).items():
                steps.setdefault(step, []).append(seconds)
            for paced in (True, False):
                samples = asyncio.run(concurrent(server, sessions, run, paced))
                loads[paced].append(p95(samples))
                all_samples[paced] += samples
            peaks.append(server.peak_rss_mb())
        finally:
            server.stop()
    peak = max(peaks, default=0.0)
    result.timings = [Timing(step, seconds, peak) for step, seconds in steps.items()]
    for paced in (True, False):
        step = f"{sessions} sessions, {LOADS[paced]}: p95 of their runs"
        result.timings.append(Timing(step, loads[paced], peak))
    result.notes += notes(result.timings, all_samples, sessions)
    return result


def notes(timings: list[Timing], samples: dict[bool, list[float]], sessions: int) -> list[str]:
    """The targets and whether the medians meet them."""

    def worst(kind: str) -> Timing:
        return max((t for t in timings if kind in t.step), key=lambda t: t.median)

    miss, cached = worst("(miss)"), worst("(cached)")
    cold, paced, stress = timings[0], timings[-2], timings[-1]
    verdict = {True: "met", False: "NOT met"}
    return [
        f"slowest miss: {miss.step} {miss.median:.2f} s (target < {TARGETS['miss']:.0f} s: "
        f"{verdict[miss.median < TARGETS['miss']]})",
        f"slowest cached: {cached.step} {cached.median:.2f} s (target < "
        f"{TARGETS['cached']:.1f} s: {verdict[cached.median < TARGETS['cached']]})",
        f"cold start {cold.median:.2f} s (target < {TARGETS['cold']:.0f} s: "
        f"{verdict[cold.median < TARGETS['cold']]})",
        f"{sessions} sessions paced like people: p95 {paced.median:.2f} s over "
        f"{len(samples[True])} runs, max {max(samples[True], default=0):.2f} s (target p95 < "
        f"{TARGETS['p95']:.0f} s: {verdict[paced.median < TARGETS['p95']]})",
        f"{sessions} sessions all at once, no think time (stress, not the target): p95 "
        f"{stress.median:.2f} s over {len(samples[False])} runs, max "
        f"{max(samples[False], default=0):.2f} s",
        "peak RSS is the server's; the client runs on the same machine and shares its cores",
    ]


def run(
    runs: int, scale: str = "10m", warehouse: Path | None = None, sessions: int = SESSIONS
) -> BenchResult:
    """Measure on `warehouse`, or on one generated, ingested and built at `scale` here."""
    work = Path(tempfile.mkdtemp(prefix="duban-bench-dashboard-"))
    try:
        if warehouse is None:
            source, warehouse = work / "src", work / "warehouse.duckdb"
            run_command([DUBAN, "generate", "--out", str(source), "--scale", scale], env=ENV)
            ingest = f'"{DUBAN}" ingest "{source}" --warehouse "{warehouse}" >/dev/null 2>&1'
            run_command(["/bin/sh", "-c", f"{ingest}; [ $? -le 1 ]"], env=ENV)
            run_command([DUBAN, "build", "--full", "--warehouse", str(warehouse)], env=ENV)
        result = measure(warehouse.resolve(), runs, sessions, work)
        result.name = f"The dashboard, served, at the `{scale}` scale"
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    """`python -m bench.dashboard`: this benchmark alone, its markdown on stdout."""
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", default="10m", help="the scale (named in the report)")
    parser.add_argument("--warehouse", type=Path, help="a built warehouse (else build one)")
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    args = parser.parse_args()
    result = run(args.runs, args.scale, args.warehouse, args.sessions)
    print(report([result], args.runs))


if __name__ == "__main__":
    main()
