"""Tests for the snapshot cache's lean-record format: exact round trip of every field the UI
uses (and every other field), sharing of repeated values, damaged and outdated entries, and the
schema-version check that drops an outdated snapshots table."""

from __future__ import annotations

import marshal
import sqlite3
import struct
import zlib
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from msp_tui.models import AccountSnapshot, ColdStorageRow, Device, Org, User
from msp_tui.models.summary import SUMMARY_FIELDS, DeferredDevices, DeviceSummary
from msp_tui.state import cache as cache_mod
from msp_tui.state import db
from msp_tui.state.cache import SnapshotCache

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


def _device(cid: int, **extra: object) -> Device:
    record = {
        "computerId": cid, "guid": f"g{cid}", "name": f"PC-{cid}", "osHostname": f"pc-{cid}",
        "type": "COMPUTER", "status": "Active, Deauthorized" if cid % 3 == 0 else "Active",
        "active": True, "blocked": cid % 5 == 0, "alertState": 0, "alertStates": ["OK"],
        "userId": 100 + cid % 4, "userUid": f"u{cid % 4}", "orgId": 10 + cid % 2, "orgUid": "o1",
        "lastConnected": "2026-11-25T10:00:00.123Z", "osName": "win", "osVersion": "10.0",
        "productVersion": "11.3.0", "address": "10.0.0.1:4242", "remoteAddress": "1.2.3.4",
        "timeZone": "Europe/Paris", "creationDate": "2024-01-02T03:04:05.000+02:00",
        "modificationDate": "2026-11-25T10:00:00.123Z", "loginDate": None, "service": "CrashPlan",
        "backupUsage": [
            {"targetComputerGuid": "42", "targetComputerName": "Cloud US", "targetComputerType": "SERVER",
             "selectedFiles": 10, "selectedBytes": 2**40 + cid, "todoBytes": 0, "archiveBytes": 10**12,
             "billableBytes": 5, "lastBackup": "2026-11-25T09:00:00Z",
             "lastCompletedBackup": "2026-11-25T08:00:00.000001Z", "lastConnected": None,
             "percentComplete": 99.5, "alertStates": [], "archiveGuid": f"a{cid}",
             "archiveFormat": "ARCHIVE_V2", "serverName": "srv", "storePointName": "sp", "using": True},
        ] * (cid % 3),
    }
    record.update(extra)
    return Device.model_validate(record)


def sample() -> AccountSnapshot:
    orgs = (
        Org.model_validate({"orgId": 1, "orgName": "MSP", "status": "Active", "creationDate": "2020-01-01T00:00:00Z"}),
        Org.model_validate({"orgId": 10, "orgName": "Acme", "parentOrgId": 1, "orgExtRef": "A-1",
                            "notes": "é ✓", "userCount": 3, "computerCount": 4}),
        Org.model_validate({"orgId": 11, "orgName": "Beta", "parentOrgId": 1, "active": False}),
    )
    users = tuple(
        User.model_validate({"userId": 100 + i, "username": f"u{i}@x.example", "email": f"u{i}@x.example",
                             "firstName": "Ann" if i else None, "lastName": "Lee", "orgId": 10 + i % 2,
                             "status": "Active, Blocked" if i == 1 else "Active", "quotaInBytes": -1,
                             "creationDate": "2023-05-06T07:08:09.5Z"})
        for i in range(4)
    )
    devices = tuple(_device(cid) for cid in range(1, 12)) + (
        Device.model_validate({"computerId": 99, "backupUsage": None, "alertStates": None}),
    )
    cold = (ColdStorageRow.model_validate({"archiveGuid": "c1", "archiveHoldExpireDate": "2027-01-01T00:00:00Z",
                                           "archiveBytes": 3 * 10**12, "sourceUserId": 103, "orgId": 11}),)
    return AccountSnapshot(profile="acme", fetched_at=NOW, orgs=orgs, users=users, devices=devices,
                           cold_storage=cold)


def test_every_field_round_trips_exactly():
    snap = sample()
    conn = db.connect()
    SnapshotCache(conn).save(snap)
    loaded = SnapshotCache(conn).load("acme")
    assert loaded is not None
    assert loaded.fetched_at == NOW
    for name in ("orgs", "users", "devices", "cold_storage"):
        before, after = getattr(snap, name), getattr(loaded, name)
        assert len(before) == len(after)
        for a, b in zip(before, after):
            assert type(a) is type(b)
            assert a == b
            assert a.model_dump() == b.model_dump()
            assert a.to_wire() == b.to_wire()
    # Timestamps keep their offset and microseconds; properties the UI uses agree.
    assert loaded.orgs[0].creation_date == snap.orgs[0].creation_date
    assert loaded.devices[0].creation_date.utcoffset() == timedelta(hours=2)
    for a, b in zip(snap.devices, loaded.devices):
        assert (a.flags, a.is_active, a.is_blocked, a.is_deauthorized, a.display_name) == (
            b.flags, b.is_active, b.is_blocked, b.is_deauthorized, b.display_name)
    for a, b in zip(snap.users, loaded.users):
        assert (a.is_active, a.is_blocked, a.full_name) == (b.is_active, b.is_blocked, b.full_name)
    assert loaded.org(10) == snap.org(10)
    assert loaded.top_org == snap.top_org


