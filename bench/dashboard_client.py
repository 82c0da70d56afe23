"""A headless Streamlit client: one browser session over the websocket, with Streamlit's protobufs.

It does what the browser does and nothing more: it sends `rerun_script` BackMsgs (the page, the
URL's query string and the widget states a user has set) and reads ForwardMsgs until the run's
`script_finished`. The widgets each run shows are remembered by label, so the benchmark can fill
the sign-in form and change a sidebar filter as a user would. The time of a run is from sending
the BackMsg to receiving its `script_finished`: the server's whole work, without any drawing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.asyncio.client import ClientConnection, connect

WIDGETS = ("text_input", "selectbox", "date_input", "button", "radio")
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)


@dataclass
class RunResult:
    """One run as the client saw it: seconds from request to `script_finished`, what it showed."""

    seconds: float
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class Widget:
    """A widget the last run showed: its id, kind and (for a selectbox) its options."""

    id: str
    kind: str
    options: list[str] = field(default_factory=list)


class StreamlitSession:
    """One browser tab's session with a served Streamlit app."""

    def __init__(self, port: int, timeout: float = 120.0) -> None:
        self.url = f"ws://127.0.0.1:{port}/_stcore/stream"
        self.origin = f"http://127.0.0.1:{port}"
        self.timeout = timeout
        self.page = ""
        self.query = ""
        self.widgets: dict[str, Widget] = {}
        self.states: dict[str, WidgetState] = {}
        self._socket: ClientConnection | None = None

    async def open(self) -> None:
        """Connect the websocket (as a page load does)."""
        self._socket = await connect(
            self.url,
            subprotocols=["streamlit"],  # type: ignore[list-item]
            origin=self.origin,  # type: ignore[arg-type]
            max_size=None,
            open_timeout=self.timeout,
        )

    async def close(self) -> None:
        """Close the websocket (as closing the tab does)."""
        if self._socket is not None:
            await self._socket.close()

    async def run(self, page: str | None = None, query: str | None = None) -> RunResult:
        """Rerun with the widget states set so far; optionally open another page or URL query."""
        if page is not None:
            self.page = page
        if query is not None:
            self.query = query
        state = ClientState(
            query_string=self.query,
            page_name=self.page,
            widget_states=WidgetStates(widgets=list(self.states.values())),
        )
        started = time.perf_counter()
        await self._send(BackMsg(rerun_script=state))
        # triggers (a button press) last one run, as in the browser
        self.states = {
            k: s for k, s in self.states.items() if s.WhichOneof("value") != "trigger_value"
        }
        result = await self._read_until_finished(started)
        return result

    def set_text(self, label: str, value: str) -> None:
        """Type into a text input."""
        widget = self.widgets[label]
        self.states[widget.id] = WidgetState(id=widget.id, string_value=value)

    def choose(self, label: str, option: str) -> None:
        """Pick an option (its shown text) in a selectbox or radio."""
        widget = self.widgets[label]
        self.states[widget.id] = WidgetState(id=widget.id, string_value=option)

    def set_date(self, label: str, value: date) -> None:
        """Pick a date in a date input."""
        widget = self.widgets[label]
        state = WidgetState(id=widget.id)
        state.string_array_value.data.append(value.isoformat())
        self.states[widget.id] = state

    def press(self, label: str) -> None:
        """Press a button (or a form's submit button) on the next run."""
        widget = self.widgets[label]
        self.states[widget.id] = WidgetState(id=widget.id, trigger_value=True)

    async def _send(self, message: BackMsg) -> None:
        assert self._socket is not None, "open() first"
        await self._socket.send(message.SerializeToString())

    async def _read_until_finished(self, started: float) -> RunResult:
        assert self._socket is not None, "open() first"
        result = RunResult(0.0)
        widgets: dict[str, Widget] = {}
        deadline = started + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no script_finished within {self.timeout} s ({self.page})")
            data = await self._socket.recv(decode=False)
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "new_session":
                widgets = {}  # a run that starts over (after st.rerun) shows its own widgets
                result.errors.clear()
                result.texts.clear()
            elif kind == "delta":
                self._element(message, widgets, result)
            elif kind == "page_info_changed":
                self.query = message.page_info_changed.query_string
            elif kind == "script_finished" and message.script_finished in DONE:
                result.seconds = time.perf_counter() - started
                self.widgets = widgets
                known = {w.id for w in widgets.values()}
                self.states = {k: s for k, s in self.states.items() if k in known}
                return result

    @staticmethod
    def _element(message: ForwardMsg, widgets: dict[str, Widget], result: RunResult) -> None:
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind in WIDGETS:
            proto: Any = getattr(element, kind)
            options = list(getattr(proto, "options", []))
            widgets[proto.label] = Widget(proto.id, str(kind), options)
        elif kind == "exception":
            result.errors.append(f"exception: {element.exception.message}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            result.errors.append(f"error: {element.alert.body}")
        elif kind == "metric":
            result.texts.append(f"{element.metric.label}={element.metric.body}")
        elif kind == "heading":
            result.texts.append(element.heading.body)
