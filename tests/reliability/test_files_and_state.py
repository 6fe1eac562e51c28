"""Damaged files and concurrent processes: a clear message, the damaged file kept aside.

config.toml, the state database, the demo authority's database and the secrets file are each
corrupted in turn; two processes write the state database at once.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from msp_tui import paths
from msp_tui.api.audit import AuditEvent
from msp_tui.cli.main import main
from msp_tui.config import ConfigError, load_settings
from msp_tui.secrets import SecretsError, SecretStore
from msp_tui.simulator import DemoAuthority
from msp_tui.state.audit import AuditLog
from msp_tui.state.db import connect, take_warnings

GARBAGE = b"SQLite format 3\x00" + b"\x13\x37 this is not a database any more " * 64


def _kept(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


def test_corrupt_config_is_moved_aside_with_a_clear_message(capsys):
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[app\nread_only = maybe\n", encoding="utf-8")
    assert main(["cost", "--demo"]) != 0
    err = capsys.readouterr().err
    assert "not valid TOML" in err and "moved to" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    [kept] = _kept(config)
    assert kept.read_text(encoding="utf-8") == "[app\nread_only = maybe\n"  # kept, not deleted
    assert not config.exists()
    assert load_settings().profiles == {}  # the way out: defaults until fixed
    assert main(["cost", "--demo"]) == 0


def test_invalid_settings_are_named_and_the_file_left_alone():
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[app]\npage_size = 'lots'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="page_size"):
        load_settings()
    assert config.exists() and not _kept(config)


def test_corrupt_state_database_is_moved_aside_and_the_cli_says_so(capsys):
    state = paths.state_db()
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_bytes(GARBAGE)
    assert main(["cost", "--demo"]) == 0
    err = capsys.readouterr().err
    assert "damaged" in err and "moved to" in err
    [kept] = _kept(state)
    assert kept.read_bytes() == GARBAGE
    conn = connect(state)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert take_warnings() == []


def test_corrupt_demo_database_is_moved_aside_and_reseeded(tmp_path, caplog):
    db = tmp_path / "demo.sqlite"
    db.write_bytes(GARBAGE)
    authority = DemoAuthority(db)
    try:
        assert len(authority.store.users) > 10  # reseeded
        assert authority.warnings and "moved to" in authority.warnings[0]
    finally:
        authority.close()
    [kept] = _kept(db)
    assert kept.read_bytes() == GARBAGE
    again = DemoAuthority(db)  # the new file is healthy and reused
    try:
        assert not again.warnings and len(again.store.users) == len(authority.store.users)
    finally:
        again.close()


def test_demo_database_with_damaged_records_is_reseeded(tmp_path):
    db = tmp_path / "demo.sqlite"
    DemoAuthority(db).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE users SET data = '{not json'")
    conn.commit()
    conn.close()
    authority = DemoAuthority(db)
    try:
        assert authority.warnings and len(authority.store.users) > 10
    finally:
        authority.close()
    assert _kept(db)


def test_corrupt_demo_database_of_the_cli_is_reported(capsys):
    demo = paths.demo_db()
    demo.parent.mkdir(parents=True, exist_ok=True)
    demo.write_bytes(GARBAGE)
    assert main(["cost", "--demo"]) == 0
    assert "reseeded" in capsys.readouterr().err
    assert _kept(demo)[0].read_bytes() == GARBAGE


def test_corrupt_secrets_file_is_a_clear_error_and_never_overwritten(tmp_path):
    path = tmp_path / "secrets.json"
    path.write_text("{\"lab\": \"s3cret-value\"", encoding="utf-8")  # truncated JSON
    os.chmod(path, 0o600)
    store = SecretStore(path)
    with pytest.raises(SecretsError) as caught:
        store.get("lab")
    assert str(caught.value).startswith(str(path)) and "s3cret" not in str(caught.value)
    with pytest.raises(SecretsError):
        store.put("other", "new-secret")  # refuses rather than replacing what it cannot read
    assert path.read_text(encoding="utf-8") == "{\"lab\": \"s3cret-value\""


def test_secrets_file_readable_by_others_is_refused(tmp_path):
    path = tmp_path / "secrets.json"
    SecretStore(path).put("lab", "s3cret-value")
    assert os.stat(path).st_mode & 0o777 == 0o600
    os.chmod(path, 0o644)
    with pytest.raises(SecretsError, match="chmod 600"):
        SecretStore(path).get("lab")


# -- two processes on one state database -------------------------------------------------------

ROWS = 150


def _writer(db_path: str, name: str, barrier) -> None:  # runs in a child process
    conn = connect(Path(db_path))
    log = AuditLog(conn)
    barrier.wait()
    for i in range(ROWS):
        log.record(name, AuditEvent(at=datetime.now(timezone.utc), method="POST", path=f"/api/{name}/{i}",
                                    outcome="ok", status=200, detail="", body={"i": i}))
    conn.close()


def test_two_processes_writing_the_state_database_at_once(tmp_path):
    db = tmp_path / "state.sqlite"
    connect(db).close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_writer, args=(str(db), name, barrier)) for name in ("first", "second")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [proc.exitcode for proc in procs] == [0, 0]  # no "database is locked" crash
    conn = connect(db)
    rows = dict(conn.execute("SELECT profile, COUNT(*) FROM audit_log GROUP BY profile").fetchall())
    assert rows == {"first": ROWS, "second": ROWS}
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not _kept(db)
