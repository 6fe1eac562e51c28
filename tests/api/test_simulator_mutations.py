"""Write side of the demo authority over real HTTP: users, orgs, devices, cold storage."""

from __future__ import annotations

import httpx
import pytest

from msp_tui.simulator import DemoAuthority


def org_named(client: httpx.Client, name: str) -> dict:
    orgs = client.get("/api/v1/Org", params={"pgSize": 1000}).json()["data"]["orgs"]
    return next(o for o in orgs if o["orgName"] == name)


def active_user_in(client: httpx.Client, org: dict) -> dict:
    users = client.get("/api/v1/User", params={"orgUid": org["orgUid"], "active": "true"}).json()["data"]["users"]
    return users[0]


def cold_rows(client: httpx.Client, org: dict | None = None) -> list[dict]:
    params = {"pgSize": 1000, "incChildOrgs": "True", "srtKey": "archiveHoldExpireDate", "srtDir": "asc"}
    if org:
        params["orgId"] = org["orgId"]
    return client.get("/api/v1/ColdStorage", params=params).json()["data"]["coldStorageRows"]


def test_create_user_and_validation_errors(northwind: httpx.Client) -> None:
    org = org_named(northwind, "Summit Physical Therapy")
    body = {"orgUid": org["orgUid"], "username": "new.pt@summit-pt.example", "email": "new.pt@summit-pt.example",
            "password": None, "firstName": "New", "lastName": "Therapist", "notes": None}
    created = northwind.post("/api/v1/User", json=body)
    assert created.status_code in (200, 201)
    user = created.json()["data"]
    assert user["userUid"] and user["orgId"] == org["orgId"] and user["status"] == "Active"

    duplicate = northwind.post("/api/v1/User", json=body)
    assert duplicate.status_code == 500 and duplicate.json()[0]["name"] == "USER_DUPLICATE"
    taken_email = northwind.post("/api/v1/User", json={**body, "username": "other@summit-pt.example"})
    assert taken_email.status_code == 500 and "USER_DUPLICATE" in taken_email.text
    bad_email = northwind.post("/api/v1/User", json={**body, "username": "x@summit-pt.example", "email": "nope"})
    assert bad_email.status_code == 500 and bad_email.json()[0]["name"] == "EMAIL_INVALID"
    unknown_org = northwind.post("/api/v1/User", json={**body, "orgUid": "999", "username": "y@summit-pt.example",
                                                        "email": "y@summit-pt.example"})
    assert unknown_org.status_code == 400


def test_rename_user_then_email_is_free(northwind: httpx.Client) -> None:
    org = org_named(northwind, "Keller & Voss Law")
    user = active_user_in(northwind, org)
    old_email = user["email"]
    renamed = northwind.put(f"/api/v1/User/{user['userUid']}", params={"idType": "uid"},
                            json={"username": "gone_" + old_email, "email": "gone_" + old_email, "notes": "moved"})
    assert renamed.status_code == 200
    assert renamed.json()["data"]["username"] == "gone_" + old_email
    assert northwind.put(f"/api/v1/User/{user['userUid']}?idType=uid", json={"email": "bad"}).status_code == 500
    again = northwind.post("/api/v1/User", json={"orgUid": org["orgUid"], "username": old_email, "email": old_email})
    assert again.status_code in (200, 201)


