"""Provides the in-memory working set of the demo authority, written through to SQLite.

Records are plain dicts with short snake_case keys (see seed.py for their fields). Every
request's mutations are collected with `touch`/`discard` and written by `flush` in one
transaction, so the file on disk is always a consistent state (WAL journal; survives
kill -9).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Record = dict[str, Any]

SCHEMA_VERSION = "1"
TABLES = ("orgs", "users", "devices", "archives")


class Store:
    """Orgs, users, devices and archives of every tenant, with lookup indexes."""

    def __init__(self, db_path: Path | None) -> None:
        target = ":memory:" if db_path is None else str(db_path)
        if db_path is not None:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        for table in TABLES:
            self.db.execute(f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, data TEXT NOT NULL)")
        self.lock = threading.RLock()
        self.meta: dict[str, str] = {}
        self.orgs: dict[int, Record] = {}
        self.users: dict[int, Record] = {}
        self.devices: dict[int, Record] = {}
        self.archives: dict[str, Record] = {}
        self._pending: dict[str, dict[str, Record | None]] = {t: {} for t in TABLES}
        self._pending_meta: dict[str, str] = {}
        self._membership = 0
        """Bumped whenever records are added or removed (not when changed in place)."""
        self._tenant_lists: dict[tuple[str, str], tuple[int, list[Record]]] = {}

    # ---- persistence -------------------------------------------------------------------
    def is_seeded(self) -> bool:
        """True when the database holds a complete seed of the current schema."""
        row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        return row is not None and row[0] == SCHEMA_VERSION

    def wipe(self) -> None:
        """Deletes everything (before reseeding)."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            for table in (*TABLES, "meta"):
                self.db.execute(f"DELETE FROM {table}")
            self.db.execute("COMMIT")
            for mapping in (self.orgs, self.users, self.devices, self.archives, self.meta):
                mapping.clear()
            self._membership += 1

    def bulk_insert(self, data: dict[str, list[Record]], meta: dict[str, str]) -> None:
        """Writes a whole seed in one transaction and loads it into memory."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for table in TABLES:
                    rows = data.get(table, [])
                    self.db.executemany(
                        f"INSERT OR REPLACE INTO {table} (id, data) VALUES (?, ?)",
                        ((str(_key(table, r)), json.dumps(r, separators=(",", ":"))) for r in rows),
                    )
                meta = {**meta, "schema": SCHEMA_VERSION}
                self.db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items())
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.meta.update(meta)
            for table in TABLES:
                target = self._table(table)
                for rec in data.get(table, []):
                    target[_key(table, rec)] = rec
            self.reindex()

    def load(self) -> None:
        """Loads every table from SQLite into memory."""
        with self.lock:
            self.meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
            for table in TABLES:
                target = self._table(table)
                target.clear()
                recs = [json.loads(blob) for (blob,) in self.db.execute(f"SELECT data FROM {table}")]
                if table != "archives":
                    recs.sort(key=lambda r: r["id"])
                for rec in recs:
                    target[_key(table, rec)] = rec
            self.reindex()

    def touch(self, table: str, rec: Record) -> None:
        """Marks a record (new or changed) to be written by the next flush."""
        self._pending[table][str(_key(table, rec))] = rec

    def discard(self, table: str, rec: Record) -> None:
        """Deletes a record from memory now and from SQLite at the next flush."""
        key = _key(table, rec)
        self._table(table).pop(key, None)
        self._membership += 1
        self._pending[table][str(key)] = None
        if table == "archives":
            guids = self.archives_by_device.get(rec["device_id"], [])
            if rec["guid"] in guids:
                guids.remove(rec["guid"])

    def set_meta(self, key: str, value: str) -> None:
        """Changes a meta value (written by the next flush)."""
        self.meta[key] = value
        self._pending_meta[key] = value

    def flush(self) -> None:
        """Writes all pending changes in one transaction."""
        with self.lock:
            if not self._pending_meta and not any(self._pending.values()):
                return
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for table, changes in self._pending.items():
                    upserts = [(k, json.dumps(r, separators=(",", ":"))) for k, r in changes.items() if r is not None]
                    deletes = [(k,) for k, r in changes.items() if r is None]
                    if upserts:
                        self.db.executemany(f"INSERT OR REPLACE INTO {table} (id, data) VALUES (?, ?)", upserts)
                    if deletes:
                        self.db.executemany(f"DELETE FROM {table} WHERE id = ?", deletes)
                if self._pending_meta:
                    self.db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                        self._pending_meta.items())
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            finally:
                for changes in self._pending.values():
                    changes.clear()
                self._pending_meta.clear()

    def close(self) -> None:
        """Flushes and closes the database."""
        with self.lock:
            self.flush()
            self.db.close()

    # ---- ids ---------------------------------------------------------------------------
    def next_id(self, kind: str) -> int:
        """Returns the next integer id for `kind` ("org", "user", "computer")."""
        value = int(self.meta[f"next_{kind}_id"])
        self.set_meta(f"next_{kind}_id", str(value + 1))
        return value

    # ---- indexes -----------------------------------------------------------------------
    def reindex(self) -> None:
        """Rebuilds every lookup index from the records."""
        self._membership += 1
        self.org_by_guid = {o["guid"].lower(): o for o in self.orgs.values()}
        self.org_by_uid = {o["uid"]: o for o in self.orgs.values()}
        self.user_by_uid = {u["uid"]: u for u in self.users.values()}
        self.user_by_name = {u["username"].lower(): u for u in self.users.values()}
        self.device_by_guid = {d["guid"]: d for d in self.devices.values()}
        self.devices_by_user: dict[int, list[int]] = {}
        for dev in sorted(self.devices.values(), key=lambda d: d["id"]):
            self.devices_by_user.setdefault(dev["user_id"], []).append(dev["id"])
        self.archives_by_device: dict[int, list[str]] = {}
        for arc in self.archives.values():
            self.archives_by_device.setdefault(arc["device_id"], []).append(arc["guid"])
        for guids in self.archives_by_device.values():
            guids.sort(key=lambda g: self.archives[g]["dest"] != "43")

    def add(self, table: str, rec: Record) -> None:
        """Inserts a new record into memory and the indexes, and marks it for writing."""
        self._table(table)[_key(table, rec)] = rec
        self._membership += 1
        if table == "orgs":
            self.org_by_guid[rec["guid"].lower()] = rec
            self.org_by_uid[rec["uid"]] = rec
        elif table == "users":
            self.user_by_uid[rec["uid"]] = rec
            self.user_by_name[rec["username"].lower()] = rec
        elif table == "devices":
            self.device_by_guid[rec["guid"]] = rec
            self.devices_by_user.setdefault(rec["user_id"], []).append(rec["id"])
        else:
            self.archives_by_device.setdefault(rec["device_id"], []).append(rec["guid"])
        self.touch(table, rec)

    def _table(self, table: str) -> dict[Any, Record]:
        tables: dict[str, dict[Any, Record]] = {"orgs": self.orgs, "users": self.users,
                                                "devices": self.devices, "archives": self.archives}
        return tables[table]

    # ---- tenant views --------------------------------------------------------------------
    def tenant_orgs(self, tenant: str) -> Iterator[Record]:
        """Yields a tenant's orgs in id order."""
        return iter(self._tenant_list("orgs", tenant, by_id=True))

    def tenant_users(self, tenant: str) -> list[Record]:
        """Returns a tenant's users in id order (a shared list: do not modify it)."""
        return self._tenant_list("users", tenant)

    def tenant_devices(self, tenant: str) -> list[Record]:
        """Returns a tenant's devices in id order (a shared list: do not modify it)."""
        return self._tenant_list("devices", tenant)

    def _tenant_list(self, table: str, tenant: str, *, by_id: bool = False) -> list[Record]:
        """A tenant's records of a table, cached until a record is added or removed."""
        cached = self._tenant_lists.get((table, tenant))
        if cached is not None and cached[0] == self._membership:
            return cached[1]
        records = self._table(table).values()
        if by_id:
            records = sorted(records, key=lambda r: r["id"])  # type: ignore[assignment]
        found = [r for r in records if r["tenant"] == tenant]
        self._tenant_lists[(table, tenant)] = (self._membership, found)
        return found

    def device_archives(self, device_id: int) -> list[Record]:
        """Returns a device's archives (the "PROe Cloud, US" one first)."""
        return [self.archives[g] for g in self.archives_by_device.get(device_id, ())]

    def user_devices(self, user_id: int) -> list[Record]:
        """Returns a user's devices in id order."""
        return [self.devices[i] for i in self.devices_by_user.get(user_id, ())]

    def descendants(self, org_id: int) -> list[Record]:
        """Returns the org and all orgs below it."""
        found = [self.orgs[org_id]]
        index = 0
        while index < len(found):
            parent = found[index]["id"]
            found.extend(o for o in self.orgs.values() if o["parent_id"] == parent)
            index += 1
        return found


def _key(table: str, rec: Record) -> Any:
    return rec["guid"] if table == "archives" else rec["id"]
