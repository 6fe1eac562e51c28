"""kill -9 of `msp-tui migrate` at a random point, then `wizards resume` finishes it correctly.

The demo authority runs over real HTTP in this process (start_in_thread); the CLI runs in a
subprocess with two configured profiles pointing at it (secrets in MSP_TUI_SECRET_<NAME>).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


from msp_tui.simulator import DEMO_ACCOUNTS, DemoAuthority, start_in_thread

from wizard_support import end_state

ORG = "Cedar & Pine Interiors"


def _env(tmp: Path, base_url: str) -> dict[str, str]:
    home = tmp / "home"
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[profiles.nw]\nurl = "{base_url}"\nusername = "{DEMO_ACCOUNTS[0].username}"\n\n'
        f'[profiles.hb]\nurl = "{base_url}"\nusername = "{DEMO_ACCOUNTS[1].username}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MSP_TUI_")}
    env.update(MSP_TUI_CONFIG=str(config), MSP_TUI_DATA_DIR=str(home / "data"), MSP_TUI_LOG_DIR=str(home / "log"),
               MSP_TUI_SECRET_NW=DEMO_ACCOUNTS[0].password, MSP_TUI_SECRET_HB=DEMO_ACCOUNTS[1].password)
    return env


def _cli(env: dict[str, str], *args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "msp_tui", *args], env=env, capture_output=True, text=True,
                          timeout=60, **kw)


def _migrate(env: dict[str, str]) -> list[str]:
    return [sys.executable, "-m", "msp_tui", "migrate", "--from", "nw", "--to", "hb", "--org", ORG, "--confirm", ORG]


def _sign_in_agents(authority: DemoAuthority, plan: dict) -> None:
    for step in plan["steps"]:
        if step["kind"] == "reinstall-agent":
            p = step["params"]
            authority.simulate_agent_signin(username=p["username"], os_name=p["os"], hostname=p["hostname"])


def _run_to_done(authority: DemoAuthority, env: dict[str, str]) -> str:
    runs = json.loads(_cli(env, "wizards", "list", "--json").stdout)
    if not runs:  # killed before the run was recorded: start again
        proc = subprocess.run(_migrate(env), env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode in (0, 3), proc.stderr
        runs = json.loads(_cli(env, "wizards", "list", "--json").stdout)
    run_id = runs[0]["id"]
    resumed = _cli(env, "wizards", "resume", run_id)
    assert resumed.returncode == 3, resumed.stdout + resumed.stderr  # waiting for the technicians
    plan = json.loads(_cli(env, "wizards", "show", run_id, "--json").stdout)["plan"]
    _sign_in_agents(authority, plan)
    done = _cli(env, "wizards", "resume", run_id)
    assert done.returncode == 0, done.stdout + done.stderr
    return run_id


def _serve(now: datetime, latency_ms: int = 0):
    authority = DemoAuthority(None, now=lambda: now, latency_ms=latency_ms)
    return authority, start_in_thread(authority)


async def _reference(now: datetime, tmp: Path) -> dict:
    """An uninterrupted run of the same migration, in-process, on a fresh authority."""
    from msp_tui.api.sync import fetch_snapshot
    from msp_tui.domain.policy import Policy
    from msp_tui.domain.wizards.plans import migration_plan
    from msp_tui.state.db import connect
    from msp_tui.state.journal import Journal
    from msp_tui.wizards import Executor

    from wizard_support import make_client

    authority = DemoAuthority(None, now=lambda: now)
    clients = {"source": make_client(authority, 0), "target": make_client(authority, 1)}
    async with clients["source"], clients["target"]:
        src = await fetch_snapshot(clients["source"], "nw")
        tgt = await fetch_snapshot(clients["target"], "hb")
        plan = migration_plan(src, tgt, ORG, policy=Policy(), today=datetime.now(timezone.utc).date(),
                              profiles=("nw", "hb"))
        journal = Journal(connect(tmp / "ref.sqlite"))
        run_id = journal.create_run(plan)
        await Executor(journal, run_id, clients).run()
        _sign_in_agents(authority, plan.to_json())
        assert (await Executor(journal, run_id, clients).run()).status.value == "done"
    return end_state(authority)


async def test_kill_9_then_resume(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    reference = await _reference(now, tmp_path)
    authority, server = _serve(now, latency_ms=10)
    try:
        env = _env(tmp_path / "killed", server.base_url)
        proc = subprocess.Popen(_migrate(env), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:  # wait until the run is journaled, then kill at a random point
            if "recorded in the journal" in line:
                break
        time.sleep(random.Random(os.getpid()).uniform(0.0, 0.35))
        proc.kill()  # SIGKILL: no cleanup, no lease release
        proc.wait(timeout=10)
        runs = json.loads(_cli(env, "wizards", "list", "--json").stdout)
        print("killed at:", runs[0]["status"] if runs else "-", runs[0]["progress"] if runs else "")
        run_id = _run_to_done(authority, env)
        assert end_state(authority) == reference
        show = json.loads(_cli(env, "wizards", "show", run_id, "--json").stdout)
        assert show["status"] == "done"
        assert [s["status"] for s in show["steps"]] == ["done"] * len(show["steps"])
    finally:
        server.stop()
