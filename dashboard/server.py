"""The served app (`duban serve` runs this file): the router as a Streamlit st.App that warms up.

`st.App` runs the router (`streamlit_app.py`) as `streamlit run` would and calls its lifespan
hook once the runtime, and with it `st.cache_data`, has started, before the server accepts
connections. The hook starts the opening overview's warm-up there, so that it runs while the
first browser loads the page and its viewer signs in, not only from the first visitor's run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

from dashboard import session_cookie

LOG = logging.getLogger("duban.dashboard")


def warm_at_start() -> None:
    """Import the dashboard's modules and start the current warehouse's warm-up (once per
    warehouse version and as-of mark: the first visitor's run then finds it started)."""
    try:
        from dashboard import queries, warmup  # duckdb, polars and the caches: ~0.3 s

        version = queries.current_version()
        if version is not None:
            warmup.start(version)
    except Exception:  # only a head start: the first visitor's run starts the warm-up itself
        LOG.warning("warm-up at start failed", exc_info=True)


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    """Streamlit's runtime has started: warm up in the background, serve meanwhile."""
    threading.Thread(target=warm_at_start, name="duban-start", daemon=True).start()
    yield


# the routes hand a password sign-in its cookie, so that a reload keeps the viewer signed in
app = st.App("streamlit_app.py", lifespan=lifespan, routes=session_cookie.routes())
