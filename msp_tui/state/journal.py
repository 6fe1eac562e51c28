"""Provides the wizard journal: runs, steps and their outcomes in the SQLite state database.

Tables (wizard_runs and wizard_steps are in `state.db.SCHEMA`; the other two are created here):

- wizard_runs(id, kind, profile, created_at, updated_at, status, plan): one row per run; `plan`
  is the plan's JSON (`domain.wizards.model.Plan`), `status` a `RunStatus` value.
- wizard_steps(run_id, idx, status, started_at, ended_at, outcome): one row per plan step,
  written *before* the step starts (status running) and *after* it ends; `outcome` is JSON:
  {"key", "message", "outputs", "error", "advice", "reason", "attempts", "by"}.
- wizard_events(id, run_id, idx, at, event, detail): append-only history (started, done,
  failed, unknown, skipped with its reason, marked done by hand, rolled back...). It is the
  report of what was done.
- wizard_leases(run_id, owner, pid, host, heartbeat_at): which process is executing a run, so two
  processes never execute the same run at once; a lease whose process is gone is taken over.

Every write is one `BEGIN IMMEDIATE` transaction (WAL mode), so a kill -9 leaves the journal as
it was before or after the write, and two processes serialise instead of interleaving.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from msp_tui.domain.wizards.machine import RunStatus, WizardMachine
from msp_tui.domain.wizards.model import Plan, StepStatus

EXTRA_SCHEMA = """
CREATE TABLE IF NOT EXISTS wizard_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    idx INTEGER,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS wizard_events_run ON wizard_events(run_id, id);
CREATE TABLE IF NOT EXISTS wizard_leases (
    run_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
"""

LEASE_TIMEOUT = timedelta(minutes=10)
"""A lease held by a process on another host is considered stale after this long without a write."""

_PREFIX = {"migrate": "mig", "offboard": "off", "close-account": "close"}


class JournalError(Exception):
    """The journal cannot do what was asked (unknown run, busy run); the message says why."""


class RunBusyError(JournalError):
    """Another live process is executing this run."""


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class StepRecord:
    """One step of a run as journaled."""

    idx: int
    status: StepStatus
    started_at: str | None
    ended_at: str | None
    outcome: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The last outcome message."""
        return str(self.outcome.get("message") or "")

    @property
    def outputs(self) -> dict[str, Any]:
        """What the step produced (e.g. the uid of a created user)."""
        return dict(self.outcome.get("outputs") or {})


@dataclass(frozen=True)
class RunRecord:
    """A run with its plan and steps."""

    id: str
    kind: str
    profile: str
    created_at: str
    updated_at: str
    status: RunStatus
    plan: Plan
    steps: tuple[StepRecord, ...]

    def machine(self) -> WizardMachine:
        """The state machine of this run, at its journaled state."""
        rolling = self.status in (RunStatus.ROLLING_BACK, RunStatus.ROLLED_BACK)
        return WizardMachine(self.plan, [s.status for s in self.steps], rolling_back=rolling)

    def statuses_by_key(self) -> dict[str, str]:
        """Step key → status value."""
        return {step.key: rec.status.value for step, rec in zip(self.plan.steps, self.steps)}


@dataclass(frozen=True)
class Event:
    """One journaled event."""

    at: str
    idx: int | None
    event: str
    detail: str


class Journal:
    """Reads and writes wizard runs on a state-database connection (autocommit mode)."""

    def __init__(self, conn: sqlite3.Connection, *, now: Callable[[], datetime] = _utc_now,
                 owner: str | None = None) -> None:
        self.conn = conn
        self._now = now
        self.owner = owner or secrets.token_hex(8)
        conn.executescript(EXTRA_SCHEMA)

    def now_iso(self) -> str:
        """The journal's clock as ISO-8601 UTC."""
        return self._now().astimezone(timezone.utc).isoformat(timespec="seconds")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One BEGIN IMMEDIATE transaction: committed on success, rolled back on error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- runs -------------------------------------------------------------------------------

    def create_run(self, plan: Plan, *, run_id: str | None = None) -> str:
        """Records a new run of `plan` with every step pending, and returns its id."""
        now = self._now()
        run_id = run_id or f"{_PREFIX.get(plan.kind.value, 'run')}-{now:%Y%m%d}-{secrets.token_hex(2)}"
        stamp = self.now_iso()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO wizard_runs (id, kind, profile, created_at, updated_at, status, plan)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run_id, plan.kind.value, plan.profiles.get("source", ""), stamp, stamp,
                 RunStatus.PLANNED.value, plan.dumps()),
            )
            conn.executemany(
                "INSERT INTO wizard_steps (run_id, idx, status, outcome) VALUES (?, ?, ?, ?)",
                [(run_id, i, StepStatus.PENDING.value, json.dumps({"key": s.key}))
                 for i, s in enumerate(plan.steps)],
            )
            self._event(conn, run_id, None, "planned", plan.title)
        return run_id

    def resolve(self, ref: str) -> str:
        """Returns the run id for an id or a unique prefix of one."""
        rows = self.conn.execute(
            "SELECT id FROM wizard_runs WHERE id = ? OR id LIKE ? ORDER BY id", (ref, f"{ref}%")
        ).fetchall()
        ids = [r[0] for r in rows]
        if ref in ids:
            return ref
        if len(ids) == 1:
            return ids[0]
        if not ids:
            raise JournalError(f"no wizard run {ref!r} (see `msp-tui wizards list`)")
        raise JournalError(f"{ref!r} matches {len(ids)} runs: {', '.join(ids[:5])}")

    def run(self, ref: str) -> RunRecord:
        """Returns the run with its steps."""
        run_id = self.resolve(ref)
        row = self.conn.execute(
            "SELECT id, kind, profile, created_at, updated_at, status, plan FROM wizard_runs WHERE id = ?",
            (run_id,),
        ).fetchone()
        steps = self.conn.execute(
            "SELECT idx, status, started_at, ended_at, outcome FROM wizard_steps WHERE run_id = ? ORDER BY idx",
            (run_id,),
        ).fetchall()
        return RunRecord(
            id=row[0], kind=row[1], profile=row[2], created_at=row[3], updated_at=row[4],
            status=RunStatus(row[5]), plan=Plan.loads(row[6]),
            steps=tuple(StepRecord(r[0], StepStatus(r[1]), r[2], r[3], json.loads(r[4] or "{}")) for r in steps),
        )

    def list_runs(self, *, open_only: bool = False) -> list[RunRecord]:
        """Returns every run, newest first (open ones only if asked)."""
        ids = [r[0] for r in self.conn.execute(
            "SELECT id FROM wizard_runs ORDER BY created_at DESC, id DESC").fetchall()]
        runs = [self.run(i) for i in ids]
        return [r for r in runs if r.status.open] if open_only else runs

    def set_run_status(self, run_id: str, status: RunStatus, detail: str = "") -> None:
        """Records the run's status."""
        with self.transaction() as conn:
            old = conn.execute("SELECT status FROM wizard_runs WHERE id = ?", (run_id,)).fetchone()
            conn.execute("UPDATE wizard_runs SET status = ?, updated_at = ? WHERE id = ?",
                         (status.value, self.now_iso(), run_id))
            if old is None or old[0] != status.value or detail:
                self._event(conn, run_id, None, f"run-{status.value}", detail)
            self._heartbeat(conn, run_id)

    # -- steps ------------------------------------------------------------------------------

    def _step_outcome(self, conn: sqlite3.Connection, run_id: str, idx: int) -> tuple[StepStatus, dict[str, Any]]:
        row = conn.execute("SELECT status, outcome FROM wizard_steps WHERE run_id = ? AND idx = ?",
                           (run_id, idx)).fetchone()
        if row is None:
            raise JournalError(f"run {run_id} has no step {idx + 1}")
        return StepStatus(row[0]), json.loads(row[1] or "{}")

    def start_step(self, run_id: str, idx: int, detail: str = "") -> int:
        """Marks step `idx` running (before anything is sent); returns its attempt number."""
        stamp = self.now_iso()
        with self.transaction() as conn:
            _, outcome = self._step_outcome(conn, run_id, idx)
            attempts = int(outcome.get("attempts", 0)) + 1
            outcome.update(attempts=attempts, message=detail or "started")
            conn.execute(
                "UPDATE wizard_steps SET status = ?, started_at = ?, ended_at = NULL, outcome = ?"
                " WHERE run_id = ? AND idx = ?",
                (StepStatus.RUNNING.value, stamp, json.dumps(outcome), run_id, idx),
            )
            self._touch(conn, run_id, stamp)
            self._event(conn, run_id, idx, "started", f"attempt {attempts}" + (f": {detail}" if detail else ""))
        return attempts

    def finish_step(
        self,
        run_id: str,
        idx: int,
        status: StepStatus,
        message: str,
        *,
        outputs: dict[str, Any] | None = None,
        error: str | None = None,
        advice: str | None = None,
        reason: str | None = None,
        by: str | None = None,
        event: str | None = None,
    ) -> None:
        """Records the end of step `idx` with its outcome."""
        stamp = self.now_iso()
        with self.transaction() as conn:
            _, outcome = self._step_outcome(conn, run_id, idx)
            outcome["message"] = message
            if outputs:
                outcome["outputs"] = {**outcome.get("outputs", {}), **outputs}
            for name, value in (("error", error), ("advice", advice), ("reason", reason), ("by", by)):
                if value is not None:
                    outcome[name] = value
                elif name in ("error", "advice") and status in (StepStatus.DONE, StepStatus.SKIPPED):
                    outcome.pop(name, None)
            conn.execute(
                "UPDATE wizard_steps SET status = ?, ended_at = ?, outcome = ? WHERE run_id = ? AND idx = ?",
                (status.value, stamp, json.dumps(outcome), run_id, idx),
            )
            self._touch(conn, run_id, stamp)
            detail = message if not reason else f"{message} (reason: {reason})"
            self._event(conn, run_id, idx, event or status.value, detail)

    def outputs_of(self, run_id: str, key: str) -> dict[str, Any]:
        """The outputs of the step with `key` (empty when it has none)."""
        record = self.run(run_id)
        for step, rec in zip(record.plan.steps, record.steps):
            if step.key == key:
                return rec.outputs
        return {}

    # -- events -----------------------------------------------------------------------------

    def add_event(self, run_id: str, idx: int | None, event: str, detail: str = "") -> None:
        """Appends an event to the run's history."""
        with self.transaction() as conn:
            self._event(conn, run_id, idx, event, detail)

    def events(self, run_id: str) -> list[Event]:
        """The run's history, oldest first."""
        rows = self.conn.execute(
            "SELECT at, idx, event, detail FROM wizard_events WHERE run_id = ? ORDER BY id", (run_id,)
        ).fetchall()
        return [Event(*r) for r in rows]

    def _event(self, conn: sqlite3.Connection, run_id: str, idx: int | None, event: str, detail: str) -> None:
        conn.execute("INSERT INTO wizard_events (run_id, idx, at, event, detail) VALUES (?, ?, ?, ?, ?)",
                     (run_id, idx, self.now_iso(), event, detail))

    def _touch(self, conn: sqlite3.Connection, run_id: str, stamp: str) -> None:
        conn.execute("UPDATE wizard_runs SET updated_at = ? WHERE id = ?", (stamp, run_id))
        self._heartbeat(conn, run_id)

    # -- leases -----------------------------------------------------------------------------

    def claim(self, run_id: str) -> None:
        """Takes the run for this process.

        Raises:
            RunBusyError: another live process holds it.
        """
        host, pid = socket.gethostname(), os.getpid()
        with self.transaction() as conn:
            row = conn.execute("SELECT owner, pid, host, heartbeat_at FROM wizard_leases WHERE run_id = ?",
                               (run_id,)).fetchone()
            if row is not None and row[0] != self.owner and self._alive(row[1], row[2], row[3]):
                raise RunBusyError(
                    f"run {run_id} is being executed by another msp-tui process (pid {row[1]} on {row[2]}); "
                    "wait for it to finish or stop it first"
                )
            conn.execute(
                "INSERT OR REPLACE INTO wizard_leases (run_id, owner, pid, host, heartbeat_at) VALUES (?, ?, ?, ?, ?)",
                (run_id, self.owner, pid, host, self.now_iso()),
            )

    def release(self, run_id: str) -> None:
        """Gives the run back (only if this journal holds it)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM wizard_leases WHERE run_id = ? AND owner = ?", (run_id, self.owner))

    def _heartbeat(self, conn: sqlite3.Connection, run_id: str) -> None:
        conn.execute("UPDATE wizard_leases SET heartbeat_at = ? WHERE run_id = ? AND owner = ?",
                     (self.now_iso(), run_id, self.owner))

    def _alive(self, pid: int, host: str, heartbeat: str) -> bool:
        if host == socket.gethostname():
            if pid == os.getpid():
                return True
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
            return _not_zombie(pid)
        try:
            beat = datetime.fromisoformat(heartbeat)
        except ValueError:
            return False
        return self._now() - beat < LEASE_TIMEOUT


def _not_zombie(pid: int) -> bool:
    """False for a process that has exited but not been reaped (Linux /proc), else True."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True
