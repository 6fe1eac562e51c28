"""Tests for Code42Client against the demo authority over real HTTP on loopback."""

from __future__ import annotations

import httpx
import pytest

from msp_tui.api import ApiClientCredentials, Code42Client, LocalAccount, fetch_snapshot
from msp_tui.api import errors
from msp_tui.api.audit import AuditEvent
from msp_tui.api.retry import RetryPolicy
from msp_tui.simulator import DEMO_ACCOUNTS, DEMO_TOTP_CODE

NORTHWIND = DEMO_ACCOUNTS[0]
HARBOR = DEMO_ACCOUNTS[1]


class CountingTransport(httpx.AsyncHTTPTransport):
    """A real HTTP transport that records every request path and can answer the first
    requests of a path itself (to inject 429s the server would send)."""

    def __init__(self, inject: dict[str, list[httpx.Response]] | None = None) -> None:
        super().__init__()
        self.paths: list[str] = []
        self.queries: list[str] = []
        self.inject = inject or {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(f"{request.method} {request.url.path}")
        self.queries.append(request.url.query.decode())
        queued = self.inject.get(request.url.path)
        if queued:
            return queued.pop(0)
        return await super().handle_async_request(request)


def local(account=NORTHWIND, **kwargs) -> LocalAccount:
    return LocalAccount(account.username, account.password, **kwargs)


async def test_local_account_signs_in_and_lists_orgs(demo_server):
    async with Code42Client(demo_server.base_url, local()) as client:
        orgs = await client.list_orgs()
    names = {org.org_name for org in orgs}
    assert NORTHWIND.top_org_name in names
    assert HARBOR.top_org_name not in names  # tenants are isolated
    assert all(org.org_guid for org in orgs)


async def test_api_client_credentials_sign_in(demo_server):
    creds = ApiClientCredentials(HARBOR.client_id, HARBOR.client_secret)
    async with Code42Client(demo_server.base_url, creds) as client:
        orgs = await client.list_orgs()
    assert HARBOR.top_org_name in {org.org_name for org in orgs}


async def test_wrong_password_is_a_clear_authentication_error(demo_server):
    async with Code42Client(demo_server.base_url, LocalAccount(NORTHWIND.username, "nope")) as client:
        with pytest.raises(errors.AuthenticationError, match="check the username and password"):
            await client.sign_in()


async def test_totp_account_asks_for_code_then_accepts_it(demo_server):
    creds = LocalAccount("tech@northwind-msp.example", "northwind-tech")
    async with Code42Client(demo_server.base_url, creds) as client:
        with pytest.raises(errors.TotpRequiredError, match="needs a TOTP"):
            await client.sign_in()
    asked = []

    def prompt() -> str:
        asked.append(True)
        return DEMO_TOTP_CODE

    creds = LocalAccount("tech@northwind-msp.example", "northwind-tech", prompt)
    async with Code42Client(demo_server.base_url, creds) as client:
        orgs = await client.list_orgs()
    assert asked == [True]
    assert orgs


async def test_expired_token_is_renewed_once(demo_server, demo_clock):
    transport = CountingTransport()
    async with Code42Client(demo_server.base_url, local(), transport=transport) as client:
        await client.list_orgs()
        demo_clock.advance(minutes=31)  # the demo's JWT lives 30 minutes
        await client.list_orgs()
    jwt_calls = [p for p in transport.paths if p.endswith("/api/v3/auth/jwt")]
    assert len(jwt_calls) == 2


async def test_persistent_401_is_not_retried_in_a_loop(demo_server):
    unauthorized = lambda: httpx.Response(401, json=[{"name": "SYSTEM", "description": "Invalid or missing credentials"}])  # noqa: E731
    transport = CountingTransport({"/api/v1/Org": [unauthorized() for _ in range(10)]})
    async with Code42Client(demo_server.base_url, local(), transport=transport) as client:
        with pytest.raises(errors.AuthenticationError):
            await client.request("GET", "/api/v1/Org")
    assert transport.paths.count("GET /api/v1/Org") == 2
    assert transport.paths.count("GET /api/v3/auth/jwt") == 2


async def test_paging_when_total_is_an_exact_multiple_of_page_size(demo_server):
    async with Code42Client(demo_server.base_url, local()) as probe:
        everyone = await probe.list_users()
    total = len(everyone)
    size = next(s for s in range(2, total) if total % s == 0)
    transport = CountingTransport()
    async with Code42Client(demo_server.base_url, local(), transport=transport, page_size=size) as client:
        users = await client.list_users()
    assert sorted(u.user_id for u in users) == sorted(u.user_id for u in everyone)
    pages = [q for p, q in zip(transport.paths, transport.queries) if p == "GET /api/v1/User"]
    # every page once, plus one empty page to prove the end (the walk never trusts totalCount alone)
    assert len(pages) == total // size + 1


async def test_pages_after_the_first_are_fetched_concurrently(demo_server):
    in_flight = 0
    peak = 0

    class Tracking(CountingTransport):
        async def handle_async_request(self, request):
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                return await super().handle_async_request(request)
            finally:
                in_flight -= 1

    async with Code42Client(
        demo_server.base_url, local(), transport=Tracking(), page_size=10, max_concurrency=4
    ) as client:
        await client.sign_in()
        devices = await client.list_devices()
    assert len(devices) > 40
    assert 2 <= peak <= 4


async def test_short_page_ends_the_walk_even_if_total_count_lies(demo_server):
    """A server that reports too large a totalCount must not make us loop or fail."""
    async with Code42Client(demo_server.base_url, local(), page_size=1000) as client:
        items = await client.get_all("/api/v1/Org", "orgs")
    assert items


async def test_429_honours_retry_after(demo_server):
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    limited = [httpx.Response(429, headers={"Retry-After": "2"}, json=[{"name": "SYSTEM", "description": "Too many requests"}])]
    transport = CountingTransport({"/api/v1/Org": limited})
    async with Code42Client(demo_server.base_url, local(), transport=transport, sleep=fake_sleep) as client:
        orgs = await client.list_orgs()
    assert orgs
    assert waits == [2.0]
    assert transport.paths.count("GET /api/v1/Org") == 2


async def test_429_retries_are_bounded(demo_server):
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    limited = [httpx.Response(429, json=[]) for _ in range(10)]
    transport = CountingTransport({"/api/v1/Org": limited})
    policy = RetryPolicy(max_attempts=3, seed=1)
    async with Code42Client(demo_server.base_url, local(), transport=transport, sleep=fake_sleep, retry=policy) as client:
        with pytest.raises(errors.RateLimitedError):
            await client.list_orgs()
    assert len(waits) == 2
    assert all(0 < w <= policy.max_delay for w in waits)


async def test_duplicate_user_reports_the_code42_error_name(demo_server):
    async with Code42Client(demo_server.base_url, local()) as client:
        users = await client.list_users(active=True)
        existing = users[0]
        with pytest.raises(errors.BadRequestError) as caught:
            await client.create_user(existing.org_uid, existing.username, email=existing.email)
    assert caught.value.error_name == "USER_DUPLICATE"
    assert caught.value.status == 500
    assert "already exists" in str(caught.value)


async def test_invalid_email_reports_email_invalid(demo_server):
    async with Code42Client(demo_server.base_url, local()) as client:
        org = next(o for o in await client.list_orgs() if not o.is_top_level and o.is_active)
        with pytest.raises(errors.BadRequestError) as caught:
            await client.create_user(org.org_uid, "valid.name@example.com", email="not-an-email")
    assert caught.value.error_name == "EMAIL_INVALID"


async def test_create_post_is_never_sent_twice_on_server_error(demo_server):
    failing = [httpx.Response(503, json=[]), httpx.Response(503, json=[])]
    transport = CountingTransport({"/api/v1/User": failing})
    async with Code42Client(demo_server.base_url, local(), transport=transport, sleep=_no_sleep) as client:
        await client.sign_in()
        org = next(o for o in await client.list_orgs() if not o.is_top_level and o.is_active)
        with pytest.raises(errors.ServerError):
            await client.create_user(org.org_uid, "new.person@example.com")
    assert transport.paths.count("POST /api/v1/User") == 1


async def test_lost_answer_to_a_mutation_is_reported_as_unknown_outcome(demo_server):
    class DropAfterSend(CountingTransport):
        async def handle_async_request(self, request):
            response = await super().handle_async_request(request)
            if request.method == "POST" and request.url.path.endswith("/deactivate"):
                await response.aclose()
                raise httpx.ReadError("connection reset")
            return response

    events: list[AuditEvent] = []
    transport = DropAfterSend()
    async with Code42Client(demo_server.base_url, local(), transport=transport, audit=events.append) as client:
        user = next(u for u in await client.list_users(active=True) if u.username != NORTHWIND.username)
        with pytest.raises(errors.UnknownOutcomeError, match="check the server"):
            await client.deactivate_user(user.user_uid)
        after = await client.get_user_by_uid(user.user_uid)
    assert transport.paths.count(f"POST /api/v3/users/{user.user_uid}/deactivate") == 1
    assert not after.is_active  # it did happen; the caller learns it by checking, not by re-sending
    assert events[-1].outcome == "unknown"


async def test_read_only_refuses_every_mutation_before_sending(demo_server):
    transport = CountingTransport()
    events: list[AuditEvent] = []
    async with Code42Client(
        demo_server.base_url, local(), transport=transport, read_only=True, audit=events.append
    ) as client:
        user = (await client.list_users(active=True))[0]
        org = (await client.list_orgs())[0]
        device = (await client.list_devices())[0]
        calls = [
            client.deactivate_user(user.user_uid),
            client.activate_user(user.user_uid),
            client.block_user(user.user_uid),
            client.update_user(user.user_uid, username="x@example.com"),
            client.create_user(org.org_uid, "someone@example.com"),
            client.create_org("New", org.org_guid),
            client.deactivate_org(org.org_guid),
            client.deactivate_device(device.computer_id),
            client.block_device(device.computer_id),
            client.unblock_device(device.computer_id),
        ]
        for call in calls:
            with pytest.raises(errors.ReadOnlyError):
                await call
    assert all(p.startswith("GET ") for p in transport.paths)
    assert [e.outcome for e in events] == ["refused"] * len(calls)


async def test_audit_events_never_carry_the_password(demo_server):
    events: list[AuditEvent] = []
    async with Code42Client(demo_server.base_url, local(), audit=events.append) as client:
        org = next(o for o in await client.list_orgs() if not o.is_top_level and o.is_active)
        await client.create_user(org.org_uid, "fresh.user@example.com", password="Sup3r-Secret!")
    assert events and events[-1].outcome == "ok"
    assert "Sup3r-Secret!" not in repr(events)


async def test_fetch_snapshot_has_backup_usage_and_cold_storage(demo_server):
    async with Code42Client(demo_server.base_url, local()) as client:
        snapshot = await fetch_snapshot(client, "northwind")
    assert snapshot.top_org is not None and snapshot.top_org.org_name == NORTHWIND.top_org_name
    assert any(len(d.backup_usage) >= 2 for d in snapshot.devices)
    assert any(d.is_deauthorized for d in snapshot.devices)
    assert snapshot.cold_storage


async def test_unreachable_server_is_a_clear_transport_error():
    async with Code42Client("http://127.0.0.1:9", local(), sleep=_no_sleep) as client:
        with pytest.raises(errors.TransportError, match="Cannot reach"):
            await client.list_orgs()


async def test_non_json_answer_is_a_format_error(demo_server):
    html = [httpx.Response(200, text="<html>maintenance</html>", headers={"content-type": "text/html"})
            for _ in range(2)]  # a garbled page is fetched once more before giving up
    transport = CountingTransport({"/api/v1/Org": html})
    async with Code42Client(demo_server.base_url, local(), transport=transport) as client:
        with pytest.raises(errors.ResponseFormatError, match="not JSON"):
            await client.list_orgs()
    assert transport.paths.count("GET /api/v1/Org") == 2


async def _no_sleep(_: float) -> None:
    return None
