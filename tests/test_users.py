"""Accounts: argon2 hashes, sign-in, OIDC mapping, 8-hour sessions, the `duban user` CLI."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import cli
from warehouse.access import Viewer
from warehouse.sessions import (
    SESSION_HOURS,
    current_viewer,
    is_active,
    new_session,
    token_matches,
)
from warehouse.users import (
    UserError,
    add_user,
    authenticate,
    create_demo_users,
    load_users,
    remove_user,
    users_path,
    viewer_for,
    viewer_for_email,
)

PASSWORD = "correct horse battery"
NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with small costs, so the tests run fast (the parameters are in each hash)."""
    from argon2 import PasswordHasher

    from warehouse import users

    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: hasher)


@pytest.fixture
def users(tmp_path: Path) -> Path:
    return tmp_path / "users.json"


def test_the_file_holds_salted_argon2_hashes_only(users: Path) -> None:
    add_user(users, "ana", "analyst", password=PASSWORD)
    add_user(users, "ana2", "analyst", password=PASSWORD)
    text = users.read_text(encoding="utf-8")
    assert PASSWORD not in text
    hashes = [entry["password_hash"] for entry in json.loads(text)["users"]]
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert hashes[0] != hashes[1]  # salted
    assert stat.S_IMODE(users.stat().st_mode) == 0o600


def test_authenticate(users: Path) -> None:
    add_user(users, "cg", "department", ("城管",), password=PASSWORD)
    assert authenticate("cg", PASSWORD, users) == Viewer("cg", "department", ("城管",), False)
    assert authenticate("cg", PASSWORD + "x", users) is None
    assert authenticate("nobody", PASSWORD, users) is None
    assert authenticate("cg", "", users) is None
    assert authenticate("' or 1=1 --", PASSWORD, users) is None
    assert authenticate("cg", PASSWORD, users.with_name("missing.json")) is None


def test_analysts_may_reveal_unless_told_otherwise(users: Path) -> None:
    add_user(users, "ana", "analyst", password=PASSWORD)
    add_user(users, "ana2", "analyst", password=PASSWORD, may_reveal=False)
    add_user(users, "lead", "leader", password=PASSWORD)
    assert authenticate("ana", PASSWORD, users) == Viewer("ana", "analyst", (), True)
    assert authenticate("ana2", PASSWORD, users) == Viewer("ana2", "analyst", (), False)
    assert authenticate("lead", PASSWORD, users) == Viewer("lead", "leader", (), False)


@pytest.mark.parametrize(
    ("name", "role", "departments", "password"),
    [
        ("cg", "department", (), PASSWORD),  # a department user needs a department
        ("lead", "leader", ("城管",), PASSWORD),  # only department users have departments
        ("x", "superuser", (), PASSWORD),
        ("bad name!", "leader", (), PASSWORD),
        ("lead", "leader", (), "short"),
    ],
)
def test_invalid_users_are_refused(
    users: Path, name: str, role: str, departments: tuple[str, ...], password: str
) -> None:
    with pytest.raises(UserError):
        add_user(users, name, role, departments, password=password)
    assert load_users(users) == {}


def test_add_twice_remove_and_lookup(users: Path) -> None:
    add_user(users, "lead", "leader", password=PASSWORD, email="Lead@Example.org")
    with pytest.raises(UserError, match="exists"):
        add_user(users, "lead", "leader", password=PASSWORD)
    assert viewer_for_email("lead@example.org", users) == Viewer("lead", "leader")
    assert viewer_for_email("other@example.org", users) is None
    assert viewer_for("lead", users) == Viewer("lead", "leader")
    assert remove_user(users, "lead")
    assert not remove_user(users, "lead")
    assert viewer_for("lead", users) is None
    assert authenticate("lead", PASSWORD, users) is None


def test_oidc_only_users_cannot_sign_in_with_a_password(users: Path) -> None:
    add_user(users, "oidc", "leader", email="boss@example.org")
    assert authenticate("oidc", "", users) is None
    assert authenticate("oidc", PASSWORD, users) is None
    assert viewer_for_email("boss@example.org", users) == Viewer("oidc", "leader")


