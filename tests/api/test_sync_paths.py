"""Correctness of the paths the sync benchmark exercises, on small data (no timings here).

Concurrent paging into models, the JSON fast path and its careful fallback, page size
bounds, gzip negotiation with the demo authority, the demo's fast list rendering, and the
medium-tenancy scales.
"""

from __future__ import annotations

import gc
import json
import zlib
from datetime import datetime, timezone

import httpx
import pytest

from msp_tui.api import Code42Client, LocalAccount, errors, fetch_snapshot
from msp_tui.api.client import MAX_PAGE_SIZE, CoreClient
from msp_tui.models.base import gc_paused
from msp_tui.api.resources import _DEVICE_PAGES, _USER_PAGES
from msp_tui.models import Device
from msp_tui.simulator import DEMO_ACCOUNTS, DemoAuthority
from msp_tui.simulator import seed
from msp_tui.simulator.http import Response
from msp_tui.simulator.timefmt import _format_iso, iso

NORTHWIND = DEMO_ACCOUNTS[0]


def local() -> LocalAccount:
    return LocalAccount(NORTHWIND.username, NORTHWIND.password)


class Recording(httpx.AsyncHTTPTransport):
    """A real transport that keeps every request and response header set."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []
        self.responses: list[httpx.Response] = []
        self.in_flight = 0
        self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            response = await super().handle_async_request(request)
        finally:
            self.in_flight -= 1
        self.responses.append(response)
        return response


async def test_small_pages_in_parallel_give_the_same_models_as_one_page(demo_server):
    async with Code42Client(demo_server.base_url, local(), page_size=MAX_PAGE_SIZE) as one:
        whole = await one.list_devices()
        users = await one.list_users()
    transport = Recording()
    async with Code42Client(demo_server.base_url, local(), transport=transport, page_size=7,
                            max_concurrency=3) as many:
        paged = await many.list_devices()
        paged_users = await many.list_users()
    assert paged == whole and paged_users == users  # same models, same order
    assert len({d.computer_id for d in paged}) == len(paged)
    assert all(d.backup_usage for d in paged if d.is_active and d.backup_usage)
    pages = [r for r in transport.requests if r.url.path == "/api/v1/Computer"]
    assert len(pages) == -(-len(whole) // 7) + (len(whole) % 7 == 0)
    assert 2 <= transport.peak <= 3  # bounded, and actually concurrent


async def test_concurrency_bound_is_shared_by_concurrent_walks(demo_server):
    transport = Recording()
    async with Code42Client(demo_server.base_url, local(), transport=transport, page_size=5,
                            max_concurrency=2) as client:
        await client.sign_in()
        snap = await fetch_snapshot(client, "t")
    assert snap.devices and snap.users and snap.orgs
    assert transport.peak <= 2


async def test_page_size_is_bounded_and_sent(demo_server):
    with pytest.raises(ValueError):
        CoreClient(demo_server.base_url, local(), page_size=MAX_PAGE_SIZE + 1)
    transport = Recording()
    async with Code42Client(demo_server.base_url, local(), transport=transport, page_size=MAX_PAGE_SIZE) as client:
        await client.list_users()
    page = next(r for r in transport.requests if r.url.path == "/api/v1/User")
    assert page.url.params["pgSize"] == "1000" and page.url.params["pgNum"] == "1"


async def test_gzip_is_negotiated_for_large_pages(demo_server):
    transport = Recording()
    async with Code42Client(demo_server.base_url, local(), transport=transport, page_size=MAX_PAGE_SIZE) as client:
        devices = await client.list_devices()
    page = next(i for i, r in enumerate(transport.requests) if r.url.path == "/api/v1/Computer")
    assert "gzip" in transport.requests[page].headers["accept-encoding"]
    assert transport.responses[page].headers.get("content-encoding") == "gzip"
    assert devices


def test_gzip_only_when_accepted_and_worth_it(northwind: httpx.Client, demo_authority: DemoAuthority):
    params = {"pgSize": "1000", "incBackupUsage": "True"}
    zipped = northwind.get("/api/v1/Computer", params=params, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    for refused in ("identity", "gzip;q=0", "br"):
        plain = northwind.get("/api/v1/Computer", params=params, headers={"Accept-Encoding": refused})
        assert "content-encoding" not in plain.headers
        assert plain.json()["data"]["totalCount"] == zipped.json()["data"]["totalCount"]
    small = northwind.get("/api/v1/Org", params={"pgSize": "1"}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # under one packet: not worth it
    demo_authority.gzip = False
    off = northwind.get("/api/v1/Computer", params=params, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in off.headers


def test_json_fast_path_matches_the_careful_path():
    page = {"metadata": {"params": {}}, "data": {"totalCount": 3, "computers": [
        {"computerId": 1, "name": "a", "backupUsage": None, "alertStates": None,
         "lastConnected": "2020-10-12T16:55:40.632Z", "unknownField": {"x": 1}},
        {"computerId": 2, "backupUsage": [{"targetComputerGuid": "43", "archiveBytes": 5,
                                           "lastCompletedBackup": "2019-12-02T09:34:28.364-06:00"}]},
    ]}}
    body = json.dumps(page).encode()
    fast = _DEVICE_PAGES.from_json(body)
    assert fast is not None
    items, total = fast
    assert total == 3
    assert items == _DEVICE_PAGES.from_items(page["data"]["computers"])
    assert isinstance(items[0], Device) and items[0].backup_usage == [] and items[0].alert_states == []
    assert items[1].backup_usage[0].last_completed_backup.utcoffset().total_seconds() == -6 * 3600


def test_odd_pages_fall_back_to_the_careful_path():
    # a bare body (no envelope), a non-dict item, a bad record: the fast path declines
    assert _USER_PAGES.from_json(b'{"totalCount": 1, "users": [{"userId": 1}]}') is None
    assert _USER_PAGES.from_json(b'{"data": {"users": [{"userId": 1}, 5]}}') is None
    assert _USER_PAGES.from_json(b'{"data": {"users": [{"userId": "x"}]}}') is None
    with pytest.raises(errors.ResponseFormatError, match="malformed user record"):
        _USER_PAGES.from_items([{"userId": "x"}])


async def test_non_dict_items_are_skipped_like_before(demo_server):
    """A page with a stray non-object item still parses (through the careful path)."""

    class Stray(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request):
            response = await super().handle_async_request(request)
            if request.url.path != "/api/v1/Org":
                return response
            await response.aread()
            body = json.loads(response.content)
            body["data"]["orgs"].append("not an org")
            return httpx.Response(200, json=body)

    async with Code42Client(demo_server.base_url, local(), transport=Stray()) as client:
        orgs = await client.list_orgs()
    assert orgs and all(o.org_id for o in orgs)


def test_gc_pause_nests_and_restores():
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_memoised_timestamps_format_like_datetime():
    for epoch in (0.0, 1749000000.0005, 1749000000.9999996, -86400.25, 1.5e9 + 0.0004999):
        expected = datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat(timespec="milliseconds")[:-6] + "Z"
        assert iso(epoch) == expected == _format_iso(epoch)
        assert iso(epoch) == expected  # from the memo
    assert iso(None) is None


def test_list_pages_follow_membership_changes(demo_authority: DemoAuthority):
    store = demo_authority.store
    before = list(store.tenant_devices("northwind"))
    assert store.tenant_devices("northwind") is store.tenant_devices("northwind")  # cached
    user = next(u for u in store.users.values() if u["tenant"] == "northwind" and u["active"])
    demo_authority.simulate_agent_signin(username=user["username"], os_name="linux", hostname="bench-new")
    after = store.tenant_devices("northwind")
    assert len(after) == len(before) + 1 and after[-1]["hostname"] == "bench-new"
    arc = next(a for a in store.archives.values() if a["tenant"] == "northwind")
    store.discard("archives", arc)
    assert [o["id"] for o in store.tenant_orgs("northwind")] == sorted(
        o["id"] for o in store.orgs.values() if o["tenant"] == "northwind")


def test_response_bytes_are_unchanged_json():
    body = {"data": {"n": 1, "f": 100.0, "s": "a\"b\\c\n", "none": None, "t": True, "l": [1, 2]}}
    assert Response(200, body).encode() == json.dumps(body, separators=(",", ":")).encode()
    accented = {"name": "Zoë Café"}
    assert Response(200, accented).encode() == json.dumps(accented, separators=(",", ":")).encode()


def test_medium_scales_grow_linearly_and_large_is_x4():
    counts = {}
    for scale in ("x1", "x2"):
        data, _ = seed.build(scale)
        nw = {t: [r for r in data[t] if r["tenant"] == "northwind"] for t in ("orgs", "users", "devices")}
        counts[scale] = (len(nw["orgs"]) - 1, len(nw["users"]), len(nw["devices"]))
    assert counts == {"x1": (125, 5000, 15000), "x2": (250, 10000, 30000)}
    with pytest.raises(ValueError):
        seed.build("x3")


def test_gzip_body_roundtrip():
    payload = Response(200, {"data": {"users": [{"userId": i} for i in range(500)]}}).encode()
    packed = zlib.compress(payload, 1, wbits=31)
    assert zlib.decompress(packed, wbits=31) == payload