def test_deactivate_user_moves_archives_to_cold_storage(northwind: httpx.Client) -> None:
    org = org_named(northwind, "Pinecrest Accounting")
    user = active_user_in(northwind, org)
    before = {r["archiveGuid"] for r in cold_rows(northwind, org)}
    assert northwind.post(f"/api/v3/users/{user['userUid']}/deactivate", json={"block": None}).is_success
    fetched = northwind.get(f"/api/v1/User/{user['userId']}").json()["data"]
    assert fetched["status"] == "Deactivated" and fetched["active"] is False
    devices = northwind.get("/api/v1/Computer", params={"userUid": user["userUid"], "incBackupUsage": True}).json()
    devices = devices["data"]["computers"]
    assert devices and all(d["status"] == "Deactivated" and not d["active"] for d in devices)
    archive_guids = {u["archiveGuid"] for d in devices for u in d["backupUsage"]}
    rows = cold_rows(northwind, org)
    new = [r for r in rows if r["archiveGuid"] not in before]
    assert {r["archiveGuid"] for r in new} == archive_guids
    assert all(r["sourceUserUid"] == user["userUid"] for r in new)
    assert all(r["archiveHoldExpireDate"].startswith("2026-06-02") for r in new)
    top = org_named(northwind, "Northwind MSP")
    assert {r["archiveGuid"] for r in new} <= {r["archiveGuid"] for r in cold_rows(northwind, top)}
    archives = northwind.get("/api/v1/Archive", params={"userUid": user["userUid"]}).json()["data"]["archives"]
    assert archives and all(a["isColdStorage"] for a in archives)

    assert northwind.post(f"/api/v3/users/{user['userUid']}/activate", json={"unblock": None}).is_success
    assert northwind.get(f"/api/v1/User/{user['userId']}").json()["data"]["status"] == "Active"
    devices = northwind.get("/api/v1/Computer", params={"userUid": user["userUid"]}).json()["data"]["computers"]
    assert all(d["status"] != "Deactivated" for d in devices)
    assert not archive_guids & {r["archiveGuid"] for r in cold_rows(northwind, org)}


def test_block_and_move_user(northwind: httpx.Client) -> None:
    source = org_named(northwind, "Oakridge Family Medicine")
    target = org_named(northwind, "Blue Heron Realty")
    user = active_user_in(northwind, source)
    assert northwind.post(f"/api/v3/users/{user['userUid']}/block").is_success
    assert northwind.get(f"/api/v1/User/{user['userId']}").json()["data"]["status"] == "Active, Blocked"
    assert northwind.post(f"/api/v3/users/{user['userUid']}/unblock").is_success
    moved = northwind.post(f"/api/v3/users/{user['userUid']}/move", json={"orgId": target["orgId"]})
    assert moved.is_success
    assert northwind.get(f"/api/v1/User/{user['userId']}").json()["data"]["orgId"] == target["orgId"]
    devices = northwind.get("/api/v1/Computer", params={"userUid": user["userUid"]}).json()["data"]["computers"]
    assert all(d["orgId"] == target["orgId"] for d in devices)


def test_org_create_needs_parent_and_updates(northwind: httpx.Client) -> None:
    missing = northwind.post("/api/v3/orgs", json={"orgName": "Orphan Inc", "parentOrgGuid": None})
    assert missing.status_code == 400
    top = org_named(northwind, "Northwind MSP")
    created = northwind.post("/api/v3/orgs", json={"orgName": "Tidewater Clinic", "orgExtRef": "CRM-17",
                                                   "notes": None, "parentOrgGuid": top["orgGuid"]})
    assert created.is_success
    org = created.json()["data"]
    assert org["orgId"] and org["orgGuid"] and org["parentOrgId"] == top["orgId"]
    updated = northwind.put(f"/api/v3/orgs/{org['orgGuid']}", json={"orgName": "Tidewater Family Clinic"})
    assert updated.json()["data"]["orgName"] == "Tidewater Family Clinic"
    assert northwind.post(f"/api/v3/orgs/{org['orgGuid']}/block").is_success
    assert northwind.get(f"/api/v3/orgs/{org['orgGuid']}").json()["data"]["blocked"] is True


