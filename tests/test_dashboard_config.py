"""The served dashboard's Streamlit settings: what `duban serve` passes and what it turns off."""

from __future__ import annotations

from streamlit import config

from pipelines.cli import serve_command


def _settings(command: list[str]) -> dict[str, str]:
    flags = command[command.index("run") + 2 :]
    return dict(zip(flags[::2], flags[1::2], strict=True))


def test_streamlit_runs_no_full_garbage_collection_after_every_run() -> None:
    settings = _settings(serve_command(8501))
    assert settings["--runner.postScriptGC"] == "false"
    assert settings["--server.port"] == "8501"
    for flag in settings:  # every flag is still one of Streamlit's options
        assert flag.removeprefix("--") in config._config_options_template