def test_loaded_models_stay_frozen_and_copyable():
    conn = db.connect()
    SnapshotCache(conn).save(sample())
    loaded = SnapshotCache(conn).load("acme")
    assert loaded is not None
    device = loaded.devices[1]
    with pytest.raises(ValidationError):
        device.name = "other"  # type: ignore[misc]
    copy = loaded.users[0].model_copy(update={"active": False})
    assert copy.active is False and loaded.users[0].active is None
    assert copy.is_active is False and loaded.users[0].is_active is True


def test_repeated_values_are_shared_after_load():
    conn = db.connect()
    SnapshotCache(conn).save(sample())
    loaded = SnapshotCache(conn).load("acme")
    assert loaded is not None
    a, b = loaded.devices[0], loaded.devices[1]
    assert a.org_uid is b.org_uid
    assert a.last_connected is b.last_connected
    assert a.alert_states is b.alert_states


def test_many_records_span_several_chunks(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cache_mod, "CHUNK", 4)
    snap = sample()
    conn = db.connect()
    SnapshotCache(conn).save(snap)
    loaded = SnapshotCache(conn).load("acme")
    assert loaded is not None and loaded.devices == snap.devices


@pytest.mark.parametrize("damage", [b"", b"\x00\xff", b"\x10\x00\x00\x00abc"])
def test_damaged_entry_is_dropped(damage: bytes):
    conn = db.connect()
    SnapshotCache(conn).save(sample())
    conn.execute("UPDATE snapshots SET users = ?", (damage,))
    assert SnapshotCache(conn).load("acme") is None
    assert conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 0


def test_entry_of_another_model_shape_is_dropped():
    conn = db.connect()
    SnapshotCache(conn).save(sample())
    other = cache_mod.encode_list("orgs", sample().orgs)  # org records where devices belong
    conn.execute("UPDATE snapshots SET devices = ?", (other,))
    assert SnapshotCache(conn).load("acme") is None


def test_outdated_snapshots_table_is_dropped_and_recreated(tmp_path):
    path = tmp_path / "state.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE snapshots (profile TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, orgs BLOB NOT NULL,"
        " users BLOB NOT NULL, devices BLOB NOT NULL, cold_storage BLOB NOT NULL);"
        "INSERT INTO snapshots VALUES ('acme', '2026-01-01T00:00:00+00:00', x'78', x'78', x'78', x'78');"
        "CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, profile TEXT NOT NULL,"
        " method TEXT NOT NULL, path TEXT NOT NULL, outcome TEXT NOT NULL, status INTEGER,"
        " detail TEXT NOT NULL DEFAULT '', body TEXT);"
        "INSERT INTO audit_log (at, profile, method, path, outcome) VALUES ('x', 'acme', 'GET', '/', 'ok');"
    )
    old.commit()
    old.close()
    conn = db.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 0  # the old cache is gone
    assert conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 1  # nothing else is touched
    assert conn.execute("SELECT value FROM meta WHERE key = 'snapshots_schema'").fetchone()[0] == db.SNAPSHOTS_SCHEMA
    SnapshotCache(conn).save(sample())
    conn.close()
    again = db.connect(path)  # same version: the entry is kept
    assert SnapshotCache(again).load("acme") is not None


def _columns(summary: DeviceSummary) -> dict[str, list[object]]:
    return {name: list(getattr(summary, name)) for name in SUMMARY_FIELDS}


@pytest.mark.parametrize("chunk", [4, cache_mod.CHUNK])
def test_deferred_devices_come_with_their_summary(monkeypatch: pytest.MonkeyPatch, chunk: int):
    monkeypatch.setattr(cache_mod, "CHUNK", chunk)
    snap = sample()
    conn = db.connect()
    SnapshotCache(conn).save(snap)
    loaded = SnapshotCache(conn).load("acme", defer_devices_over=0)
    assert loaded is not None
    devices = loaded.devices
    assert isinstance(devices, DeferredDevices)
    assert not loaded.devices_loaded and len(devices) == len(snap.devices)
    # The summary (stored in the cache) reads exactly as one built from the full records.
    expected = _columns(DeviceSummary.from_devices(snap.devices))
    assert _columns(loaded.device_summary) == expected
    assert loaded.device_summary.last_backup[1].utcoffset() == timedelta(0)
    assert not loaded.devices_loaded  # the summary did not decode the records
    # One record decodes only its chunk; the whole list then decodes once.
    assert devices.record(len(snap.devices) - 1) == snap.devices[-1]
    assert not loaded.devices_loaded
    assert devices == snap.devices and loaded.devices_loaded
    assert devices.record(0) is devices[0]
    assert list(devices) == list(snap.devices)
    # Below the threshold the records are decoded at once, as before.
    eager = SnapshotCache(conn).load("acme", defer_devices_over=len(snap.devices))
    assert eager is not None and isinstance(eager.devices, tuple) and eager.devices == snap.devices


def test_deferred_devices_decode_once_across_threads():
    import threading

    calls: list[int] = []
    gate = threading.Event()
    items = tuple(sample().devices)

    def loader() -> tuple[Device, ...]:
        calls.append(1)
        gate.wait(5)
        return items

    devices = DeferredDevices(len(items), loader)
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(devices.load())) for _ in range(3)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(5)
    assert calls == [1] and all(r is items for r in results)


def test_devices_blob_without_a_summary_is_dropped():
    conn = db.connect()
    SnapshotCache(conn).save(sample())
    plan = cache_mod._PLANS["devices"]
    header = zlib.compress(marshal.dumps(plan.header()), 1)  # the v2 layout: no summary
    conn.execute("UPDATE snapshots SET devices = ?", (struct.pack("<I", len(header)) + header,))
    assert SnapshotCache(conn).load("acme", defer_devices_over=0) is None
