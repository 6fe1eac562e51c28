"""The demo authority as an in-process ASGI app (httpx.ASGITransport), latency and the 2FA error text."""

from __future__ import annotations

import time

import httpx

from msp_tui.simulator import DEMO_ACCOUNTS, DemoAuthority


async def test_asgi_transport_and_latency() -> None:
    authority = DemoAuthority(latency_ms=50)
    try:
        transport = httpx.ASGITransport(app=authority)
        async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
            account = DEMO_ACCOUNTS[0]
            started = time.perf_counter()
            token = await client.post("/api/v3/oauth/token?grant_type=client_credentials",
                                      auth=(account.client_id, account.client_secret))
            assert time.perf_counter() - started >= 0.05
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            users = await client.get("/api/v1/User", params={"active": "True", "pgSize": 1000}, headers=headers)
            assert users.json()["data"]["totalCount"] == 45
    finally:
        authority.close()


def test_failed_requests_change_nothing(demo_authority: DemoAuthority, northwind: httpx.Client) -> None:
    before = len(demo_authority.store.users)
    body = {"orgUid": "nope", "username": "twice@example.example", "email": "twice@example.example"}
    for _ in range(2):  # py42 sends every failing request twice
        assert northwind.post("/api/v1/User", json=body).status_code == 400
    assert len(demo_authority.store.users) == before
    assert northwind.post("/api/v1/User", json={"orgUid": "x"}).status_code in (400, 500)
    assert northwind.post("/api/v1/User", content=b"{not json", headers={"Content-Type": "application/json"}
                          ).status_code == 400


def test_py42_two_factor_error_text(demo_server) -> None:
    import py42.sdk
    from py42.exceptions import Py42UnauthorizedError

    try:
        py42.sdk.from_local_account(demo_server.base_url, "tech@northwind-msp.example", "northwind-tech")
    except Py42UnauthorizedError as exc:
        assert "LOCAL_2FA" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("2FA login without a TOTP must fail")
    sdk = py42.sdk.from_local_account(demo_server.base_url, "tech@northwind-msp.example", "northwind-tech",
                                      totp="424242")
    assert sdk.users.get_current()["username"] == "tech@northwind-msp.example"
