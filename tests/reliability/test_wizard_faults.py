"""Wizards under faults: an offboarding run through the CLI on a faulty demo authority, resumed
until it is done; the end state equals the plan. (Lost answers are checked on the server by
the executor before any retry; the client tests prove nothing is re-sent blindly.)"""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from faultkit import mutating_requests

from msp_tui import session
from msp_tui.api import client as client_module
from msp_tui.api.retry import RetryPolicy
from msp_tui.cli.main import main
from msp_tui.simulator import DemoAuthority
from msp_tui.simulator.faults import FaultPlan

CUSTOMER = "BrightSmile Dental"


def _quiet(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    return code, out.getvalue()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    """The client's back-off in milliseconds (the CLI builds its clients itself)."""
    monkeypatch.setattr(client_module, "RetryPolicy", lambda: RetryPolicy(base_delay=0.001, max_delay=0.005))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_offboarding_under_faults_ends_as_planned(seed):
    spec = ("500:0.08,503:0.05,429:0.05,html:0.05,drop:0.08,drop:0.05@when=before,truncate:0.04,"
            "malformed:0.03,expire-token:0.03,skip-page:0.03")
    plan = FaultPlan.parse(spec, seed=seed)
    authority = DemoAuthority(None, faults=plan)
    session.set_demo_authority(authority)
    org = next(o for o in authority.store.orgs.values() if o["name"] == CUSTOMER)
    users = [u for u in authority.store.users.values() if u["org_id"] == org["id"]]
    assert users and org["active"]
    run_id = None
    for _ in range(40):
        if run_id is None:
            code, _ = _quiet(["offboard", "--demo", "--org", CUSTOMER, "--confirm", CUSTOMER])
            runs = json.loads(_quiet(["wizards", "list", "--json"])[1] or "[]")
            run_id = runs[0]["id"] if runs else None
        else:
            code, _ = _quiet(["wizards", "resume", run_id])
        if run_id is not None and code == 0:
            break
    else:
        raise AssertionError(f"the run did not finish in 40 tries (faults {authority.fault_stats})")
    plan.enabled = False
    assert sum(authority.fault_stats.values()) > 0
    # The end state equals the plan: every user of the customer and the org deactivated.
    assert all(not u["active"] for u in authority.store.users.values() if u["org_id"] == org["id"])
    assert not authority.store.orgs[org["id"]]["active"]
    assert mutating_requests(authority) >= len(users) + 1  # every step really went to the server
