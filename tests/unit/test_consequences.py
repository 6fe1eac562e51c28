"""Unit tests of the consequence preview: what each action does and its cost effect in numbers."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from msp_tui.domain.consequences import (
    DESTRUCTIVE,
    Action,
    consequences_for,
    device_consequences,
    org_consequences,
    user_consequences,
)
from msp_tui.domain.policy import BillingSettings, Policy
from msp_tui.models import AccountSnapshot, BackupUsage, ColdStorageRow, Device, Org, User

TODAY = date(2025, 6, 2)
NO_COLD = Policy(billing=BillingSettings(count_cold_storage_users=False))


def account(n_users: int, *, cold_users: int = 0, archives: bool = True) -> AccountSnapshot:
    """A top-level org with customer Acme (n users, one device each) and cold-storage users."""
    top = Org(org_id=1, org_guid="top-guid", org_name="Partner")
    acme = Org(org_id=2, org_guid="acme-guid", org_uid="acme", org_name="Acme", parent_org_id=1)
    users = [
        User(user_id=100 + i, user_uid=f"u{i}", username=f"user{i}@acme.example", org_id=2,
             active=True, first_name="Ann" if i == 0 else None, last_name="Lee" if i == 0 else None)
        for i in range(n_users)
    ]
    usage = [BackupUsage(target_computer_name="PROe Cloud, US", archive_bytes=10)] if archives else []
    devices = [
        Device(computer_id=1000 + i, name=f"PC-{i}", user_id=100 + i, user_uid=f"u{i}", org_id=2,
               active=True, status="Active", backup_usage=usage)
        for i in range(n_users)
    ]
    gone = [
        User(user_id=900 + i, user_uid=f"g{i}", username=f"gone{i}@acme.example", org_id=2,
             active=False)
        for i in range(cold_users)
    ]
    cold = [
        ColdStorageRow(archive_guid=f"a{i}", source_user_id=900 + i, source_user_uid=f"g{i}", org_id=2,
                       archive_hold_expire_date=datetime(2026, 1, 1 + i, tzinfo=timezone.utc))
        for i in range(cold_users)
    ]
    return AccountSnapshot("p", datetime(2025, 6, 2, tzinfo=timezone.utc), orgs=(top, acme),
                           users=tuple(users + gone), devices=tuple(devices), cold_storage=tuple(cold))


def test_deactivating_one_user_at_51_without_cold_storage_billing_loses_the_tier() -> None:
    snap = account(51)
    c = user_consequences(Action.DEACTIVATE_USER, snap.users[0], snap, NO_COLD, TODAY)
    assert c.cost is not None
    assert (c.cost.before.billed_users, c.cost.after.billed_users) == (51, 50)
    assert c.cost.after.next_cycle_rate == Decimal("9.99")
    assert c.cost.crosses_tier
    assert ("Billing now: 51 → 50 billed users, $381.99 → $499.50 a month (+$117.51) "
            "from the next cycle (2025-07-01).") in c.lines
    assert ("Billing: ▼ falls below the 51-user tier: rate $7.49 → $9.99 per user for every "
            "user.") in c.lines
    assert "Billing: this cycle stays at $7.49/user (fixed when it began)." in c.lines


def test_deactivating_at_51_with_cold_storage_billed_keeps_the_bill_until_the_purge() -> None:
    snap = account(51)
    c = user_consequences(Action.DEACTIVATE_USER, snap.users[0], snap, Policy(), TODAY)
    assert c.cost is not None and c.cost.after.billed_users == 51
    assert c.cost.after_purge is not None and c.cost.after_purge.billed_users == 50
    assert "Billing now: no change: 51 billed users, $7.49/user, $381.99 a month." in c.lines
    assert ("Billing after the purge (licence freed ~24 h later): 51 → 50 billed users, "
            "$381.99 → $499.50 a month (+$117.51) from the cycle after the purge.") in c.lines
    assert any("falls below the 51-user tier" in line for line in c.cost_lines)


def test_user_deactivation_states_what_happens() -> None:
    snap = account(10)
    user = snap.users[0]
    c = user_consequences(Action.DEACTIVATE_USER, user, snap, Policy(), TODAY, retention_days=90)
    assert c.title == "Deactivate user"
    assert c.subject == "user user0@acme.example (Ann Lee) in Acme"
    assert c.destructive and c.confirm_text == "user0@acme.example"
    text = "\n".join(c.lines)
    assert "stop backing up" in text
    assert "go to cold storage and stay there until purged" in text
    assert "licence (subscription) is still held" in text
    assert "retention period (90 days)" in text
    assert "Destructive" in text


@pytest.mark.parametrize("action", [Action.DEACTIVATE_USER, Action.DEACTIVATE_DEVICE, Action.DEACTIVATE_ORG])
@pytest.mark.parametrize(
    ("retention", "window"),
    [(90, "retention period (90 days), around 2025-08-31"),
     (365, "retention period (365 days), around 2026-06-02"),
     (None, "retention period (a per-org setting; check it in the console)")],
)
def test_deactivation_states_the_retention_and_purge_day_when_known(
    action: Action, retention: int | None, window: str
) -> None:
    snap = account(3)
    subject = {"user": snap.users[0], "device": snap.devices[0], "org": snap.orgs[1]}[action.kind]
    c = consequences_for(action, subject, snap, Policy(), TODAY, retention_days=retention)
    purge_line = next(line for line in c.lines if line.startswith("Reactivation is possible"))
    assert f"purged at the end of the org's cold-storage {window}" in purge_line
    assert purge_line.count("retention period") == 1


def test_user_without_archives_frees_the_licence_at_once() -> None:
    snap = account(51, archives=False)
    c = user_consequences(Action.DEACTIVATE_USER, snap.users[0], snap, Policy(), TODAY)
    assert c.cost is not None and c.cost.after.billed_users == 50
    assert c.cost.after_purge is None


def test_deactivating_below_the_tier_in_the_cliff_only_saves_one_seat() -> None:
    snap = account(40)
    c = user_consequences(Action.DEACTIVATE_USER, snap.users[0], snap, NO_COLD, TODAY)
    assert ("Billing now: 40 → 39 billed users, $399.60 → $389.61 a month (-$9.99) "
            "from the next cycle (2025-07-01).") in c.lines
    assert c.cost is not None and not c.cost.crosses_tier


def test_reactivating_the_51st_user_reaches_the_tier() -> None:
    snap = account(50, cold_users=1)
    gone = next(u for u in snap.users if not u.is_active)
    c = user_consequences(Action.REACTIVATE_USER, gone, snap, NO_COLD, TODAY)
    assert not c.destructive and c.confirm_text is None
    assert ("Billing: ▲ reaches the 51-user tier: rate $9.99 → $7.49 per user for every "
            "user.") in c.lines
    assert "1 archive(s) come back from cold storage (held until 2026-01-01)." in c.lines


def test_device_deactivation_does_not_change_the_bill() -> None:
    snap = account(51)
    c = device_consequences(Action.DEACTIVATE_DEVICE, snap.devices[0], snap, Policy(), TODAY)
    assert c.confirm_text == "PC-0" and c.destructive
    assert c.subject == "device PC-0 of user0@acme.example in Acme"
    assert "The user keeps their licence: billing counts users, not devices." in c.lines
    assert "Billing now: no change: 51 billed users, $7.49/user, $381.99 a month." in c.lines
    assert c.cost is not None and not c.cost.changes


@pytest.mark.parametrize("action", [Action.BLOCK_USER, Action.UNBLOCK_USER])
def test_block_and_unblock_are_not_destructive(action: Action) -> None:
    snap = account(3)
    c = consequences_for(action, snap.users[1], snap, Policy(), TODAY)
    assert not c.destructive and c.confirm_text is None
    assert c.lines[-1] == "Not destructive."
    assert any("no change" in line for line in c.cost_lines)


def test_block_device_says_backups_continue() -> None:
    snap = account(3)
    c = consequences_for(Action.BLOCK_DEVICE, snap.devices[0], snap, Policy(), TODAY)
    assert any("backups continue" in line for line in c.lines)


def test_org_deactivation_counts_users_and_devices_and_purge_effect() -> None:
    snap = account(55, cold_users=2)
    org = snap.orgs[1]
    c = org_consequences(Action.DEACTIVATE_ORG, org, snap, Policy(), TODAY)
    assert c.confirm_text == "Acme" and c.destructive
    assert c.lines[0] == "All 55 active user(s) of the org are deactivated; 55 device(s) stop backing up."
    assert c.cost is not None and c.cost.after.billed_users == 57
    assert c.cost.after_purge is not None and c.cost.after_purge.billed_users == 0
    assert any("msp-billing@code42.com" in line for line in c.lines)


def test_wrong_action_for_subject_is_an_error() -> None:
    snap = account(2)
    with pytest.raises(ValueError):
        user_consequences(Action.DEACTIVATE_DEVICE, snap.users[0], snap, Policy(), TODAY)


def test_destructive_set() -> None:
    assert DESTRUCTIVE == {Action.DEACTIVATE_USER, Action.DEACTIVATE_DEVICE, Action.DEACTIVATE_ORG}
    assert Action.DEACTIVATE_ORG.verb == "deactivate" and Action.DEACTIVATE_ORG.kind == "org"


@pytest.mark.parametrize(
    ("action", "subject", "login", "warned"),
    [
        (Action.DEACTIVATE_USER, "user0", "USER0@acme.example", True),  # usernames ignore case
        (Action.BLOCK_USER, "user0", "user0@acme.example", True),
        (Action.DEACTIVATE_USER, "user1", "user0@acme.example", False),  # someone else
        (Action.UNBLOCK_USER, "user0", "user0@acme.example", False),
        (Action.DEACTIVATE_ORG, "acme", "user0@acme.example", True),  # the login's own org
        (Action.DEACTIVATE_ORG, "acme", "admin@partner.example", False),
        (Action.DEACTIVATE_DEVICE, "pc0", "user0@acme.example", False),
        (Action.DEACTIVATE_USER, "user0", None, False),  # an API-client profile: no login
    ],
)
def test_actions_that_would_lock_out_the_signed_in_login_say_so_first(
        action: Action, subject: str, login: str | None, warned: bool) -> None:
    snap = account(2)
    target = {"user0": snap.users[0], "user1": snap.users[1], "acme": snap.orgs[1],
              "pc0": snap.devices[0]}[subject]
    c = consequences_for(action, target, snap, Policy(), TODAY, login=login)
    plain = consequences_for(action, target, snap, Policy(), TODAY)
    if warned:
        assert c.lines[0].startswith("⚠ ") and "login msp-tui signs in with" in c.lines[0]
        assert c.lines[1:] == plain.lines
    else:
        assert c.lines == plain.lines


def test_user_without_active_devices_is_worded_without_zero_counts() -> None:
    snap = account(1, archives=False)
    idle = User(user_id=555, user_uid="idle", username="idle@acme.example", org_id=2, active=True)
    snap = AccountSnapshot("p", snap.fetched_at, orgs=snap.orgs, users=(*snap.users, idle),
                           devices=snap.devices)
    c = user_consequences(Action.DEACTIVATE_USER, idle, snap, Policy(), TODAY)
    assert "The user has no active device: no backup stops." in c.lines
    assert "No new archive goes to cold storage." in c.lines
    assert not any(line.startswith(("The user's 0", "0 archive")) for line in c.lines)
    busy = user_consequences(Action.DEACTIVATE_USER, snap.users[0], snap, Policy(), TODAY)
    assert "The user's 1 active device(s) are deactivated and stop backing up." in busy.lines
