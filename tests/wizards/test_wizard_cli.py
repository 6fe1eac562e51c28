"""The wizard commands in-process on the demo profiles: dry run, confirmation, read-only, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msp_tui import session
from msp_tui.cli.main import main
from msp_tui.cli.wizard_cmd import EXIT_WAITING
from msp_tui.simulator import DemoAuthority

from wizard_support import FIXED_NOW

ORG = "Cedar & Pine Interiors"


@pytest.fixture(autouse=True)
def demo_authority():
    authority = DemoAuthority(None, now=lambda: FIXED_NOW)
    session.set_demo_authority(authority)
    yield authority
    session.set_demo_authority(None)


def test_dry_run_sends_nothing_and_prints_the_plan(capsys, demo_authority) -> None:
    before = {u["username"]: u["active"] for u in demo_authority.store.users.values()}
    assert main(["migrate", "--demo", "--org", ORG, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Migrate Cedar & Pine Interiors from Northwind MSP to Harbor IT Services" in out
    assert "Cost (next billing cycle" in out and "Dry run: nothing was sent" in out
    assert {u["username"]: u["active"] for u in demo_authority.store.users.values()} == before
    assert main(["migrate", "--demo", "--org", ORG, "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["schema"] == "msp-tui.wizard-plan/1" and plan["org_name"] == ORG


def test_confirmation_and_read_only_are_required(capsys) -> None:
    assert main(["offboard", "--demo", "--org", "Blue Heron Realty"]) == 2
    assert "--confirm" in capsys.readouterr().err
    assert main(["offboard", "--demo", "--org", "Blue Heron Realty", "--confirm", "Wrong"]) == 2
    assert main(["offboard", "--demo", "--read-only", "--org", "Blue Heron Realty", "--confirm",
                 "Blue Heron Realty"]) == 2
    assert "read-only" in capsys.readouterr().err
    assert main(["offboard", "--demo", "--org", "Nope", "--dry-run"]) == 2
    assert main(["wizards", "list"]) == 0
    assert "No wizard runs" in capsys.readouterr().out


def test_migrate_waits_then_resume_done_and_runbook(capsys, tmp_path: Path) -> None:
    assert main(["migrate", "--demo", "--org", ORG, "--confirm", ORG]) == EXIT_WAITING
    capsys.readouterr()
    assert main(["wizards", "list", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    run_id = runs[0]["id"]
    assert runs[0]["status"] == "waiting"
    out = tmp_path / "runbook.md"
    assert main(["wizards", "runbook", run_id, "--output", str(out)]) == 0
    assert "Reinstall and sign in" in out.read_text()
    assert main(["wizards", "show", run_id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    manual = [s["key"] for s in shown["steps"] if s["manual"]]
    assert main(["wizards", "resume", run_id, "--done", "create-org:target"]) == 2  # automatic: refused
    assert main(["wizards", "resume", run_id, "--skip", manual[0]]) == 2  # no reason
    args = ["wizards", "resume", run_id, "--skip", manual[0], "--reason", "device retired"]
    for key in manual[1:]:
        args += ["--done", key]
    assert main(args) == 0
    assert main(["wizards", "show", run_id]) == 0
    text = capsys.readouterr().out
    assert "reason: device retired" in text and "History:" in text
    assert main(["wizards", "resume", run_id]) == 0  # already done


def test_close_account_saves_the_email(capsys, tmp_path: Path) -> None:
    mail = tmp_path / "mail.txt"
    code = main(["close-account", "--profile", "harbor", "--confirm", "Harbor IT Services",
                 "--email-out", str(mail)])
    assert code == EXIT_WAITING
    capsys.readouterr()
    assert mail.read_text().startswith("To: msp-billing@code42.com\nSubject: Please close")
    run_id = json.loads((main(["wizards", "list", "--json"]), capsys.readouterr().out)[1])[0]["id"]
    assert main(["wizards", "resume", run_id, "--done", "send-email"]) == 0
