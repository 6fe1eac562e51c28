"""Pilot tests of the wizard screens on the demo authority (Northwind and Harbor), at 80x24.

The chooser, a migration planned, confirmed by typing the name and run to the end (automatic
steps complete, manual ones wait, device sign-ins verify reinstalls, `d` confirms the rest),
an offboarding, an account closure's email, a read-only session stopped after the plan, esc in
the middle of a run then resume from the chooser, and the start-up offer of open runs.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Select, Static

from msp_tui.domain.wizards.machine import RunStatus
from msp_tui.domain.wizards.model import CostLine, Plan, StepKind, WizardKind
from msp_tui.simulator import DemoAuthority
from msp_tui.wizards.handlers import CreateOrg
from msp_tui.tui.screens.confirm import ConfirmScreen
from msp_tui.tui.screens.wizard_progress import WizardProgress
from msp_tui.tui.screens.wizard_resume import ResumeOfferScreen, open_runs_offer
from msp_tui.tui.screens.wizard_run import WizardRunScreen
from msp_tui.tui.screens.wizard_start import WizardStartScreen, open_wizards
from msp_tui.tui.screens.wizard_views import PlanView, cost_line_text, cost_text
from msp_tui.tui.wizard_session import journal_for

CUSTOMER = "Cedar & Pine Interiors"
"""A small Northwind customer: 2 users, 4 devices (15 steps to migrate)."""
OFFBOARDED = "Blue Heron Realty"


def text_of(screen: Any, selector: str) -> str:
    """The text a Static shows."""
    return str(screen.query_one(selector, Static).render())


async def open_wizard(pilot: Any, settle: Any, option: str, customer: str | None = CUSTOMER) -> WizardRunScreen:
    """Opens the chooser on the dashboard and picks the option with id `option`."""
    app = pilot.app
    await settle(pilot)
    chooser = open_wizards(app, customer)
    await pilot.pause()
    assert app.screen is chooser
    choices = chooser.query_one("#choices", OptionList)
    choices.highlighted = choices.get_option_index(option)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, WizardRunScreen)
    return app.screen


async def plan_and_confirm(pilot: Any, screen: WizardRunScreen, wait_until: Any, *, confirm: bool = True) -> None:
    """ctrl+n to plan (when choosing), ctrl+n to confirm, types the name, waits for the run to stop."""
    if screen.stage == "choose":
        await pilot.press("ctrl+n")
    await wait_until(pilot, lambda: screen.plan is not None and screen.query(PlanView), "the plan")
    await pilot.press("ctrl+n")
    await pilot.pause()
    if not confirm:
        return
    dialog = pilot.app.screen
    assert isinstance(dialog, ConfirmScreen)
    field = dialog.query_one(Input)
    field.value = screen.plan.confirm_name  # type: ignore[union-attr]
    await pilot.pause()
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen.run_id is not None and not screen._busy, "the run to stop")


def statuses(screen: WizardProgress) -> list[str]:
    """The step statuses shown."""
    assert screen.step_list is not None
    return list(screen.step_list.statuses)


def sign_in_agents(authority: DemoAuthority, screen: WizardProgress) -> None:
    """What the technician's reinstalls do: each device's agent signs in to Harbor."""
    assert screen.plan is not None
    for step in screen.plan.steps:
        if step.kind is StepKind.REINSTALL_AGENT:
            p = step.params
            authority.simulate_agent_signin(username=p["username"], os_name=p["os"], hostname=p["hostname"])


async def test_chooser_offers_the_wizards_and_open_runs(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        chooser = open_wizards(app, CUSTOMER)
        await pilot.pause()
        assert isinstance(chooser, WizardStartScreen)
        choices = chooser.query_one("#choices", OptionList)
        prompts = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert any(f"Migrate {CUSTOMER}" in p for p in prompts)
        assert any("Close this partner account (Northwind MSP)" in p for p in prompts)
        assert "0 open run(s)" in text_of(chooser, ".hint:last-of-type")
        await pilot.press("escape")
        assert not isinstance(app.screen, WizardStartScreen)


async def test_migration_end_to_end(make_app: Any, settle: Any, wait_until: Any, authority: DemoAuthority,
                                    tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_wizard(pilot, settle, "kind:migrate")
        assert screen.stage == "choose"
        assert screen.query_one("#org-select", Select).value == CUSTOMER
        assert screen.query_one("#target-select", Select).value == "harbor"
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen.plan is not None, "the plan")
        await pilot.pause()
        cost = text_of(screen, "#plan-cost")
        assert "Northwind MSP" in cost and "Harbor IT Services" in cost
        full = text_of(screen, "#plan-cost-full")
        assert "billed users" in full and "→" in full
        assert "dry run" in text_of(screen, "#plan-view Static")
        await plan_and_confirm(pilot, screen, wait_until)
        shown = statuses(screen)
        kinds = [s.kind for s in screen.plan.steps]  # type: ignore[union-attr]
        assert all(st == "done" for st, s in zip(shown, screen.plan.steps) if not s.manual)  # type: ignore[union-attr]
        assert all(st == "waiting" for st, s in zip(shown, screen.plan.steps) if s.manual)  # type: ignore[union-attr]
        assert "⏸ waiting for a person" in str(screen.step_list.get_option_at_index(kinds.index(StepKind.UNINSTALL_AGENT)).prompt)  # type: ignore[union-attr]
        assert "waiting for a person" in text_of(screen, "#run-status")

        # e saves the technician's runbook
        await pilot.press("e")
        runbook = tmp_path / "exports" / f"runbook-{screen.run_id}.md"
        assert runbook.exists() and "Complete uninstall" in runbook.read_text()

        # the first device's agent signs in to Harbor: r verifies it (and implies its uninstall)
        first = next(s for s in screen.plan.steps if s.kind is StepKind.REINSTALL_AGENT)  # type: ignore[union-attr]
        authority.simulate_agent_signin(username=first.params["username"], os_name=first.params["os"],
                                        hostname=first.params["hostname"])
        await pilot.press("r")
        await wait_until(pilot, lambda: not screen._busy, "the check")
        index = screen.plan.step(first.key)[0]  # type: ignore[union-attr]
        assert statuses(screen)[index] == "done"
        assert statuses(screen)[index - 1] == "done"  # the uninstall, implied

        # the rest is confirmed by hand with d on each waiting step
        while "waiting" in statuses(screen):
            screen.step_list.highlighted = statuses(screen).index("waiting")  # type: ignore[union-attr]
            await pilot.press("d")
            await wait_until(pilot, lambda: not screen._busy, "mark done")
        record = journal_for(app).run(screen.run_id)  # type: ignore[arg-type]
        assert record.status is RunStatus.DONE
        assert "✓ done" in text_of(screen, "#run-status")

        # esc closes; the dashboard refreshes; Harbor (after its refresh) has the org and users
        await pilot.press("escape")
        await settle(pilot)
        await app.switch_profile("harbor")
        await settle(pilot)
        tree = app.dataset.tree
        org = tree.find_by_name(CUSTOMER)
        assert org is not None and org.is_active and tree.is_top(org.parent_org_id)
        usernames = {u.username for u in app.dataset.snapshot.users if u.org_id == org.org_id}
        assert usernames == {u["username"] for u in record.plan.users}


async def test_offboarding(make_app: Any, settle: Any, wait_until: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_wizard(pilot, settle, "kind:offboard", OFFBOARDED)
        assert not screen.query_one("#target-select").display
        await plan_and_confirm(pilot, screen, wait_until)
        assert set(statuses(screen)) == {"done"}
        assert journal_for(app).run(screen.run_id).status is RunStatus.DONE  # type: ignore[arg-type]
        assert screen.changed
        await pilot.press("escape")
        await settle(pilot)
        org = app.dataset.tree.find_by_name(OFFBOARDED)
        assert org is None or not org.is_active


def plan_text(screen: WizardRunScreen) -> str:
    """Everything the plan view shows, one Static after another."""
    return "\n".join(str(w.render()) for w in screen.query_one(PlanView).query(Static))


async def test_offboarding_plan_states_the_org_retention(make_app: Any, settle: Any, wait_until: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_wizard(pilot, settle, "kind:offboard", "Maple Street Veterinary")
        await plan_and_confirm(pilot, screen, wait_until, confirm=False)
        assert "retention period (90 days, around 2025-08-31) ends" in plan_text(screen)


async def test_a_failing_retention_lookup_still_plans(make_app: Any, settle: Any, wait_until: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    async def hang(self: Any, org_guid: str) -> int | None:
        await asyncio.sleep(60)
        return 1

    monkeypatch.setattr("msp_tui.api.Code42Client.get_org_retention_days", hang)
    monkeypatch.setattr("msp_tui.wizards.planning.RETENTION_TIMEOUT", 0.05)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_wizard(pilot, settle, "kind:offboard", "Maple Street Veterinary")
        await plan_and_confirm(pilot, screen, wait_until, confirm=False)
        text = plan_text(screen)
        assert "until purged or until the org's retention period ends;" in text and "90 days" not in text
        assert isinstance(app.screen, ConfirmScreen)  # the plan is whole: confirming is offered


async def test_account_closure_email(make_app: Any, settle: Any, wait_until: Any, tmp_path: Path) -> None:
    app = make_app(profile_name="harbor")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_wizard(pilot, settle, "kind:close-account", None)
        await plan_and_confirm(pilot, screen, wait_until)
        assert statuses(screen)[-1] == "waiting"  # send-email: a person sends it
        await pilot.press("c")
        assert "copied" in text_of(screen, "#wiz-message")
        await pilot.press("S")
        saved = tmp_path / "exports" / f"closure-email-{screen.run_id}.txt"
        assert "msp-billing@code42.com" in saved.read_text()
        screen.step_list.highlighted = len(statuses(screen)) - 1  # type: ignore[union-attr]
        await pilot.press("d")
        await wait_until(pilot, lambda: not screen._busy, "mark sent")
        assert journal_for(app).run(screen.run_id).status is RunStatus.DONE  # type: ignore[arg-type]


async def test_read_only_refuses_after_the_plan(make_app: Any, settle: Any, wait_until: Any) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_wizard(pilot, settle, "kind:offboard", OFFBOARDED)
        await plan_and_confirm(pilot, screen, wait_until, confirm=False)
        assert app.screen is screen  # no confirmation asked
        assert "Read-only session" in text_of(screen, "#plan-banner")
        assert "Read-only" in text_of(screen, "#wiz-message")
        assert screen.run_id is None and journal_for(app).list_runs() == []


async def test_skip_with_a_reason(make_app: Any, settle: Any, wait_until: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_wizard(pilot, settle, "kind:migrate")
        await plan_and_confirm(pilot, screen, wait_until)
        index = statuses(screen).index("waiting")
        screen.step_list.highlighted = index  # type: ignore[union-attr]
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#reason", Input).value = "laptop retired"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not screen._busy and statuses(screen)[index] == "skipped", "the skip")
        record = journal_for(app).run(screen.run_id)  # type: ignore[arg-type]
        assert record.steps[index].outcome["reason"] == "laptop retired"


async def test_escape_mid_run_then_resume_from_the_chooser(make_app: Any, settle: Any, wait_until: Any,
                                                           authority: DemoAuthority,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    gate = asyncio.Event()
    original = CreateOrg.act

    async def held(self: Any, ctx: Any, step: Any) -> Any:
        await gate.wait()  # the org creation hangs (a slow link) until the gate opens
        return await original(self, ctx, step)

    monkeypatch.setattr(CreateOrg, "act", held)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_wizard(pilot, settle, "kind:migrate")
        await plan_and_confirm(pilot, screen, wait_until, confirm=False)
        app.screen.query_one(Input).value = CUSTOMER
        await pilot.press("enter")
        create_org = next(i for i, s in enumerate(screen.plan.steps) if s.kind is StepKind.CREATE_ORG)  # type: ignore[union-attr]
        await wait_until(pilot, lambda: statuses(screen)[create_org] == "running", "the org creation")
        await pilot.press("escape")  # in the middle of the run
        await settle(pilot)
        run_id = screen.run_id
        assert run_id is not None and app.screen is not screen
        record = journal_for(app).run(run_id)
        assert record.status is RunStatus.INTERRUPTED
        assert [r.status.value for r in record.steps[:create_org + 1]] == ["done"] * create_org + ["running"]

        gate.set()
        chooser = open_wizards(app)
        await pilot.pause()
        choices = chooser.query_one("#choices", OptionList)
        option = choices.get_option(f"run:{run_id}")
        assert "‖ interrupted" in str(option.prompt)
        choices.highlighted = choices.get_option_index(f"run:{run_id}")
        await pilot.press("enter")
        await pilot.pause()
        resumed = app.screen
        assert isinstance(resumed, WizardRunScreen) and resumed.run_id == run_id
        await wait_until(pilot, lambda: not resumed._busy and "waiting" in statuses(resumed), "the resumed run")
        sign_in_agents(authority, resumed)
        await pilot.press("r")
        await wait_until(pilot, lambda: not resumed._busy and set(statuses(resumed)) == {"done"}, "verification")
        assert journal_for(app).run(run_id).status is RunStatus.DONE
        harbor_tenant = next(o["tenant"] for o in authority.store.orgs.values() if o["name"] == "Harbor IT Services")
        orgs = [o for o in authority.store.orgs.values() if o["name"] == CUSTOMER and o["tenant"] == harbor_tenant]
        assert len(orgs) == 1  # created once, in Harbor
        harbor = [u["username"] for u in authority.store.users.values() if u["org_id"] == orgs[0]["id"]]
        assert sorted(harbor) == sorted(u["username"] for u in record.plan.users)  # nothing twice


async def test_open_runs_are_offered_at_start(make_app: Any, settle: Any, wait_until: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert open_runs_offer(app) == 0
        screen = await open_wizard(pilot, settle, "kind:migrate")
        await plan_and_confirm(pilot, screen, wait_until)
        await pilot.press("escape")
        await settle(pilot)
        assert open_runs_offer(app) == 1
        await pilot.pause()
        offer = app.screen
        assert isinstance(offer, ResumeOfferScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WizardRunScreen) and app.screen.run_id == screen.run_id
        await wait_until(pilot, lambda: not app.screen._busy, "the resumed check")


def test_cost_lines_name_a_tier_crossing() -> None:
    line = CostLine("target", "Harbor IT Services", 48, 53, "479.52", "396.97", "9.99", "7.49", "2025-07-01",
                    notes=("Harbor IT Services crosses the 51-user tier: 48 → 53 billed users, …",))
    compact = cost_line_text(line, compact=True)
    assert compact.startswith("Harbor IT Services: 48→53 users, $479.52→$396.97/mo")
    assert compact.endswith("▲ crosses the tier")
    below = CostLine("source", "Northwind MSP", 52, 49, "389.48", "489.51", "7.49", "9.99", "2025-07-01",
                     after_purge_billed=47, after_purge_monthly="469.53",
                     notes=("Northwind MSP falls below the 51-user tier: 52 → 49 billed users, …",))
    assert "once purged 47 $469.53 ▼ falls below the tier" in cost_line_text(below, compact=True)
    assert "(source account)" in cost_text(Plan(kind=WizardKind.OFFBOARD, title="t", profiles={}, accounts={},
                                                 planned_on="2025-06-02", confirm_name="x", steps=(),
                                                 costs=(below,)))


async def test_read_only_session_shows_an_open_run_without_continuing_it(
        make_app: Any, settle: Any, wait_until: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_wizard(pilot, settle, "kind:migrate")
        await plan_and_confirm(pilot, screen, wait_until)
        run_id = screen.run_id
    before = journal_for(app).run(run_id).steps  # type: ignore[arg-type]
    viewer = make_app(read_only=True)
    async with viewer.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert open_runs_offer(viewer) == 1
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        shown = viewer.screen
        assert isinstance(shown, WizardRunScreen) and shown.run_id == run_id
        assert "read-only" in text_of(shown, "#wiz-message").lower()
        assert shown.check_action("retry", ()) is None  # shown disabled in the footer
        await pilot.press("r", "d")
        await settle(pilot)
        assert not shown._busy
        assert journal_for(viewer).run(run_id).steps == before  # type: ignore[arg-type]


async def test_w_on_the_dashboard_opens_the_chooser(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        await pilot.press("W")
        await pilot.pause()
        chooser = app.screen
        assert isinstance(chooser, WizardStartScreen)
        customer = chooser.customer
        assert customer is not None and app.dataset.tree.find_by_name(customer) is not None


async def test_a_new_dashboard_offers_the_open_runs_by_itself(make_app: Any, settle: Any, wait_until: Any) -> None:
    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        screen = await open_wizard(pilot, settle, "kind:migrate")
        await plan_and_confirm(pilot, screen, wait_until)
        await pilot.press("escape")
        await settle(pilot)
    second = make_app()
    async with second.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: isinstance(second.screen, ResumeOfferScreen), "the offer")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(second.screen, ResumeOfferScreen)
