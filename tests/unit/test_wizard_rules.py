"""Unit tests of the pure wizard code: rename rule, state machine, plans and costs, runbook, email."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msp_tui.domain.policy import BillingSettings, Policy
from msp_tui.domain.wizards.email import Deactivated, closure_email
from msp_tui.domain.wizards.machine import RunStatus, TransitionError, WizardMachine
from msp_tui.domain.wizards.model import Plan, Step, StepKind, StepStatus, WizardKind
from msp_tui.domain.wizards.plans import (
    PlanError,
    closure_plan,
    migration_plan,
    offboard_plan,
    retention_orgs,
    retention_summary,
)
from msp_tui.domain.wizards.render import render_plan
from msp_tui.domain.wizards.rename import deactivated_name, original_name
from msp_tui.domain.wizards.runbook import render_runbook
from msp_tui.models import AccountSnapshot, Device, Org, User

DAY = date(2026, 11, 26)
S = StepStatus


# -- rename rule ---------------------------------------------------------------------------------


def test_rename_inserts_suffix_before_the_at() -> None:
    assert deactivated_name("jane.doe@example.com", DAY) == "jane.doe_deactivated_20261126@example.com"
    assert deactivated_name("jane", DAY) == "jane_deactivated_20261126"
    assert deactivated_name("jane.doe_deactivated_20261126@example.com", DAY) == \
        "jane.doe_deactivated_20261126@example.com"
    assert original_name("jane.doe_deactivated_20261126@example.com", DAY) == "jane.doe@example.com"
    assert original_name("jane.doe@example.com", DAY) == "jane.doe@example.com"
    assert deactivated_name("a@b.c", DAY, "-old-{date}") == "a-old-20261126@b.c"


@given(local=st.from_regex(r"[a-z][a-z0-9._+-]{0,20}", fullmatch=True),
       domain=st.from_regex(r"[a-z]{1,10}\.[a-z]{2,4}", fullmatch=True),
       day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_rename_is_reversible(local: str, domain: str, day: date) -> None:
    email = f"{local}@{domain}"
    renamed = deactivated_name(email, day)
    assert renamed != email and renamed.endswith(f"@{domain}")
    assert original_name(renamed, day) == email
    assert deactivated_name(renamed, day) == renamed


# -- state machine -------------------------------------------------------------------------------


def _plan(kinds: list[StepKind]) -> Plan:
    steps = tuple(Step(f"{k.value}:{i}", k, "source", f"step {i}", {}) for i, k in enumerate(kinds))
    return Plan(kind=WizardKind.MIGRATE,
                title="t", profiles={"source": "a"}, accounts={"source": "A"}, planned_on=DAY.isoformat(),
                confirm_name="X", steps=steps)


AUTO, MANUAL = StepKind.DEACTIVATE_USER, StepKind.REINSTALL_AGENT


def test_automatic_steps_run_in_order_and_manual_ones_in_parallel() -> None:
    m = WizardMachine(_plan([AUTO, AUTO, MANUAL, MANUAL, StepKind.DRAFT_EMAIL]))
    assert m.actionable() == [0] and m.run_status() is RunStatus.PLANNED
    with pytest.raises(TransitionError):
        m.advance(1, S.RUNNING)
    with pytest.raises(TransitionError):
        m.advance(2, S.DONE)  # a manual step cannot be confirmed before the steps it follows
    m.advance(0, S.RUNNING)
    m.advance(0, S.DONE)
    m.advance(1, S.RUNNING)
    m.advance(1, S.FAILED)
    assert m.run_status() is RunStatus.FAILED and m.actionable() == [1]  # offered again as a retry
    m.advance(1, S.RUNNING)
    m.advance(1, S.DONE)
    assert m.actionable() == [2, 3]  # both manual steps at once; the draft waits for them
    m.advance(2, S.WAITING)
    m.advance(3, S.WAITING)
    assert m.run_status() is RunStatus.WAITING
    m.advance(3, S.DONE)
    m.advance(2, S.SKIPPED)
    assert m.actionable() == [4]
    m.advance(4, S.RUNNING)
    m.advance(4, S.DONE)
    assert m.run_status() is RunStatus.DONE and m.current is None


def test_rollback_undoes_done_reversible_steps_last_first() -> None:
    m = WizardMachine(_plan([AUTO, StepKind.RENAME_USER, MANUAL, AUTO]),
                      [S.DONE, S.DONE, S.DONE, S.PENDING])
    assert m.start_rollback() == [1, 0]
    with pytest.raises(TransitionError):
        m.advance(3, S.RUNNING)
    with pytest.raises(TransitionError):
        m.advance(2, S.ROLLED_BACK)
    m.advance(1, S.ROLLED_BACK)
    m.advance(0, S.ROLLED_BACK)
    assert m.run_status() is RunStatus.ROLLED_BACK


@settings(max_examples=200, deadline=None)
@given(kinds=st.lists(st.sampled_from([AUTO, MANUAL]), min_size=1, max_size=8),
       moves=st.lists(st.tuples(st.integers(0, 7), st.sampled_from(list(StepStatus))), max_size=40))
def test_no_sequence_of_moves_breaks_the_ordering(kinds: list[StepKind], moves) -> None:
    m = WizardMachine(_plan(kinds))
    for index, status in moves:
        if index >= len(kinds):
            continue
        try:
            m.advance(index, status)
        except TransitionError:
            continue
        # Invariant: an automatic step only ever runs or finishes (other than by skip) once every
        # earlier automatic step is finished.
        if status in (S.RUNNING, S.DONE) and not m.steps[index].manual:
            assert all(m.statuses[i].finished or m.steps[i].manual for i in range(index))
        assert len(m.actionable()) <= sum(1 for s in m.steps if s.manual) + 1
    assert isinstance(m.run_status(), RunStatus)


# -- plans and costs -----------------------------------------------------------------------------


def _snapshot(profile: str, top: str, customers: dict[str, int], *, top_id: int, devices_per_user: int = 1,
              inactive: dict[str, int] | None = None) -> AccountSnapshot:
    orgs = [Org(org_id=top_id, org_uid=f"u{top_id}", org_guid=f"g{top_id}", org_name=top, active=True)]
    users, devices = [], []
    uid = top_id * 1000
    for n, (name, count) in enumerate(customers.items(), start=1):
        oid = top_id + n
        orgs.append(Org(org_id=oid, org_uid=f"u{oid}", org_guid=f"g{oid}", org_name=name, parent_org_id=top_id,
                        parent_org_uid=f"u{top_id}", active=True))
        slug = name.lower().replace(" ", "")
        for i in range(count + (inactive or {}).get(name, 0)):
            uid += 1
            active = i < count
            users.append(User(user_id=uid, user_uid=f"uu{uid}", username=f"user{i}@{slug}.example",
                              email=f"user{i}@{slug}.example", org_id=oid, org_uid=f"u{oid}", org_name=name,
                              active=active))
            for d in range(devices_per_user if active else 0):
                devices.append(Device(computer_id=uid * 10 + d, name=f"PC-{uid}-{d}", os_hostname=f"pc-{uid}-{d}",
                                      os_name=("win", "mac", "linux")[d % 3], user_id=uid, user_uid=f"uu{uid}",
                                      org_id=oid, active=True))
    return AccountSnapshot(profile=profile, fetched_at=datetime(2026, 11, 26, tzinfo=timezone.utc),
                           orgs=tuple(orgs), users=tuple(users), devices=tuple(devices))


def test_migration_taking_the_target_across_51_says_so_with_numbers() -> None:
    source = _snapshot("a", "Alpha MSP", {"Acme Dental": 4, "Other": 10}, top_id=100, devices_per_user=2)
    target = _snapshot("b", "Beta MSP", {"Big": 47}, top_id=200)
    plan = migration_plan(source, target, "acme dental", policy=Policy(), today=DAY, profiles=("a", "b"))
    tgt = next(c for c in plan.costs if c.account == "target")
    assert (tgt.billed_before, tgt.billed_after) == (47, 51)
    assert (tgt.monthly_before, tgt.monthly_after) == ("469.53", "381.99")
    note = tgt.notes[0]
    assert "crosses the 51-user tier: 47 → 51 billed users" in note
    assert "$7.49 instead of $9.99" in note and "$469.53 → $381.99 a month" in note
    text = render_plan(plan)
    assert "crosses the 51-user tier" in text
    # Steps in the FAQ's order.
    kinds = [s.kind for s in plan.steps]
    assert kinds[:8] == [StepKind.RENAME_USER, StepKind.DEACTIVATE_USER] * 4
    assert kinds[8] is StepKind.CREATE_ORG and kinds[9:13] == [StepKind.CREATE_USER] * 4
    assert kinds[13:] == [StepKind.UNINSTALL_AGENT, StepKind.REINSTALL_AGENT] * 8
    assert plan.steps[8].params["parent_guid"] == "g200"
    assert plan.steps[0].params["new_email"] == "user0_deactivated_20261126@acmedental.example"
    assert len(plan.users) == 4 and len(plan.devices) == 8
    assert any("start over" in s for s in plan.summary) and any("cold storage" in s for s in plan.summary)
    assert Plan.loads(plan.dumps()) == plan


def test_source_falling_below_the_tier_is_said_with_numbers() -> None:
    source = _snapshot("a", "Alpha MSP", {"Acme": 5, "Rest": 47}, top_id=100)
    target = _snapshot("b", "Beta MSP", {"X": 3}, top_id=200)
    plan = migration_plan(source, target, "Acme", policy=Policy(), today=DAY, profiles=("a", "b"))
    src = plan.costs[0]
    # Cold storage keeps the users billed (default policy) until purged, then the tier is lost.
    assert (src.billed_before, src.billed_after, src.after_purge_billed) == (52, 52, 47)
    assert any("once the cold storage is purged falls below the 51-user tier: 52 → 47" in n for n in src.notes)
    not_counted = Policy(billing=BillingSettings(count_cold_storage_users=False))
    plan = migration_plan(source, target, "Acme", policy=not_counted, today=DAY, profiles=("a", "b"))
    assert "falls below the 51-user tier: 52 → 47 billed users" in plan.costs[0].notes[0]


def test_plan_errors_and_offboard_and_closure() -> None:
    source = _snapshot("a", "Alpha MSP", {"Acme": 2, "Beta": 1}, top_id=100, inactive={"Acme": 1})
    target = _snapshot("b", "Beta MSP", {}, top_id=200)
    with pytest.raises(PlanError, match="no customer org"):
        migration_plan(source, target, "Nope", policy=Policy(), today=DAY, profiles=("a", "b"))
    with pytest.raises(PlanError, match="same"):
        migration_plan(source, target, "Acme", policy=Policy(), today=DAY, profiles=("a", "a"))
    off = offboard_plan(source, "Acme", policy=Policy(), today=DAY, profile="a")
    assert [s.kind for s in off.steps] == [StepKind.DEACTIVATE_USER] * 2 + [StepKind.DEACTIVATE_ORG]
    assert off.confirm_name == "Acme" and any("cold storage" in s for s in off.summary)
    close = closure_plan(source, policy=Policy(), today=DAY, profile="a", own_usernames=["user0@beta.example"])
    assert close.confirm_name == "Alpha MSP"
    assert [s.kind for s in close.steps][-2:] == [StepKind.DRAFT_EMAIL, StepKind.SEND_EMAIL]
    assert not any(s.params.get("username") == "user0@beta.example" for s in close.steps)
    assert close.email["to"] == "msp-billing@code42.com" and close.email["payment_support"] == "support@2checkout.com"
    email = closure_email(close, [Deactivated("org", "Acme", "2026-11-26T10:00:00+00:00"),
                                  Deactivated("user", "user0@acme.example", "2026-11-26T09:59:00+00:00")],
                          login="admin@alpha.example")
    assert email.to == "msp-billing@code42.com"
    assert "Alpha MSP" in email.body and "Acme (deactivated 2026-11-26T10:00:00+00:00)" in email.body
    assert "support@2checkout.com" in email.body and "on 2026-11-26" in email.body


def test_runbook_has_per_os_instructions() -> None:
    source = _snapshot("a", "Alpha MSP", {"Acme": 1}, top_id=100, devices_per_user=3)
    target = _snapshot("b", "Beta MSP", {}, top_id=200)
    plan = migration_plan(source, target, "Acme", policy=Policy(), today=DAY, profiles=("a", "b"))
    text = render_runbook(plan, {plan.steps[-1].key: "done"}, run_id="mig-1")
    for needle in ("(Windows,", "(macOS,", "(Linux,", "C:\\ProgramData\\CrashPlan", "uninstall.sh",
                   "/var/lib/crashplan", "Sign in as user0@acme.example", "Beta MSP", "- [x]", "- [ ]"):
        assert needle in text


# -- cold-storage retention in the plans ---------------------------------------------------------

OLD_MIGRATION = ("The old archives stay in Alpha MSP's cold storage with the deactivated users until purged "
                 "(or until the org's retention period ends) and may still hold subscriptions there until then.")
OLD_OFFBOARD = ("Backups stop. The archives go to cold storage and stay there until purged or until the "
                "org's retention period ends; reactivating a user (or the org) within that time brings them back.")
OLD_CLOSURE = ("Backups stop everywhere. Archives go to cold storage and stay until purged or until each "
               "org's retention period ends; subscriptions are held until then.")


def _retention_plans(retention: dict[int, int] | None) -> tuple[Plan, Plan, Plan]:
    # Alpha MSP is org 100, Acme 101, Beta 102.
    source = _snapshot("a", "Alpha MSP", {"Acme": 2, "Beta": 1}, top_id=100, inactive={"Acme": 1})
    target = _snapshot("b", "Beta MSP", {}, top_id=200)
    return (
        migration_plan(source, target, "Acme", policy=Policy(), today=DAY, profiles=("a", "b"), retention=retention),
        offboard_plan(source, "Acme", policy=Policy(), today=DAY, profile="a", retention=retention),
        closure_plan(source, policy=Policy(), today=DAY, profile="a", retention=retention),
    )


@pytest.mark.parametrize("retention", [None, {}, {999: 30, 200: 30}], ids=["none", "empty", "other-orgs"])
def test_plans_without_a_known_retention_keep_the_general_wording(retention: dict[int, int] | None) -> None:
    migration, offboard, closure = _retention_plans(retention)
    assert OLD_MIGRATION in migration.summary
    assert OLD_OFFBOARD in offboard.summary
    assert OLD_CLOSURE in closure.summary
    assert not any("days" in line for p in (migration, offboard, closure) for line in p.summary)


def test_plans_state_the_retention_and_the_purge_day_when_known() -> None:
    migration, offboard, closure = _retention_plans({100: 365, 101: 90, 102: 365})
    assert ("The old archives stay in Alpha MSP's cold storage with the deactivated users until purged, or until "
            "the org's retention period (90 days, around 2027-02-24) ends, and may still hold subscriptions there "
            "until then.") in migration.summary
    assert ("Backups stop. The archives go to cold storage and stay there until purged or until the org's retention "
            "period (90 days, around 2027-02-24) ends; reactivating a user (or the org) within that time brings "
            "them back.") in offboard.summary
    assert ("Backups stop everywhere. Archives go to cold storage and stay until purged or until each org's "
            "retention period (365 days, around 2027-11-26; 90 days for Acme, around 2027-02-24) ends; "
            "subscriptions are held until then.") in closure.summary
    # The journal keeps the plan whole: the text travels with it, nothing is looked up again.
    for plan in (migration, offboard, closure):
        assert Plan.loads(plan.dumps()) == plan
    assert "90 days, around 2027-02-24" in render_plan(offboard)


def test_closure_names_the_orgs_whose_retention_is_unknown() -> None:
    _, _, closure = _retention_plans({101: 90})
    assert any("each org's retention period (90 days, around 2027-02-24; unknown for Beta) ends;" in line
               for line in closure.summary)


def _orgs(*pairs: tuple[int, str]) -> list[Org]:
    return [Org(org_id=i, org_uid=f"u{i}", org_guid=f"g{i}", org_name=name, active=True) for i, name in pairs]


def test_retention_summary_puts_the_usual_value_first_and_shortens_long_lists() -> None:
    orgs = _orgs((1, "Acme"), (2, "Beta"), (3, "Cedar"), (4, "Delta"), (5, "Echo"), (6, "Fox"), (7, "Gulf"))
    days = {1: 365, 2: 365, 3: 365, 4: 30, 5: 30, 6: 30, 7: 30}
    assert retention_summary(orgs, days, DAY) == (
        "30 days, around 2026-12-26; 365 days for Acme, Beta, Cedar, around 2027-11-26")
    days = {1: 90, 2: 14, 3: 14, 4: 14, 5: 14, 6: 90, 7: 90}
    assert retention_summary(orgs, days, DAY) == (
        "14 days, around 2026-12-10; 90 days for Acme, Fox, Gulf, around 2027-02-24")
    assert retention_summary(orgs, {1: 7, 2: 7}, DAY) == (
        "7 days, around 2026-12-03; unknown for Cedar, Delta, Echo and 2 more")
    assert retention_summary(orgs[:2], {1: 30, 2: 60}, DAY) == (
        "60 days, around 2027-01-25; 30 days for Acme, around 2026-12-26")  # a tie: the longer hold first
    assert retention_summary(orgs, {}, DAY) is None and retention_summary(orgs, None, DAY) is None


def test_retention_orgs_are_the_customer_and_its_nested_orgs_or_the_whole_account() -> None:
    source = _snapshot("a", "Alpha MSP", {"Acme": 1, "Beta": 1}, top_id=100)
    nested = Org(org_id=150, org_uid="u150", org_guid="g150", org_name="Acme Branch", parent_org_id=101,
                 parent_org_uid="u101", active=True)
    gone = Org(org_id=151, org_uid="u151", org_guid="g151", org_name="Acme Old", parent_org_id=101,
               parent_org_uid="u101", active=False)
    branch_user = User(user_id=9001, user_uid="uu9001", username="ann@acme-branch.example", org_id=150,
                       org_uid="u150", org_name="Acme Branch", active=True)
    source = replace(source, orgs=source.orgs + (nested, gone), users=source.users + (branch_user,))
    assert [o.org_name for o in retention_orgs(source, "acme")] == ["Acme", "Acme Branch"]
    assert [o.org_name for o in retention_orgs(source)] == ["Alpha MSP", "Acme", "Beta", "Acme Branch"]
    assert retention_orgs(source, "Nope") == []
    # A nested org's own retention is named in the plan when it differs from the customer's.
    plan = offboard_plan(source, "Acme", policy=Policy(), today=DAY, profile="a", retention={101: 90, 150: 30})
    assert any("retention period (90 days, around 2027-02-24; 30 days for Acme Branch, around 2026-12-26) ends"
               in line for line in plan.summary)
