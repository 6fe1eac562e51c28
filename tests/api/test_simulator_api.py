"""Read side of the demo authority over real HTTP: envelope, paging, filters, paths, tenants."""

from __future__ import annotations

import re

import httpx
import pytest

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_envelope_echoes_params_as_strings(northwind: httpx.Client) -> None:
    body = northwind.get("/api/v1/User", params={"pgNum": 1, "pgSize": 5, "active": "True"}).json()
    assert set(body) == {"metadata", "data"}
    assert body["metadata"]["params"] == {"pgNum": "1", "pgSize": "5", "active": "True"}
    assert ISO_MS_Z.match(body["metadata"]["timestamp"])
    assert body["metadata"]["timestamp"] == "2025-06-02T15:00:00.000Z"
    assert set(body["data"]) == {"totalCount", "users"}
    assert len(body["data"]["users"]) == 5


@pytest.mark.parametrize(("resource", "key"), [("Org", "orgs"), ("User", "users"), ("Computer", "computers")])
def test_paging_walks_everything_once(northwind: httpx.Client, resource: str, key: str) -> None:
    total = northwind.get(f"/api/v1/{resource}").json()["data"]["totalCount"]
    seen: list[object] = []
    page = 1
    while True:
        items = northwind.get(f"/api/v1/{resource}", params={"pgNum": page, "pgSize": 7}).json()["data"][key]
        seen.extend(items)
        if len(items) < 7:
            break
        page += 1
    assert len(seen) == total
    id_key = {"orgs": "orgId", "users": "userId", "computers": "computerId"}[key]
    assert len({item[id_key] for item in seen}) == total


def test_exact_multiple_and_past_the_end(northwind: httpx.Client) -> None:
    total = northwind.get("/api/v1/Org").json()["data"]["totalCount"]
    assert total == 14
    first = northwind.get("/api/v1/Org", params={"pgNum": 1, "pgSize": 7}).json()["data"]
    second = northwind.get("/api/v1/Org", params={"pgNum": 2, "pgSize": 7}).json()["data"]
    third = northwind.get("/api/v1/Org", params={"pgNum": 3, "pgSize": 7})
    assert len(first["orgs"]) == 7 and len(second["orgs"]) == 7
    assert third.status_code == 200
    assert third.json()["data"] == {"totalCount": 14, "orgs": []}
    huge = northwind.get("/api/v1/Computer", params={"pgSize": 5000}).json()["data"]
    assert len(huge["computers"]) == min(huge["totalCount"], 1000)


def test_org_items_carry_guids_and_counts(northwind: httpx.Client) -> None:
    orgs = northwind.get("/api/v1/Org", params={"incCounts": "True"}).json()["data"]["orgs"]
    top = [o for o in orgs if o["parentOrgId"] is None]
    assert [o["orgName"] for o in top] == ["Northwind MSP"]
    for org in orgs:
        assert org["orgGuid"] and "parentOrgGuid" in org
        assert {"userCount", "computerCount"} <= set(org)
    assert sum(o["userCount"] for o in orgs) == 45
    plain = northwind.get("/api/v1/Org").json()["data"]["orgs"][0]
    assert "userCount" not in plain
    v3 = northwind.get(f"/api/v3/orgs/{orgs[1]['orgGuid']}").json()["data"]
    assert v3["orgId"] == orgs[1]["orgId"] and v3["parentOrgGuid"] == top[0]["orgGuid"]


def test_filters(northwind: httpx.Client) -> None:
    inactive_orgs = northwind.get("/api/v1/Org", params={"active": "false"}).json()["data"]["orgs"]
    assert [o["orgName"] for o in inactive_orgs] == ["Copperleaf Bakery"]
    assert inactive_orgs[0]["status"] == "Deactivated"
    dental = next(o for o in northwind.get("/api/v1/Org").json()["data"]["orgs"]
                  if o["orgName"] == "BrightSmile Dental")
    users = northwind.get("/api/v1/User", params={"orgUid": dental["orgUid"], "active": "true"}).json()["data"]
    assert users["totalCount"] == 6 and all(u["orgId"] == dental["orgId"] for u in users["users"])
    one = users["users"][0]
    by_email = northwind.get("/api/v1/User", params={"email": one["email"]}).json()["data"]
    assert [u["userId"] for u in by_email["users"]] == [one["userId"]]
    by_name = northwind.get("/api/v1/User", params={"username": one["username"]}).json()["data"]
    assert by_name["totalCount"] == 1
    by_q = northwind.get("/api/v1/User", params={"q": one["lastName"].upper()}).json()["data"]["users"]
    assert one["userId"] in [u["userId"] for u in by_q]
    devices = northwind.get("/api/v1/Computer", params={"userUid": one["userUid"]}).json()["data"]["computers"]
    assert devices and all(d["userUid"] == one["userUid"] for d in devices)
    org_devices = northwind.get("/api/v1/Computer", params={"orgUid": dental["orgUid"]}).json()["data"]
    assert all(d["orgId"] == dental["orgId"] for d in org_devices["computers"])
    blocked = northwind.get("/api/v1/Computer", params={"blocked": "True"}).json()["data"]["computers"]
    assert [d["status"] for d in blocked] == ["Active, Blocked"]
    hit = northwind.get("/api/v1/Computer", params={"q": devices[0]["name"][2:8].lower()}).json()["data"]
    assert devices[0]["computerId"] in [d["computerId"] for d in hit["computers"]]


