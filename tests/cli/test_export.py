"""Tests for `msp-tui export` on the embedded demo authority."""

from __future__ import annotations

import csv
import io
import json

import pytest

from msp_tui.cli.main import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_devices_json_has_schema_and_real_fields(capsys):
    code, out, err = run_cli(capsys, "--demo", "export", "devices")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["schema"] == "msp-tui.export/1"
    assert payload["profile"] == "northwind"
    assert payload["count"] == len(payload["items"]) > 40
    healths = {item["health"] for item in payload["items"]}
    assert {"ok", "never"} <= healths
    multi = [i for i in payload["items"] if ";" in (i["destinations"] or "")]
    assert multi, "some devices back up to two destinations"


def test_export_users_csv_opens_as_a_table(capsys):
    code, out, _ = run_cli(capsys, "export", "users", "--format", "csv", "--demo")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and set(rows[0]) >= {"username", "email", "status", "customer", "active_devices"}
    statuses = {row["status"] for row in rows}
    assert "Active" in statuses and "Deactivated" in statuses


def test_export_filtered_by_org_agrees_with_full_export(capsys):
    _, out, _ = run_cli(capsys, "--demo", "export", "users")
    everyone = json.loads(out)["items"]
    customer = next(u["customer"] for u in everyone if not u["customer"].startswith("("))
    code, out, _ = run_cli(capsys, "--demo", "export", "users", "--org", customer)
    assert code == 0
    subset = json.loads(out)["items"]
    assert subset, "the customer has users"
    expected = [u for u in everyone if u["customer"] == customer]
    stable = lambda rows: [{k: v for k, v in u.items() if k != "last_completed_backup"} for u in rows]  # noqa: E731
    assert stable(subset) == stable(expected)


def test_export_unknown_org_is_a_usage_error_on_one_line(capsys):
    code, out, err = run_cli(capsys, "--demo", "export", "users", "--org", "No Such Customer")
    assert code == 2
    assert out == ""
    assert err.startswith("msp-tui: No customer org named") and err.count("\n") == 1


def test_export_second_account(capsys):
    code, out, _ = run_cli(capsys, "--profile", "harbor", "export", "orgs")
    assert code == 0
    names = {o["name"] for o in json.loads(out)["items"]}
    assert "Harbor IT Services" in names


def test_export_to_file(capsys, tmp_path):
    target = tmp_path / "devices.csv"
    code, out, _ = run_cli(capsys, "--demo", "export", "devices", "-f", "csv", "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_text().startswith("computer_id,guid,name")


def test_unknown_profile_is_a_usage_error(capsys):
    code, _, err = run_cli(capsys, "export", "orgs", "--profile", "nobody")
    assert code == 2
    assert "Unknown profile 'nobody'" in err


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["export", "planets"])
    assert caught.value.code == 2


def test_every_command_has_help(capsys):
    for argv in (["--help"], ["export", "--help"], ["profile", "--help"], ["profile", "add", "--help"],
                 ["demo-server", "--help"], ["locate", "--help"]):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 0
        assert "usage: msp-tui" in capsys.readouterr().out


def test_version(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("msp-tui 0.")


def test_audit_lists_mutations_with_outcomes(capsys):
    from msp_tui.state.audit import AuditLog
    from msp_tui.state.db import connect
    from msp_tui.api.audit import AuditEvent
    from datetime import datetime, timezone

    code, out, _ = run_cli(capsys, "audit")
    assert code == 0 and "No mutating call" in out
    AuditLog(connect()).record("northwind", AuditEvent(
        at=datetime(2026, 11, 26, tzinfo=timezone.utc), method="POST",
        path="/api/v3/users/1/deactivate", outcome="refused", detail="read-only session"))
    code, out, _ = run_cli(capsys, "audit")
    assert "refused" in out and "/api/v3/users/1/deactivate" in out
    code, out, _ = run_cli(capsys, "audit", "--json")
    assert json.loads(out)[0]["outcome"] == "refused"
