"""The stand-in's persistent state in SQLite: users, app registrations, sessions, codes, tokens and the signing key.

A restart keeps everyone signed in and keeps revoked and logged-out tokens dead. Secrets are stored hashed
(passwords with scrypt; sessions, codes and refresh tokens with SHA-256), so the file leaks no usable credential.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, email TEXT UNIQUE NOT NULL, name TEXT NOT NULL, password_hash TEXT NOT NULL,
    groups TEXT NOT NULL DEFAULT '[]', sys_admin INTEGER NOT NULL DEFAULT 0, support INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL, logged_out_at REAL, logout_token_seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS apps (
    client_id TEXT PRIMARY KEY, name TEXT NOT NULL, redirect_uri TEXT NOT NULL, scopes TEXT NOT NULL,
    skip_authorization INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS codes (
    code_hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT NOT NULL, redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL, challenge TEXT, challenge_method TEXT, expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    jti TEXT PRIMARY KEY, user_id TEXT NOT NULL, client_id TEXT NOT NULL, scopes TEXT NOT NULL,
    issued REAL NOT NULL, expires REAL NOT NULL, revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, client_id TEXT NOT NULL, scopes TEXT NOT NULL,
    expires REAL NOT NULL, revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Columns added after the first release, so an existing data file is brought up to date at start. A "family" is
# every token descended from one authorization (a code, or an implicit grant): a replayed code or a reused
# refresh token revokes its whole family (RFC 6749 §4.1.2, RFC 9700 §4.14.2).
LATER_COLUMNS = {
    "codes": {"used": "INTEGER NOT NULL DEFAULT 0", "family": "TEXT"},
    "tokens": {"family": "TEXT"},
    "refresh_tokens": {"family": "TEXT"},
}

REFRESH_TOKEN_TTL_S = 14 * 24 * 3600
SESSION_TTL_S = 24 * 3600


class StoreUnusable(Exception):
    """The data file cannot be used; str() says why, in one line."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """scrypt, on purpose slow (~40 ms): run it off the event loop (asyncio.to_thread) in request handlers."""
    scheme, salt_hex, _ = (stored.split("$") + ["", ""])[:3]
    if scheme != "scrypt":
        return False
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt_hex)), stored)


DECOY_HASH = hash_password(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str
    groups: tuple[str, ...]
    sys_admin: bool
    support: bool
    created_at: int
    logged_out_at: float | None


@dataclass(frozen=True)
class App:
    client_id: str
    name: str
    redirect_uri: str
    scopes: tuple[str, ...]
    skip_authorization: bool


@dataclass(frozen=True)
class Grant:
    """A stored authorization code or refresh token."""

    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    redirect_uri: str = ""
    challenge: str | None = None
    challenge_method: str | None = None
    family: str = ""
    spent: bool = False  # a code already exchanged, or a refresh token already rotated or revoked


class Store:
    def __init__(self, path: Path, clock: Callable[[], float]) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir():
                raise StoreUnusable(f"{path} is a directory; give the path of a file")
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
            self._add_later_columns()
            self._db.execute("BEGIN IMMEDIATE")  # proves the file is writable now, not at the first sign-in
            self._db.execute("ROLLBACK")
        except sqlite3.DatabaseError as exc:
            raise StoreUnusable(f"{path} cannot be used as the stand-in's SQLite file: {exc}") from None
        except OSError as exc:
            raise StoreUnusable(f"{path} cannot be used: {exc.strerror or exc}") from None
        self._clock = clock

    def _add_later_columns(self) -> None:
        for table, columns in LATER_COLUMNS.items():
            present = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns.items():
                if name not in present:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    def purge_expired(self) -> int:
        """Drop expired sessions, codes and tokens, so the file does not grow with use; returns rows dropped.

        A code or refresh token is kept until it expires even when spent, so that a replay is still recognised.
        The newest access-token row always stays: log_out() compares row numbers, which must never go back.
        """
        now = self._clock()
        dropped = 0
        for statement in (
            "DELETE FROM sessions WHERE expires <= ?",
            "DELETE FROM codes WHERE expires <= ?",
            "DELETE FROM refresh_tokens WHERE expires <= ?",
            "DELETE FROM tokens WHERE expires <= ? AND rowid < (SELECT MAX(rowid) FROM tokens)",
        ):
            dropped += self._db.execute(statement, (now,)).rowcount
        return dropped

    def count(self, table: str) -> int:
        assert table in ("sessions", "codes", "tokens", "refresh_tokens")
        return int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    # settings (the signing key lives here)
    def setting(self, name: str, default: Callable[[], str]) -> str:
        row = self._db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        if row:
            return str(row["value"])
        value = default()
        self._db.execute("INSERT INTO settings (name, value) VALUES (?, ?)", (name, value))
        return value

    # users
    def ensure_user(self, email: str, password: str, name: str, groups: Iterable[str] = ()) -> User:
        """Create the user, or bring an existing one's password in line with what serve.py was told."""
        row = self._db.execute("SELECT * FROM users WHERE email = ?", (email.lower(),)).fetchone()
        if row is None:
            user_id = "user-" + secrets.token_hex(6)
            self._db.execute(
                "INSERT INTO users (id, email, name, password_hash, groups, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, email.lower(), name, hash_password(password), json.dumps(list(groups)), int(self._clock())),
            )
        elif not verify_password(password, row["password_hash"]):
            self._db.execute("UPDATE users SET password_hash = ? WHERE id = ?", (hash_password(password), row["id"]))
        user = self.user_by_email(email)
        assert user is not None
        return user

    def _user(self, row: sqlite3.Row | None) -> User | None:
        if row is None:
            return None
        return User(
            row["id"],
            row["email"],
            row["name"],
            tuple(json.loads(row["groups"])),
            bool(row["sys_admin"]),
            bool(row["support"]),
            row["created_at"],
            row["logged_out_at"],
        )

    def user(self, user_id: str) -> User | None:
        return self._user(self._db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone())

    def users(self) -> list[User]:
        """Everyone who can sign in here."""
        rows = self._db.execute("SELECT * FROM users ORDER BY name, id").fetchall()
        return [user for user in map(self._user, rows) if user is not None]

    def user_by_email(self, email: str) -> User | None:
        return self._user(self._db.execute("SELECT * FROM users WHERE email = ?", (email.lower(),)).fetchone())

    def password_record(self, email: str) -> tuple[User | None, str]:
        """The user an email names and the stored hash to check a password against (a decoy hash for no user,
        so that checking costs the same either way and timing does not tell which emails exist)."""
        row = self._db.execute("SELECT * FROM users WHERE email = ?", (email.strip().lower(),)).fetchone()
        if row is None:
            return None, DECOY_HASH
        return self._user(row), str(row["password_hash"])

    def check_credentials(self, email: str, password: str) -> User | None:
        user, stored = self.password_record(email)
        return user if verify_password(password, stored) and user is not None else None

    def log_out(self, user_id: str) -> None:
        """Every token issued to the user before now stops working (PlaceOS: logged_out_at >= iat).

        "Before" is kept as the token table's row sequence rather than a time: the JWT's iat has whole seconds,
        which would kill a token issued in the same second right after the logout.
        """
        self._db.execute(
            "UPDATE users SET logged_out_at = ?, logout_token_seq = (SELECT COALESCE(MAX(rowid), 0) FROM tokens) "
            "WHERE id = ?",
            (self._clock(), user_id),
        )
        self._db.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
        self._db.execute("UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ?", (user_id,))

    # app registrations
    def register_app(
        self, client_id: str, name: str, redirect_uri: str, scopes: Iterable[str], skip_authorization: bool = True
    ) -> App:
        self._db.execute(
            "INSERT INTO apps (client_id, name, redirect_uri, scopes, skip_authorization) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(client_id) DO UPDATE SET name = excluded.name, redirect_uri = excluded.redirect_uri, "
            "scopes = excluded.scopes, skip_authorization = excluded.skip_authorization",
            (client_id, name, redirect_uri, " ".join(scopes), int(skip_authorization)),
        )
        app = self.app(client_id)
        assert app is not None
        return app

    def app(self, client_id: str) -> App | None:
        row = self._db.execute("SELECT * FROM apps WHERE client_id = ?", (client_id,)).fetchone()
        if row is None:
            return None
        return App(
            row["client_id"],
            row["name"],
            row["redirect_uri"],
            tuple(row["scopes"].split()),
            bool(row["skip_authorization"]),
        )

    # browser sessions at the auth service
    def create_session(self, user_id: str, ttl_s: int = SESSION_TTL_S) -> str:
        session_id = secrets.token_urlsafe(32)
        self._db.execute(
            "INSERT INTO sessions (id_hash, user_id, expires) VALUES (?, ?, ?)",
            (digest(session_id), user_id, self._clock() + ttl_s),
        )
        return session_id

    def session_user(self, session_id: str) -> User | None:
        row = self._db.execute(
            "SELECT user_id, expires FROM sessions WHERE id_hash = ?", (digest(session_id),)
        ).fetchone()
        if row is None or row["expires"] <= self._clock():
            return None
        return self.user(row["user_id"])

    def end_session(self, session_id: str) -> None:
        self._db.execute("DELETE FROM sessions WHERE id_hash = ?", (digest(session_id),))

    # authorization codes (single use)
    def save_code(self, code: str, grant: Grant, ttl_s: float) -> None:
        self._db.execute(
            "INSERT INTO codes (code_hash, client_id, user_id, redirect_uri, scopes, challenge, challenge_method, "
            "expires, family) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                digest(code),
                grant.client_id,
                grant.user_id,
                grant.redirect_uri,
                " ".join(grant.scopes),
                grant.challenge,
                grant.challenge_method,
                self._clock() + ttl_s,
                grant.family or digest(code),
            ),
        )

    def code(self, code: str) -> Grant | None:
        """The code's grant until it expires, spent or not (a spent one is a replay: see revoke_family)."""
        row = self._db.execute("SELECT * FROM codes WHERE code_hash = ?", (digest(code),)).fetchone()
        if row is None or row["expires"] <= self._clock():
            return None
        return Grant(
            row["client_id"],
            row["user_id"],
            tuple(row["scopes"].split()),
            row["redirect_uri"],
            row["challenge"],
            row["challenge_method"],
            row["family"] or "",
            bool(row["used"]),
        )

    def spend_code(self, code: str) -> None:
        self._db.execute("UPDATE codes SET used = 1 WHERE code_hash = ?", (digest(code),))

    def revoke_family(self, family: str) -> None:
        """Every access and refresh token descended from one authorization stops working."""
        if family:
            self._db.execute("UPDATE tokens SET revoked = 1 WHERE family = ?", (family,))
            self._db.execute("UPDATE refresh_tokens SET revoked = 1 WHERE family = ?", (family,))

    # access tokens (by jti) and refresh tokens (by hash)
    def save_access_token(
        self, jti: str, user_id: str, client_id: str, scopes: Iterable[str], expires: float, family: str = ""
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO tokens (jti, user_id, client_id, scopes, issued, expires, family) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (jti, user_id, client_id, " ".join(scopes), self._clock(), expires, family or None),
        )

    def access_token_client(self, jti: str) -> str | None:
        row = self._db.execute("SELECT client_id FROM tokens WHERE jti = ?", (jti,)).fetchone()
        return str(row["client_id"]) if row else None

    def access_token_state(self, jti: str) -> str:
        """ "live", "revoked" (or unknown to us) or "logged out".

        Logged out wins over revoked: signing out revokes the token and then logs out, and PlaceOS then says
        "logged out".
        """
        row = self._db.execute(
            "SELECT tokens.revoked, tokens.rowid <= users.logout_token_seq AS logged_out FROM tokens "
            "JOIN users ON users.id = tokens.user_id WHERE jti = ?",
            (jti,),
        ).fetchone()
        if row is None:
            return "revoked"
        if row["logged_out"]:
            return "logged out"
        return "revoked" if row["revoked"] else "live"

    def revoke_access_token(self, jti: str) -> None:
        self._db.execute("UPDATE tokens SET revoked = 1 WHERE jti = ?", (jti,))

    def save_refresh_token(self, token: str, grant: Grant) -> None:
        self._db.execute(
            "INSERT INTO refresh_tokens (token_hash, user_id, client_id, scopes, expires, family) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                digest(token),
                grant.user_id,
                grant.client_id,
                " ".join(grant.scopes),
                self._clock() + REFRESH_TOKEN_TTL_S,
                grant.family or None,
            ),
        )

    def refresh_token(self, token: str) -> Grant | None:
        """The refresh token's grant until it expires; `spent` when it was rotated or revoked already."""
        row = self._db.execute("SELECT * FROM refresh_tokens WHERE token_hash = ?", (digest(token),)).fetchone()
        if row is None or row["expires"] <= self._clock():
            return None
        return Grant(
            row["client_id"],
            row["user_id"],
            tuple(row["scopes"].split()),
            family=row["family"] or "",
            spent=bool(row["revoked"]),
        )

    def revoke_refresh_token(self, token: str) -> None:
        self._db.execute("UPDATE refresh_tokens SET revoked = 1 WHERE token_hash = ?", (digest(token),))
