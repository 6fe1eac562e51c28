"""Tests for the SQLite state: snapshot cache, audit log, damaged files."""

from __future__ import annotations

from datetime import datetime, timezone

from msp_tui import paths
from msp_tui.api.audit import AuditEvent
from msp_tui.models import AccountSnapshot, Device, Org, User
from msp_tui.state import db
from msp_tui.state.audit import AuditLog
from msp_tui.state.cache import SnapshotCache

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


def sample_snapshot() -> AccountSnapshot:
    return AccountSnapshot(
        profile="acme",
        fetched_at=NOW,
        orgs=(Org.model_validate({"orgId": 1, "orgName": "Top", "parentOrgId": None}),),
        users=(User.model_validate({"userId": 2, "username": "a@b.example", "status": "Active, Blocked"}),),
        devices=(
            Device.model_validate({
                "computerId": 3, "status": "Active, Deauthorized", "backupUsage": [
                    {"targetComputerGuid": "43", "archiveBytes": 10, "lastCompletedBackup": "2026-11-25T10:00:00.000Z"},
                    {"targetComputerGuid": "632540230984925185", "archiveBytes": 5, "lastCompletedBackup": None},
                ],
            }),
        ),
    )


def test_snapshot_round_trips():
    conn = db.connect()
    cache = SnapshotCache(conn)
    cache.save(sample_snapshot())
    loaded = SnapshotCache(db.connect()).load("acme")
    assert loaded is not None
    assert loaded.fetched_at == NOW
    assert loaded.devices[0].backup_usage[1].target_computer_guid == "632540230984925185"
    assert loaded.devices[0].is_deauthorized
    assert loaded.users[0].is_blocked
    assert SnapshotCache(conn).load("other") is None


def test_damaged_cache_entry_is_dropped():
    conn = db.connect()
    SnapshotCache(conn).save(sample_snapshot())
    conn.execute("UPDATE snapshots SET devices = x'00ff'")
    assert SnapshotCache(conn).load("acme") is None
    assert conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 0


def test_audit_log_records_and_lists_newest_first():
    log = AuditLog(db.connect())
    sink = log.sink("acme")
    sink(AuditEvent(at=NOW, method="POST", path="/api/v1/User", outcome="ok", status=200, body={"password": "***"}))
    sink(AuditEvent(at=NOW, method="POST", path="/api/v3/users/1/deactivate", outcome="refused"))
    rows = log.recent()
    assert [r.outcome for r in rows] == ["refused", "ok"]
    assert rows[0].profile == "acme"


def test_corrupt_state_file_is_kept_aside_and_replaced():
    path = paths.state_db()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    conn = db.connect()
    assert conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 0
    kept = path.with_name("state.sqlite.corrupt-1")
    assert kept.read_bytes().startswith(b"this is not a database")
    warnings = db.take_warnings()
    assert warnings and "moved to" in warnings[0]


def test_two_connections_write_concurrently():
    first, second = AuditLog(db.connect()), AuditLog(db.connect())
    for i in range(50):
        (first if i % 2 else second).record("p", AuditEvent(at=NOW, method="PUT", path=f"/x/{i}", outcome="ok"))
    assert len(first.recent(limit=100)) == 50
