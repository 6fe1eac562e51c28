"""Org settings of the demo authority over real HTTP: `/api/v1/OrgSetting/{orgId}` (py42's
t-settings shape) and the cold-storage retention (`archiveHoldDays`) it shares with v3 orgs."""

from __future__ import annotations

import httpx
import pytest

TOP = "Northwind MSP"
MAPLE = "Maple Street Veterinary"
CHILD = "Greenfield Engineering - Field Office"


def org_named(client: httpx.Client, name: str) -> dict:
    orgs = client.get("/api/v1/Org", params={"pgSize": 1000}).json()["data"]["orgs"]
    return next(o for o in orgs if o["orgName"] == name)


def t_settings(client: httpx.Client, org: dict) -> dict:
    response = client.get(f"/api/v1/OrgSetting/{org['orgId']}")
    assert response.status_code == 200
    return response.json()["data"]


def hold(client: httpx.Client, org: dict) -> dict:
    return t_settings(client, org)["archiveHoldDays"]


def v3_settings(client: httpx.Client, org: dict) -> dict:
    body = client.get(f"/api/v3/orgs/{org['orgGuid']}", params={"incSettings": "True"}).json()
    return body["data"]["settings"]


def put_packets(client: httpx.Client, org: dict, *packets: dict) -> httpx.Response:
    return client.put(f"/api/v1/OrgSetting/{org['orgId']}", json={"packets": list(packets)})


def test_get_has_the_t_settings_shape_and_the_seeded_retention(northwind: httpx.Client) -> None:
    maple, top = org_named(northwind, MAPLE), org_named(northwind, TOP)
    settings = t_settings(northwind, maple)
    assert settings and all(set(item) == {"scope", "value", "locked", "id"} for item in settings.values())
    assert all(isinstance(item["value"], str) for item in settings.values())
    assert settings["archiveHoldDays"] == {"scope": "ORG", "value": "90", "locked": False, "id": maple["orgId"]}
    assert hold(northwind, org_named(northwind, "BrightSmile Dental")) == {
        "scope": "SYSTEM", "value": "365", "locked": False, "id": top["orgId"]}
    assert v3_settings(northwind, maple)["archiveHoldDays"] == 90
    assert v3_settings(northwind, maple)["isUsingQuotaDefaults"] is False
    assert v3_settings(northwind, top) == {"maxSeats": None, "maxBytes": None, "archiveHoldDays": 365,
                                           "isUsingQuotaDefaults": True}


def test_put_changes_the_retention_and_children_inherit_it(northwind: httpx.Client) -> None:
    top, maple = org_named(northwind, TOP), org_named(northwind, MAPLE)
    parent, child = org_named(northwind, "Greenfield Engineering"), org_named(northwind, CHILD)
    answer = put_packets(northwind, top, {"key": "archiveHoldDays", "value": "180", "locked": False})
    assert answer.status_code == 200 and answer.json()["data"]["archiveHoldDays"]["value"] == "180"
    assert hold(northwind, org_named(northwind, "BrightSmile Dental"))["value"] == "180"
    assert hold(northwind, child) == {"scope": "ORG", "value": "180", "locked": False, "id": top["orgId"]}
    assert hold(northwind, maple)["value"] == "90"  # its own value wins over the parent's

    assert put_packets(northwind, parent, {"key": "archiveHoldDays", "value": 120}).status_code == 200
    assert hold(northwind, child) == {"scope": "ORG", "value": "120", "locked": False, "id": parent["orgId"]}
    assert v3_settings(northwind, child)["archiveHoldDays"] == 120
    assert v3_settings(northwind, child)["isUsingQuotaDefaults"] is True

    assert put_packets(northwind, parent, {"key": "archiveHoldDays", "value": ""}).status_code == 200
    assert hold(northwind, parent)["value"] == "180"  # back to inheriting from the top org
    assert hold(northwind, child)["value"] == "180"


def test_new_retention_sets_the_purge_date_of_the_next_deactivation(northwind: httpx.Client) -> None:
    org = org_named(northwind, "Pinecrest Accounting")
    assert put_packets(northwind, org, {"key": "archiveHoldDays", "value": "30"}).status_code == 200
    user = northwind.get("/api/v1/User", params={"orgUid": org["orgUid"], "active": "true"}).json()
    uid = user["data"]["users"][0]["userUid"]
    assert northwind.post(f"/api/v3/users/{uid}/deactivate", json={"block": None}).is_success
    archives = northwind.get("/api/v1/Archive", params={"userUid": uid}).json()["data"]["archives"]
    assert archives and all(a["archiveHoldExpireDate"].startswith("2025-07-02") for a in archives)


def test_other_packets_are_kept_and_reported(northwind: httpx.Client) -> None:
    org = org_named(northwind, "BrightSmile Dental")
    assert t_settings(northwind, org)["device_webRestore_enabled"]["value"] == "true"
    answer = put_packets(northwind, org, {"key": "device_webRestore_enabled", "value": "false", "locked": True})
    assert answer.status_code == 200
    assert t_settings(northwind, org)["device_webRestore_enabled"] == {
        "scope": "ORG", "value": "false", "locked": True, "id": org["orgId"]}
    assert hold(northwind, org)["value"] == "365"


@pytest.mark.parametrize(
    "body",
    [
        {"packets": [{"key": "archiveHoldDays", "value": "ninety"}]},
        {"packets": [{"key": "archiveHoldDays", "value": "0"}]},
        {"packets": [{"key": "archiveHoldDays", "value": True}]},
        {"packets": [{"value": "90"}]},
        {"packets": "archiveHoldDays=90"},
        {},
    ],
    ids=["words", "zero", "bool", "no-key", "not-a-list", "empty"],
)
def test_bad_put_is_a_400_and_changes_nothing(northwind: httpx.Client, body: dict) -> None:
    maple = org_named(northwind, MAPLE)
    answer = northwind.put(f"/api/v1/OrgSetting/{maple['orgId']}", json=body)
    assert answer.status_code == 400
    assert answer.json()[0]["description"]
    assert hold(northwind, maple)["value"] == "90"


def test_unknown_or_foreign_org_is_not_found(northwind: httpx.Client, harbor: httpx.Client) -> None:
    maple = org_named(northwind, MAPLE)
    assert northwind.get("/api/v1/OrgSetting/999999").status_code == 404
    assert harbor.get(f"/api/v1/OrgSetting/{maple['orgId']}").status_code == 404
    packet = {"key": "archiveHoldDays", "value": "7"}
    assert put_packets(harbor, maple, packet).status_code == 404
    assert hold(northwind, maple)["value"] == "90"


def test_full_org_put_keeps_an_inherited_retention_inherited(northwind: httpx.Client) -> None:
    """py42's update_settings sends the whole org back, echoing the inherited value."""
    top, org = org_named(northwind, TOP), org_named(northwind, "BrightSmile Dental")
    body = {"orgName": "BrightSmile Dental Group", "settings": v3_settings(northwind, org)}
    assert northwind.put(f"/api/v1/Org/{org['orgId']}", json=body).status_code == 200
    assert put_packets(northwind, top, {"key": "archiveHoldDays", "value": "200"}).status_code == 200
    assert v3_settings(northwind, org)["archiveHoldDays"] == 200

    own = {"archiveHoldDays": 45, "isUsingQuotaDefaults": False}
    assert northwind.put(f"/api/v1/Org/{org['orgId']}", json={"settings": own}).status_code == 200
    assert hold(northwind, org) == {"scope": "ORG", "value": "45", "locked": False, "id": org["orgId"]}
