"""A full CLI run against a real HTTP demo server must leave its secret nowhere on disk."""

from __future__ import annotations

import logging

from msp_tui import paths
from msp_tui.cli.main import main
from msp_tui.logs import RedactSecrets, register_secret
from msp_tui.secrets import env_name


def test_secret_appears_in_no_file_after_a_full_run(demo_server, monkeypatch, capsys, isolated_dirs):
    # The demo's Northwind admin password plays the part of a real partner's secret.
    secret = "northwind-demo"
    monkeypatch.setenv(env_name("live"), secret)
    assert main(["profile", "add", "live", "--url", demo_server.base_url,
                 "--username", "admin@northwind-msp.example", "--store-secret"]) == 0
    logging.getLogger("httpx").info("Authorization: Bearer abc.def.ghi sent")
    exported = isolated_dirs / "exports"
    exported.mkdir()
    for argv in (["profile", "test", "live"], ["export", "users", "--profile", "live"],
                 ["export", "devices", "-f", "csv", "--profile", "live", "-o", str(exported / "d.csv")],
                 ["report", "billing", "--profile", "live", "-o", str(exported / "b.csv")],
                 ["offboard", "--profile", "live", "--org", "Cedar & Pine Interiors",
                  "--confirm", "Cedar & Pine Interiors"],
                 ["wizards", "list"], ["audit"]):
        assert main(argv) == 0, argv
    out, err = capsys.readouterr()
    assert secret not in out + err
    logging.getLogger("msp_tui").info("password was %s", secret)
    checked = 0
    for path in isolated_dirs.rglob("*"):
        if path.is_file() and path != paths.secrets_file():
            assert secret.encode() not in path.read_bytes(), f"secret leaked into {path}"
            checked += 1
    assert checked >= 5  # config, state db (journal, audit, cache), log, exports
    log = (paths.log_dir() / "msp-tui.log").read_text()
    assert "password was ***" in log
    assert "abc.def.ghi" not in log


def test_redaction_filter_masks_registered_values():
    register_secret("hunter2-long")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "login %s", ("hunter2-long",), None)
    RedactSecrets().filter(record)
    assert record.getMessage() == "login ***"
