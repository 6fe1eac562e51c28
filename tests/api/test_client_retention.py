"""Code42Client.get_org_retention_days: the org's cold-storage retention (`archiveHoldDays`),
against the demo authority over real HTTP and against recorded-shape payloads."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from msp_tui.api import Code42Client, LocalAccount, errors
from msp_tui.api.resources import retention_days_of
from msp_tui.simulator import DEMO_ACCOUNTS

NORTHWIND = DEMO_ACCOUNTS[0]

# Abridged from py42's tests/clients/settings/org_settings_inherited.json (a real v3 org
# with incSettings/incInheritedOrgInfo): unknown fields, nulls, and the value three times.
INHERITED_ORG: dict[str, Any] = {
    "orgId": 4200, "orgUid": "944755074379520217", "orgName": "TEST_ORG", "orgExtRef": "test_ref",
    "status": "Active", "active": True, "parentOrgId": 4242, "deactivationDate": None,
    "hierarchyCounts": {}, "configInheritanceCounts": {}, "reporting": {"orgManagers": []},
    "customConfig": True,
    "settings": {"maxSeats": -1, "maxBytes": -1, "archiveHoldDays": 14, "reportLastSent": None,
                 "ldapServerIds": None, "destinations": [{"destinationId": 14, "guid": "43"}],
                 "isUsingQuotaDefaults": True},
    "settingsInherited": {"maxSeats": -1, "archiveHoldDays": 14, "ldapServerIds": [0]},
    "settingsSummary": {"maxSeats": -1, "archiveHoldDays": 14, "reportLastSent": None},
    "orgInheritDto": {"orgId": 537575, "orgIdProvidingOrg": None},
    "deviceDefaults": {"@id": "service", "helpNovice": {"@nil": "true"}},
}


class ScriptedTransport(httpx.AsyncHTTPTransport):
    """Real HTTP, except that paths listed in `answers` get the queued responses first."""

    def __init__(self, answers: dict[str, list[httpx.Response]]) -> None:
        super().__init__()
        self.answers = answers
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.path}?{request.url.query.decode()}")
        queued = self.answers.get(request.url.path)
        if queued:
            return queued.pop(0)
        return await super().handle_async_request(request)


def local() -> LocalAccount:
    return LocalAccount(NORTHWIND.username, NORTHWIND.password)


async def _no_sleep(_: float) -> None:
    return None


async def org_guid(client: Code42Client, name: str) -> str:
    org = next(o for o in await client.list_orgs() if o.org_name == name)
    assert org.org_guid
    return org.org_guid


async def test_demo_reports_seeded_and_default_retention(demo_server) -> None:
    async with Code42Client(demo_server.base_url, local(), read_only=True) as client:
        assert await client.get_org_retention_days(await org_guid(client, "Maple Street Veterinary")) == 90
        assert await client.get_org_retention_days(await org_guid(client, "BrightSmile Dental")) == 365


async def test_retention_follows_a_change_on_the_server(demo_server, northwind: httpx.Client) -> None:
    async with Code42Client(demo_server.base_url, local()) as client:
        guid = await org_guid(client, "BrightSmile Dental")
        top = next(o for o in await client.list_orgs() if o.is_top_level)
        packet = {"key": "archiveHoldDays", "value": "60", "locked": False}
        assert northwind.put(f"/api/v1/OrgSetting/{top.org_id}", json={"packets": [packet]}).is_success
        assert await client.get_org_retention_days(guid) == 60


async def test_sends_inc_settings(demo_server) -> None:
    transport = ScriptedTransport({})
    async with Code42Client(demo_server.base_url, local(), transport=transport) as client:
        guid = await org_guid(client, "Maple Street Veterinary")
        await client.get_org_retention_days(guid)
    assert f"GET /api/v3/orgs/{guid}?incSettings=true" in transport.seen


@pytest.mark.parametrize(
    ("org", "days"),
    [
        (INHERITED_ORG, 14),
        ({**INHERITED_ORG, "settingsSummary": None, "settings": {"archiveHoldDays": None},
          "settingsInherited": {"archiveHoldDays": 30}}, 30),
        ({"settings": {"archiveHoldDays": {"@locked": "true", "#text": "60"}}}, 60),
        ({"settings": {"archiveHoldDays": " 365 "}}, 365),
        ({"settings": {"archiveHoldDays": 90.0}}, 90),
        ({"settings": {"maxSeats": None, "maxBytes": None}}, None),
        ({"orgId": 1, "settings": None}, None),
        ({"settings": {"archiveHoldDays": "ninety"}}, None),
        ({"settings": {"archiveHoldDays": "²"}}, None),
        ({"settings": {"archiveHoldDays": 0}}, None),
        ({"settings": {"archiveHoldDays": -1}}, None),
        ({"settings": {"archiveHoldDays": True}}, None),
        ({"settings": {"archiveHoldDays": 90.5}}, None),
        ({"settings": [{"archiveHoldDays": 90}]}, None),
    ],
    ids=["py42-fixture", "inherited-only", "locked", "string", "float", "absent", "null-settings",
         "words", "superscript", "zero", "negative", "bool", "fraction", "list"],
)
def test_retention_days_of_tolerates_real_and_odd_shapes(org: dict[str, Any], days: int | None) -> None:
    assert retention_days_of(org) == days


async def test_enveloped_real_shape_is_parsed(demo_server) -> None:
    body = {"metadata": {"timestamp": "2020-09-28T10:16:42.707-05:00", "params": {"incSettings": "true"}},
            "data": INHERITED_ORG}
    transport = ScriptedTransport({"/api/v3/orgs/abc-guid": [httpx.Response(200, json=body)]})
    async with Code42Client(demo_server.base_url, local(), transport=transport) as client:
        assert await client.get_org_retention_days("abc-guid") == 14


async def test_unknown_org_is_a_not_found_error(demo_server) -> None:
    async with Code42Client(demo_server.base_url, local()) as client:
        with pytest.raises(errors.NotFoundError, match="Unable to find org"):
            await client.get_org_retention_days("no-such-guid")


async def test_server_failure_is_a_clear_server_error(demo_server) -> None:
    failing = [httpx.Response(500, json=[{"name": "SYSTEM", "description": "Internal server error"}])
               for _ in range(5)]
    transport = ScriptedTransport({"/api/v3/orgs/abc-guid": failing})
    async with Code42Client(demo_server.base_url, local(), transport=transport, sleep=_no_sleep) as client:
        with pytest.raises(errors.ServerError, match="HTTP 500 from GET /api/v3/orgs/abc-guid"):
            await client.get_org_retention_days("abc-guid")


async def test_answer_that_is_not_an_org_is_a_format_error(demo_server) -> None:
    transport = ScriptedTransport({"/api/v3/orgs/abc-guid": [httpx.Response(200, json={"data": [1, 2]})]})
    async with Code42Client(demo_server.base_url, local(), transport=transport) as client:
        with pytest.raises(errors.ResponseFormatError, match="expected one org object"):
            await client.get_org_retention_days("abc-guid")
