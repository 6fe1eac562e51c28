"""py42 1.29.1 (the official Code42 SDK) against the demo authority over real HTTP."""

from __future__ import annotations

import httpx
import py42.sdk
import pytest

from msp_tui.simulator import DEMO_ACCOUNTS, RunningServer


def all_items(pages, key: str) -> list[dict]:
    return [item for page in pages for item in page[key]]


@pytest.fixture
def sdk(demo_server: RunningServer):
    account = DEMO_ACCOUNTS[0]
    return py42.sdk.from_local_account(demo_server.base_url, account.username, account.password)


def test_lists_match_the_raw_api(sdk, northwind: httpx.Client) -> None:
    orgs = all_items(sdk.orgs.get_all(), "orgs")
    users = all_items(sdk.users.get_all(), "users")
    devices = all_items(sdk.devices.get_all(include_backup_usage=True), "computers")
    raw = {key: northwind.get(f"/api/v1/{res}?pgSize=1").json()["data"]["totalCount"]
           for key, res in (("orgs", "Org"), ("users", "User"), ("computers", "Computer"))}
    assert len(orgs) == raw["orgs"] and len(users) == raw["users"] and len(devices) == raw["computers"]
    assert all("orgGuid" in org for org in orgs)
    assert all("backupUsage" in dev for dev in devices)
    assert {o["orgName"] for o in orgs} >= {"Northwind MSP", "BrightSmile Dental"}
    active = all_items(sdk.users.get_all(active=True), "users")
    assert len(active) == 45


def test_deactivate_and_reactivate_user(sdk, northwind: httpx.Client) -> None:
    users = all_items(sdk.users.get_all(active=True), "users")
    target = next(u for u in users if u["orgName"] == "Pinecrest Accounting")
    sdk.users.deactivate(target["userId"])
    assert sdk.users.get_by_id(target["userId"])["status"] == "Deactivated"
    devices = all_items(sdk.devices.get_all(user_uid=target["userUid"]), "computers")
    assert devices and all(d["status"] == "Deactivated" for d in devices)
    sdk.users.reactivate(target["userId"])
    assert sdk.users.get_by_id(target["userId"])["status"] == "Active"
    devices = all_items(sdk.devices.get_all(user_uid=target["userUid"]), "computers")
    assert any(d["active"] for d in devices)


def test_create_org_under_the_top_org(sdk) -> None:
    top = next(o for o in all_items(sdk.orgs.get_all(), "orgs") if o["parentOrgId"] is None)
    created = sdk.orgs.create_org("Fresh Customer LLC", parent_org_uid=top["orgUid"])
    assert created["orgId"] and created["orgGuid"]
    fetched = sdk.orgs.get_by_id(created["orgId"])
    assert fetched["orgName"] == "Fresh Customer LLC"
    assert fetched["parentOrgGuid"] == top["orgGuid"]


def test_api_client_and_device_actions(demo_server: RunningServer) -> None:
    account = DEMO_ACCOUNTS[1]
    sdk = py42.sdk.from_api_client(demo_server.base_url, account.client_id, account.client_secret)
    devices = all_items(sdk.devices.get_all(active=True), "computers")
    device = devices[0]
    sdk.devices.deactivate(device["computerId"])
    assert sdk.devices.get_by_id(device["computerId"])["status"] == "Deactivated"
    sdk.devices.reactivate(device["computerId"])
    sdk.devices.block(device["computerId"])
    assert sdk.devices.get_by_guid(device["guid"])["status"] == "Active, Blocked"
    sdk.devices.unblock(device["computerId"])
    sdk.devices.deauthorize(device["computerId"])
    assert sdk.devices.get_by_id(device["computerId"])["status"] == "Active, Deauthorized"


def test_py42_create_user_duplicate_raises(sdk) -> None:
    from py42.exceptions import Py42UserAlreadyExistsError

    org = next(o for o in all_items(sdk.orgs.get_all(), "orgs") if o["orgName"] == "Ridgeline Architects")
    user = sdk.users.create_user(org["orgUid"], "new.hire@ridgeline-arch.example",
                                 "new.hire@ridgeline-arch.example", first_name="New", last_name="Hire")
    assert user["userUid"]
    with pytest.raises(Py42UserAlreadyExistsError):
        sdk.users.create_user(org["orgUid"], "new.hire@ridgeline-arch.example", "other@ridgeline-arch.example")


def test_org_settings_read_and_update(sdk) -> None:
    """py42 reads org settings from the v3 org and /api/v1/OrgSetting, and writes them back
    through PUT /api/v1/OrgSetting (t-settings) and PUT /api/v1/Org (the whole org)."""
    orgs = all_items(sdk.orgs.get_all(), "orgs")
    maple = next(o for o in orgs if o["orgName"] == "Maple Street Veterinary")
    dental = next(o for o in orgs if o["orgName"] == "BrightSmile Dental")
    assert sdk.orgs.get_settings(maple["orgId"]).archive_hold_days == 90
    settings = sdk.orgs.get_settings(dental["orgId"])
    assert settings.archive_hold_days == 365 and settings.quota_settings_inherited
    assert settings.web_restore_enabled is True

    settings.archive_hold_days = 30
    settings.web_restore_enabled = False
    result = sdk.orgs.update_settings(settings)
    assert not result.error
    again = sdk.orgs.get_settings(dental["orgId"])
    assert again.archive_hold_days == 30 and not again.quota_settings_inherited
    assert again.web_restore_enabled is False
