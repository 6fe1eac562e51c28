"""Unit tests of the wizard journal: write-ahead step records, reopen, concurrent writers, leases."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from msp_tui.domain.wizards.machine import RunStatus
from msp_tui.domain.wizards.model import Plan, Step, StepKind, StepStatus, WizardKind
from msp_tui.state.db import connect
from msp_tui.state.journal import Journal, JournalError, RunBusyError


def _plan(n: int = 3) -> Plan:
    steps = tuple(Step(f"deactivate-user:{i}", StepKind.DEACTIVATE_USER, "source", f"Deactivate {i}",
                       {"user_uid": str(i), "username": f"u{i}@x.example"}) for i in range(n))
    return Plan(kind=WizardKind.OFFBOARD, title="Offboard X", profiles={"source": "p"}, accounts={"source": "A"},
                planned_on=date(2026, 11, 26).isoformat(), confirm_name="X", steps=steps, org_name="X")


def test_steps_are_written_before_and_after_and_survive_reopen(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    journal = Journal(connect(db))
    run_id = journal.create_run(_plan())
    assert journal.resolve(run_id[:-1]) == run_id
    assert journal.start_step(run_id, 0, "go") == 1
    journal.conn.close()  # as if the process died here
    again = Journal(connect(db))
    record = again.run(run_id)
    assert record.steps[0].status is StepStatus.RUNNING and record.steps[0].outcome["attempts"] == 1
    assert again.start_step(run_id, 0) == 2
    again.finish_step(run_id, 0, StepStatus.DONE, "Done", outputs={"user_uid": "0"})
    again.finish_step(run_id, 1, StepStatus.SKIPPED, "Skipped", reason="left the company")
    record = Journal(connect(db)).run(run_id)
    assert [s.status for s in record.steps] == [StepStatus.DONE, StepStatus.SKIPPED, StepStatus.PENDING]
    assert record.steps[0].outputs == {"user_uid": "0"} and record.steps[1].outcome["reason"] == "left the company"
    events = [e.event for e in again.events(run_id)]
    assert events == ["planned", "started", "started", "done", "skipped"]
    with pytest.raises(JournalError):
        again.run("nope")


def test_two_writers_do_not_corrupt_the_journal(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    run_ids = [Journal(connect(db)).create_run(_plan(30)) for _ in range(2)]
    errors: list[BaseException] = []

    def work(run_id: str) -> None:
        try:
            journal = Journal(connect(db))
            for i in range(30):
                journal.start_step(run_id, i)
                journal.finish_step(run_id, i, StepStatus.DONE, "Done", outputs={"i": i})
            journal.set_run_status(run_id, RunStatus.DONE)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(r,)) for r in run_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    journal = Journal(connect(db))
    for run_id in run_ids:
        record = journal.run(run_id)
        assert record.status is RunStatus.DONE
        assert [s.outputs["i"] for s in record.steps] == list(range(30))
    assert journal.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_lease_blocks_a_second_executor_until_its_process_is_gone(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    run_id = Journal(connect(db)).create_run(_plan())
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        conn = connect(db)
        conn.execute("INSERT INTO wizard_leases VALUES (?, 'other', ?, ?, '2026-01-01T00:00:00+00:00')",
                     (run_id, child.pid, __import__("socket").gethostname()))
        with pytest.raises(RunBusyError, match="another msp-tui process"):
            Journal(connect(db)).claim(run_id)
    finally:
        child.kill()
        child.wait()
    Journal(connect(db)).claim(run_id)  # the holder died (kill -9): the lease is taken over
