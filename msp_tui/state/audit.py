"""Provides the local audit log: one row for every mutating API call, whatever its outcome."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from msp_tui.api.audit import AuditEvent, AuditSink


@dataclass(frozen=True)
class AuditRow:
    """One recorded mutating call."""

    at: str
    profile: str
    method: str
    path: str
    outcome: str
    status: int | None
    detail: str


class AuditLog:
    """Appends to and reads the audit_log table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def sink(self, profile: str) -> AuditSink:
        """Returns a callback for the API client that records events for `profile`."""

        def record(event: AuditEvent) -> None:
            self.record(profile, event)

        return record

    def record(self, profile: str, event: AuditEvent) -> None:
        """Appends one event (bodies arrive already redacted by the client)."""
        self._conn.execute(
            "INSERT INTO audit_log (at, profile, method, path, outcome, status, detail, body)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.at.isoformat(),
                profile,
                event.method,
                event.path,
                event.outcome,
                event.status,
                event.detail,
                json.dumps(event.body) if event.body is not None else None,
            ),
        )

    def recent(self, limit: int = 200, profile: str | None = None) -> list[AuditRow]:
        """Returns the newest rows first."""
        sql = "SELECT at, profile, method, path, outcome, status, detail FROM audit_log"
        args: tuple[object, ...] = ()
        if profile:
            sql += " WHERE profile = ?"
            args = (profile,)
        sql += " ORDER BY id DESC LIMIT ?"
        rows = self._conn.execute(sql, (*args, limit)).fetchall()
        return [AuditRow(*row) for row in rows]
