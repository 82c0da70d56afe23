"""The served app: `duban serve` runs an st.App whose start-up hook begins the warm-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.web.server.app_discovery import discover_asgi_app

from pipelines.cli import serve_command

SERVER = Path(__file__).resolve().parents[1] / "dashboard" / "server.py"

# run in a fresh interpreter: st.App sets Streamlit's process-wide main script path
LIFESPAN = """
import asyncio, threading
from dashboard import server, warmup
started = []
warmup.start = lambda version: started.append(version.path) or True
async def serve():
    async with server.lifespan(server.app):
        pass
asyncio.run(serve())
for thread in threading.enumerate():
    if thread.name == "duban-start":
        thread.join(timeout=60)
print(started)
"""


def test_duban_serve_runs_the_app_streamlit_discovers() -> None:
    command = serve_command(8501)
    assert command[command.index("run") + 1] == str(SERVER)
    found = discover_asgi_app(SERVER)
    assert found.is_asgi_app
    assert found.app_name == "app"


def _lifespan(warehouse: Path) -> str:
    env = {**os.environ, "DUBAN_WAREHOUSE": str(warehouse), "GX_ANALYTICS_ENABLED": "False"}
    result = subprocess.run(
        [sys.executable, "-c", LIFESPAN], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_the_start_up_hook_starts_the_current_warehouse_s_warm_up(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    warehouse.write_bytes(b"")  # only its identity is read before the warm-up
    assert _lifespan(warehouse) == repr([str(warehouse.resolve())])
    assert _lifespan(tmp_path / "none.duckdb") == "[]"  # no warehouse yet: nothing to warm
