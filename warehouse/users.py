"""Dashboard accounts: a JSON file of users with roles, departments and salted argon2 hashes.

The file (env DUBAN_USERS, else data/users.json; `docs/users.json.example` shows the shape) is
written atomically with mode 0600 and never holds a password, only argon2id hashes.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from warehouse.access import ANALYST, DEPARTMENT, ROLES, Viewer

DEFAULT_USERS = Path("data") / "users.json"
NAME_PATTERN = re.compile(r"^[\w.@-]{1,64}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
DEMO_DEPARTMENTS = ("城管", "民政")


class UserError(ValueError):
    """A user entry or command that cannot be carried out as given."""


@dataclass(frozen=True)
class User:
    """One account. `password_hash` is None for an account that signs in through OIDC only."""

    name: str
    role: str
    departments: tuple[str, ...] = ()
    email: str | None = None
    may_reveal: bool = False
    password_hash: str | None = None

    def viewer(self) -> Viewer:
        """What the access layer needs to know about this user."""
        return Viewer(
            name=self.name,
            role=self.role,
            departments=self.departments,
            may_reveal=self.role == ANALYST and self.may_reveal,
        )


def users_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The users file: the explicit path, else env DUBAN_USERS, else data/users.json."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("DUBAN_USERS")
    return Path(env) if env else DEFAULT_USERS


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """A salted argon2id hash of a password of at least MIN_PASSWORD characters."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UserError(f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return _hasher().hash(password)


def check_user(user: User) -> User:
    """The entry itself, or UserError saying what is wrong with it."""
    if not NAME_PATTERN.match(user.name):
        raise UserError(f"user name {user.name!r}: use 1-64 letters, digits, . _ @ or -")
    if user.role not in ROLES:
        raise UserError(f"user {user.name}: role must be one of {', '.join(ROLES)}")
    if user.role == DEPARTMENT and not user.departments:
        raise UserError(f"user {user.name}: a department user needs --department")
    if user.role != DEPARTMENT and user.departments:
        raise UserError(f"user {user.name}: only department users have departments")
    if any(not d.strip() or len(d) > 50 for d in user.departments):
        raise UserError(f"user {user.name}: department names must be 1-50 characters")
    if user.may_reveal and user.role != ANALYST:
        raise UserError(f"user {user.name}: only analysts may reveal personal information")
    return user


def _from_json(entry: dict[str, Any]) -> User:
    return check_user(
        User(
            name=str(entry["name"]),
            role=str(entry.get("role") or ""),
            departments=tuple(str(d) for d in entry.get("departments") or ()),
            email=(str(entry["email"]).lower() if entry.get("email") else None),
            may_reveal=bool(entry.get("may_reveal", False)),
            password_hash=entry.get("password_hash") or None,
        )
    )


def load_users(path: Path | None = None) -> dict[str, User]:
    """Every user in the file by name; no file means no users (so nobody gets in)."""
    path = path or users_path()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, json.JSONDecodeError) as error:
        raise UserError(f"users file {path} cannot be read: {error}") from None
    try:
        users = [_from_json(entry) for entry in document.get("users", [])]
    except (KeyError, TypeError, AttributeError) as error:
        raise UserError(f"users file {path}: malformed entry ({error})") from None
    return {user.name: user for user in users}


def save_users(path: Path, users: dict[str, User]) -> None:
    """Write the users file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "users": [
            {**asdict(user), "departments": list(user.departments)}
            for user in sorted(users.values(), key=lambda u: u.name)
        ]
    }
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(document, file, ensure_ascii=False, indent=2)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _locked(path: Path) -> Iterator[dict[str, User]]:
    """The users, under an exclusive lock, saved on a clean exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        users = load_users(path)
        yield users
        save_users(path, users)


def add_user(
    path: Path,
    name: str,
    role: str,
    departments: tuple[str, ...] = (),
    password: str | None = None,
    email: str | None = None,
    may_reveal: bool | None = None,
    replace: bool = False,
) -> User:
    """Add (or with `replace`, replace) a user; analysts may reveal unless `may_reveal` is False."""
    user = check_user(
        User(
            name=name,
            role=role,
            departments=tuple(dict.fromkeys(d.strip() for d in departments)),
            email=email.lower() if email else None,
            may_reveal=(role == ANALYST) if may_reveal is None else may_reveal,
            password_hash=hash_password(password) if password is not None else None,
        )
    )
    with _locked(path) as users:
        if name in users and not replace:
            raise UserError(f"user {name} exists: remove it first, or replace it")
        if user.email and any(
            u.email == user.email and u.name != name for u in users.values()
        ):  # fmt: skip
            raise UserError(f"email {user.email} belongs to another user")
        users[name] = user
    return user


def remove_user(path: Path, name: str) -> bool:
    """Remove a user; False when there was none by that name."""
    with _locked(path) as users:
        return users.pop(name, None) is not None


def authenticate(name: str, password: str, path: Path | None = None) -> Viewer | None:
    """The user's Viewer when the password matches its hash, else None (in about equal time)."""
    if not isinstance(name, str) or not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return None
    user = load_users(path).get(name)
    stored = user.password_hash if user else None
    try:
        _hasher().verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or stored is None:
        return None
    viewer = user.viewer()
    return viewer if viewer.is_known else None


def viewer_for(name: str, path: Path | None = None) -> Viewer | None:
    """The current Viewer of a signed-in user (so a removed or changed user takes effect)."""
    user = load_users(path).get(name)
    return user.viewer() if user else None


def viewer_for_email(email: str | None, path: Path | None = None) -> Viewer | None:
    """The Viewer of the user whose `email` is the OIDC identity's (st.user.email), else None."""
    if not email:
        return None
    wanted = email.strip().lower()
    matches = [u for u in load_users(path).values() if u.email == wanted]
    return matches[0].viewer() if len(matches) == 1 else None


def create_demo_users(path: Path | None = None) -> dict[str, str]:
    """One demo account per role (two department users), fresh random passwords; name -> password.

    Replaces earlier demo accounts of the same names and leaves every other user alone.
    """
    path = path or users_path()
    accounts: list[tuple[str, str, tuple[str, ...]]] = [
        ("demo-leader", "leader", ()),
        ("demo-analyst", "analyst", ()),
        ("demo-chengguan", DEPARTMENT, (DEMO_DEPARTMENTS[0],)),
        ("demo-minzheng", DEPARTMENT, (DEMO_DEPARTMENTS[1],)),
        ("demo-meeting", "meeting", ()),
        ("demo-admin", "admin", ()),
    ]
    passwords: dict[str, str] = {}
    for name, role, departments in accounts:
        password = secrets.token_urlsafe(12)
        add_user(path, name, role, departments, password=password, replace=True)
        passwords[name] = password
    return passwords
