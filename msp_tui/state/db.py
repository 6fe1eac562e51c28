"""Provides the local SQLite state database (snapshot cache, wizard journals, audit log).

WAL mode and a busy timeout let two msp-tui processes share it safely; every write is a
transaction, so a kill -9 leaves either the old or the new state. A file that is not a
usable database is moved aside (kept, never deleted) and a fresh one is started.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from msp_tui import paths
from msp_tui.files import keep_aside

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    profile TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status INTEGER,
    detail TEXT NOT NULL DEFAULT '',
    body TEXT
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS wizard_runs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    profile TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    status TEXT NOT NULL,
    plan TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS wizard_steps (
    run_id TEXT NOT NULL REFERENCES wizard_runs(id),
    idx INTEGER NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT,
    outcome TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, idx)
);
"""


SNAPSHOTS_SCHEMA = "3"
"""Format of the snapshots table (see `state.cache`). On a mismatch the table is dropped and
recreated: it is only a cache, refetched by the next refresh. 1: pydantic JSON; 2: lean records;
3: lean records with a per-device summary (columns) ahead of the devices."""

SNAPSHOTS_TABLE = """
CREATE TABLE IF NOT EXISTS snapshots (
    profile TEXT PRIMARY KEY,
    fetched_at TEXT NOT NULL,
    orgs BLOB NOT NULL,
    users BLOB NOT NULL,
    devices BLOB NOT NULL,
    cold_storage BLOB NOT NULL
)
"""


class StateError(Exception):
    """The state database cannot be used; the message says what was done about it."""


_lock = threading.Lock()


def connect(path: Path | None = None) -> sqlite3.Connection:
    """Opens (creating if needed) the state database with the schema in place."""
    path = path or paths.state_db()
    paths.ensure_private_dir(path.parent)
    with _lock:
        try:
            return _open(path)
        except sqlite3.DatabaseError as exc:
            kept = keep_aside(path)
            try:
                conn = _open(path)
            except sqlite3.DatabaseError as again:
                raise StateError(f"Cannot open {path}: {again}.") from again
            conn.execute("PRAGMA user_version = 1")
            _warnings.append(
                f"{path} was damaged ({exc}); it was moved to {kept} and a new one started."
            )
            return conn


_warnings: list[str] = []


def take_warnings() -> list[str]:
    """Returns (and forgets) messages about state files that had to be replaced."""
    taken = list(_warnings)
    _warnings.clear()
    return taken


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=10.0, check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.executescript(SCHEMA)
        _ensure_snapshots_table(conn)
        conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn


def _ensure_snapshots_table(conn: sqlite3.Connection) -> None:
    """Creates the snapshots table, or drops and recreates it when its format is outdated."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'snapshots_schema'").fetchone()
    if row is not None and row[0] == SNAPSHOTS_SCHEMA:
        conn.execute(SNAPSHOTS_TABLE)
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'snapshots_schema'").fetchone()
        if row is None or row[0] != SNAPSHOTS_SCHEMA:  # another process may have just done it
            conn.execute("DROP TABLE IF EXISTS snapshots")
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('snapshots_schema', ?)",
                (SNAPSHOTS_SCHEMA,),
            )
        conn.execute(SNAPSHOTS_TABLE)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