def test_demo_users_one_per_role(users: Path) -> None:
    add_user(users, "keep", "leader", password=PASSWORD)
    passwords = create_demo_users(users)
    roles = {load_users(users)[name].role for name in passwords}
    assert roles == {"leader", "analyst", "department", "meeting", "admin"}
    for name, password in passwords.items():
        viewer = authenticate(name, password, users)
        assert viewer is not None and viewer.is_known
    assert "keep" in load_users(users)


def test_the_users_path_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_USERS", "/tmp/u.json")
    assert users_path() == Path("/tmp/u.json")
    monkeypatch.delenv("DUBAN_USERS")
    assert users_path() == Path("data/users.json")


def test_sessions_expire_after_eight_hours() -> None:
    session = new_session("ana", NOW)
    assert SESSION_HOURS == 8
    assert is_active(session, NOW)
    assert is_active(session, NOW + timedelta(hours=7, minutes=59))
    assert not is_active(session, NOW + timedelta(hours=8))
    assert not is_active(session, NOW - timedelta(seconds=1))
    assert not is_active(None, NOW)
    assert new_session("ana", NOW).token != session.token
    with pytest.raises(ValueError):
        is_active(session, datetime(2025, 5, 1, 9, 0))  # naive time


def test_current_viewer_checks_token_expiry_and_the_user_afresh() -> None:
    session = new_session("ana", NOW)
    known = {"ana": Viewer("ana", "analyst", may_reveal=True)}
    assert current_viewer(session, session.token, NOW, known.get) == known["ana"]
    assert current_viewer(session, "forged", NOW, known.get) is None
    assert current_viewer(session, None, NOW, known.get) is None
    assert current_viewer(session, session.token, NOW + timedelta(hours=9), known.get) is None
    removed: dict[str, Viewer] = {}
    assert current_viewer(session, session.token, NOW, removed.get) is None
    demoted = {"ana": Viewer("ana", None)}
    assert current_viewer(session, session.token, NOW, demoted.get) is None
    assert token_matches(session, session.token) and not token_matches(None, session.token)


def test_the_user_commands(users: Path) -> None:
    runner = CliRunner()
    base = ["--users", str(users)]
    added = runner.invoke(
        cli, ["user", "add", "cg", "--role", "department", "--department", "城管",
              "--password-stdin", *base], input=PASSWORD + "\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert authenticate("cg", PASSWORD, users) is not None
    listed = runner.invoke(cli, ["user", "list", *base])
    assert listed.exit_code == 0 and "cg\tdepartment\t城管" in listed.output
    assert "$argon2" not in listed.output and PASSWORD not in listed.output
    again = runner.invoke(cli, ["user", "add", "cg", "--role", "leader", "--password-stdin",
                                *base], input=PASSWORD + "\n")  # fmt: skip
    assert again.exit_code == 1 and "exists" in again.output
    nodept = runner.invoke(cli, ["user", "add", "d", "--role", "department", "--password-stdin",
                                 *base], input=PASSWORD + "\n")  # fmt: skip
    assert nodept.exit_code == 1 and "department" in nodept.output
    demo = runner.invoke(cli, ["user", "demo", *base])
    assert demo.exit_code == 0 and "demo-analyst" in demo.output
    removed = runner.invoke(cli, ["user", "remove", "cg", *base])
    assert removed.exit_code == 0
    missing = runner.invoke(cli, ["user", "remove", "cg", *base])
    assert missing.exit_code == 1 and "no user cg" in missing.output


def test_the_committed_examples_hold_no_secrets() -> None:
    from warehouse.paths import ROOT

    example = ROOT / "docs" / "users.json.example"
    assert all(user.password_hash is None for user in load_users(example).values())
    secrets_example = (ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8")
    assert 'client_secret = ""' in secrets_example and 'cookie_secret = ""' in secrets_example


def test_an_oidc_only_user_from_the_command_line(users: Path) -> None:
    runner = CliRunner()
    base = ["--users", str(users)]
    refused = runner.invoke(cli, ["user", "add", "x", "--role", "leader", "--no-password", *base])
    assert refused.exit_code == 1 and "--email" in refused.output
    added = runner.invoke(
        cli, ["user", "add", "x", "--role", "leader", "--no-password", "--email", "x@e.org", *base]
    )
    assert added.exit_code == 0, added.output
    assert "oidc-only" in runner.invoke(cli, ["user", "list", *base]).output
    assert viewer_for_email("x@e.org", users) == Viewer("x", "leader")