def test_bad_org_uid_errors(northwind: httpx.Client) -> None:
    computers = northwind.get("/api/v1/Computer", params={"orgUid": "123"})
    assert computers.status_code == 400
    assert computers.json() == [{"name": "SYSTEM", "description": "Unable to find org"}]
    users = northwind.get("/api/v1/User", params={"orgUid": "123"})
    assert users.status_code == 400 and "Organization was not found" in users.text


def test_backup_usage_only_when_asked(northwind: httpx.Client) -> None:
    plain = northwind.get("/api/v1/Computer", params={"pgSize": 1000}).json()["data"]["computers"]
    assert all("backupUsage" not in d for d in plain)
    rich = northwind.get("/api/v1/Computer", params={"pgSize": 1000, "incBackupUsage": "True"}).json()["data"]
    devices = rich["computers"]
    for dev in devices:
        assert dev["service"] == "CrashPlan" and dev["osName"] in ("win", "mac", "linux")
        assert ISO_MS_Z.match(dev["creationDate"])
        for usage in dev["backupUsage"]:
            assert (usage["targetComputerGuid"], usage["targetComputerName"]) in {
                ("43", "PROe Cloud, US"), ("632540230984925185", "PROe Cloud, US - West")}
            assert "lastCompletedBackup" in usage and "lastCompleted" not in usage
    one = devices[0]
    by_id = northwind.get(f"/api/v1/Computer/{one['computerId']}", params={"incBackupUsage": "true"}).json()
    by_guid = northwind.get(f"/api/v1/Computer/{one['guid']}", params={"idType": "guid"}).json()
    assert by_id["data"]["backupUsage"] == one["backupUsage"]
    assert by_guid["data"]["computerId"] == one["computerId"] and "backupUsage" not in by_guid["data"]


@pytest.mark.parametrize("path", ["/api/Computer", "/api/v1/computer", "/API/V1/COMPUTER", "/api/computer/"])
def test_legacy_paths_are_case_insensitive(northwind: httpx.Client, path: str) -> None:
    response = northwind.get(path, params={"pgSize": 1})
    assert response.status_code == 200
    assert response.json()["data"]["totalCount"] > 80


def test_tenants_are_isolated(northwind: httpx.Client, harbor: httpx.Client) -> None:
    nw_orgs = northwind.get("/api/v1/Org").json()["data"]["orgs"]
    hb_orgs = harbor.get("/api/v1/Org").json()["data"]["orgs"]
    assert not {o["orgId"] for o in nw_orgs} & {o["orgId"] for o in hb_orgs}
    assert harbor.get("/api/v1/User", params={"active": "true"}).json()["data"]["totalCount"] == 14
    nw_user = northwind.get("/api/v1/User").json()["data"]["users"][3]
    nw_device = northwind.get("/api/v1/Computer").json()["data"]["computers"][3]
    assert harbor.get(f"/api/v1/User/{nw_user['userId']}").status_code == 404
    assert harbor.get(f"/api/v1/User/{nw_user['userUid']}", params={"idType": "uid"}).status_code == 404
    assert harbor.get(f"/api/v1/Computer/{nw_device['computerId']}").status_code == 404
    other_org = harbor.get(f"/api/v3/orgs/{nw_orgs[2]['orgGuid']}")
    assert other_org.status_code == 404 and "Unable to find org" in other_org.text
    assert harbor.post(f"/api/v3/users/{nw_user['userUid']}/deactivate", json={}).status_code == 404
    assert harbor.post("/api/v4/computer-deactivation/update", json={"id": nw_device["computerId"]}).status_code == 404
    assert harbor.get("/api/v1/Computer", params={"orgUid": nw_orgs[2]["orgUid"]}).status_code == 400
    assert northwind.get(f"/api/v1/User/{nw_user['userId']}").json()["data"]["status"] != "Deactivated"