@pytest.mark.parametrize("legacy", [False, True])
def test_org_deactivation_cascades(northwind: httpx.Client, legacy: bool) -> None:
    org = org_named(northwind, "Greenfield Engineering")
    child = org_named(northwind, "Greenfield Engineering - Field Office")
    users = [u for o in (org, child) for u in northwind.get(
        "/api/v1/User", params={"orgUid": o["orgUid"], "active": "true"}).json()["data"]["users"]]
    assert users
    if legacy:
        response = northwind.put(f"/api/OrgDeactivation/{org['orgId']}")
        assert response.status_code == 204
    else:
        assert northwind.post(f"/api/v3/orgs/{org['orgGuid']}/deactivate").is_success
    assert org_named(northwind, child["orgName"])["status"] == "Deactivated"
    for user in users:
        assert northwind.get(f"/api/v1/User/{user['userId']}").json()["data"]["status"] == "Deactivated"
    assert cold_rows(northwind, org)
    assert northwind.post(f"/api/v3/orgs/{org['orgGuid']}/activate").is_success
    for user in users:
        assert northwind.get(f"/api/v1/User/{user['userId']}").json()["data"]["status"] == "Active"
    assert northwind.post(f"/api/v3/orgs/{org_named(northwind, 'Northwind MSP')['orgGuid']}/deactivate"
                          ).status_code == 400


@pytest.mark.parametrize("version", ["v4", "v38"])
def test_device_actions(northwind: httpx.Client, version: str) -> None:
    devices = northwind.get("/api/v1/Computer", params={"active": "true"}).json()["data"]["computers"]
    device = next(d for d in devices if d["status"] == "Active")
    path = f"/api/{version}/computer-deactivation"
    assert northwind.post(f"{path}/update", json={"id": device["computerId"]}).is_success
    assert northwind.get(f"/api/v1/Computer/{device['computerId']}").json()["data"]["status"] == "Deactivated"
    assert any(r["sourceComputerId"] == device["computerId"] for r in cold_rows(northwind))
    assert northwind.post(f"{path}/remove", json={"id": device["computerId"]}).is_success
    assert northwind.get(f"/api/v1/Computer/{device['computerId']}").json()["data"]["status"] == "Active"
    assert northwind.put(f"/api/v1/ComputerBlock/{device['computerId']}").is_success
    assert northwind.get(f"/api/v1/Computer/{device['computerId']}").json()["data"]["blocked"] is True
    assert northwind.delete(f"/api/v1/ComputerBlock/{device['computerId']}").is_success
    assert northwind.put(f"/api/v1/ComputerDeauthorization/{device['computerId']}").is_success
    fetched = northwind.get(f"/api/v1/Computer/{device['computerId']}").json()["data"]
    assert fetched["status"] == "Active, Deauthorized"


def test_agent_signin_over_http_and_in_process(northwind: httpx.Client, demo_authority: DemoAuthority) -> None:
    org = org_named(northwind, "Cedar & Pine Interiors")
    user = active_user_in(northwind, org)
    response = northwind.post("/api/demo/agent-signin",
                              json={"username": user["username"], "osName": "win", "hostname": "NEW-LAPTOP"})
    assert response.is_success
    device = response.json()["data"]
    assert device["status"] == "Active" and device["userUid"] == user["userUid"]
    assert [u["targetComputerName"] for u in device["backupUsage"]] == ["PROe Cloud, US"]
    direct = demo_authority.simulate_agent_signin(username="admin@harbor-it.example", os_name="mac",
                                                  hostname="hana-mbp")
    assert direct["osName"] == "mac" and direct["backupUsage"][0]["targetComputerGuid"] == "43"
    listed = northwind.get("/api/v1/Computer", params={"userUid": user["userUid"]}).json()["data"]["computers"]
    assert device["computerId"] in [d["computerId"] for d in listed]


def test_cold_storage_hold_date_can_change(northwind: httpx.Client) -> None:
    row = cold_rows(northwind)[0]
    changed = northwind.put(f"/api/v1/coldStorage/{row['archiveGuid']}", params={"idType": "guid"},
                            json={"archiveHoldExpireDate": "2025-12-31"})
    assert changed.is_success
    again = next(r for r in cold_rows(northwind) if r["archiveGuid"] == row["archiveGuid"])
    assert again["archiveHoldExpireDate"] == "2025-12-31T00:00:00.000Z"
