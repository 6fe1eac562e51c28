"""Persistence of the demo authority: reopen, reset, and consistency after kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx

from msp_tui.simulator import DemoAuthority, start_in_thread


def test_state_survives_reopen(demo_db: Path, demo_clock) -> None:
    first = DemoAuthority(demo_db, reset=True, now=demo_clock)
    server = start_in_thread(first)
    try:
        token = httpx.get(f"{server.base_url}/api/v3/auth/jwt?useBody=True",
                          auth=("admin@northwind-msp.example", "northwind-demo")).json()["data"]["v3_user_token"]
        headers = {"Authorization": f"Bearer {token}"}
        user = httpx.get(f"{server.base_url}/api/v1/User?active=true&q=dental", headers=headers).json()
        user = user["data"]["users"][0]
        httpx.post(f"{server.base_url}/api/v3/users/{user['userUid']}/deactivate", headers=headers, json={})
        top = httpx.get(f"{server.base_url}/api/v1/Org/my", headers=headers).json()["data"]
        httpx.post(f"{server.base_url}/api/v3/orgs", headers=headers,
                   json={"orgName": "Persisted Org", "parentOrgGuid": top["orgGuid"]})
    finally:
        server.stop()
        first.close()

    second = DemoAuthority(demo_db, now=demo_clock)
    server = start_in_thread(second)
    try:
        # Tokens are signed with a per-database secret, so they survive a restart too.
        users = httpx.get(f"{server.base_url}/api/v1/User/{user['userId']}", headers=headers)
        assert users.json()["data"]["status"] == "Deactivated"
        orgs = httpx.get(f"{server.base_url}/api/v1/Org", headers=headers).json()["data"]["orgs"]
        assert "Persisted Org" in {o["orgName"] for o in orgs}
        cold = httpx.get(f"{server.base_url}/api/v1/ColdStorage", headers=headers).json()["data"]
        assert any(r["sourceUserUid"] == user["userUid"] for r in cold["coldStorageRows"])
    finally:
        server.stop()
        second.close()

    third = DemoAuthority(demo_db, reset=True, now=demo_clock)
    try:
        assert third.store.users[user["userId"]]["active"] is True
        assert "Persisted Org" not in {o["name"] for o in third.store.orgs.values()}
    finally:
        third.close()


CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from msp_tui.simulator import DemoAuthority
    from msp_tui.simulator.http import Request
    authority = DemoAuthority(Path(sys.argv[1]))
    token = authority.ctx.issue_token("northwind", None, "oauth", 900)
    headers = {"authorization": "Bearer " + token}
    uids = [u["uid"] for u in authority.store.users.values() if u["tenant"] == "northwind" and u["active"]]
    n = 0
    while True:
        for uid in uids:
            action = "deactivate" if n % 2 == 0 else "activate"
            response = authority.handle(Request("POST", f"/api/v3/users/{uid}/{action}", {}, headers, b"{}"))
            assert response.status < 300, response.body
        n += 1
        print(n, flush=True)
""")


def test_consistent_after_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "killed.sqlite"
    DemoAuthority(db, reset=True).close()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    try:
        assert proc.stdout is not None
        for _ in range(3):
            assert proc.stdout.readline().strip()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    reopened = DemoAuthority(db)
    try:
        store = reopened.store
        for user in store.users.values():
            for dev in store.user_devices(user["id"]):
                if not user["active"]:
                    assert not dev["active"]
                for arc in store.device_archives(dev["id"]):
                    assert arc["cold"] == (not dev["active"])
    finally:
        reopened.close()
