"""Authentication of the demo authority: JWT, OAuth client credentials, 2FA, expiry."""

from __future__ import annotations

import httpx

from msp_tui.simulator import DEMO_ACCOUNTS, DEMO_TOTP_CODE, RunningServer

CREDENTIALS_ERROR = [{"name": "SYSTEM", "description": "Invalid or missing credentials"}]


def jwt(base: str, user: str, password: str, totp: str | None = None) -> httpx.Response:
    headers = {"totp-auth": totp} if totp else {}
    return httpx.get(f"{base}/api/v3/auth/jwt?useBody=True", auth=(user, password), headers=headers)


def test_jwt_login_then_user_my(demo_server: RunningServer) -> None:
    account = DEMO_ACCOUNTS[0]
    response = jwt(demo_server.base_url, account.username, account.password)
    assert response.status_code == 200
    token = response.json()["data"]["v3_user_token"]
    me = httpx.get(f"{demo_server.base_url}/api/v1/User/my", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["data"]["username"] == account.username
    org = httpx.get(f"{demo_server.base_url}/api/v1/Org/my", headers={"Authorization": f"Bearer {token}"})
    assert org.json()["data"]["orgName"] == account.top_org_name
    assert org.json()["data"]["parentOrgId"] is None


def test_wrong_password_and_missing_token_are_401(demo_server: RunningServer) -> None:
    response = jwt(demo_server.base_url, DEMO_ACCOUNTS[0].username, "nope")
    assert response.status_code == 401
    assert response.json() == CREDENTIALS_ERROR
    for headers in ({}, {"Authorization": "Bearer garbage"}, {"Authorization": "Bearer a.b.c"}):
        bare = httpx.get(f"{demo_server.base_url}/api/v1/Org", headers=headers)
        assert bare.status_code == 401
        assert bare.json() == CREDENTIALS_ERROR


def test_oauth_client_credentials(demo_server: RunningServer) -> None:
    account = DEMO_ACCOUNTS[1]
    url = f"{demo_server.base_url}/api/v3/oauth/token?grant_type=client_credentials"
    response = httpx.post(url, auth=(account.client_id, account.client_secret))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    orgs = httpx.get(f"{demo_server.base_url}/api/v1/Org", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert orgs.status_code == 200
    assert {o["orgName"] for o in orgs.json()["data"]["orgs"]} >= {account.top_org_name}
    assert httpx.post(url, auth=(account.client_id, "wrong")).status_code == 401


def test_login_configuration(demo_server: RunningServer) -> None:
    def login_type(username: str) -> str:
        response = httpx.get(f"{demo_server.base_url}/api/v3/LoginConfiguration", params={"username": username})
        assert response.status_code == 200
        return response.json()["data"]["loginType"]

    assert login_type(DEMO_ACCOUNTS[0].username) == "LOCAL"
    assert login_type("tech@northwind-msp.example") == "LOCAL_2FA"
    assert login_type("nobody@nowhere.example") == "LOCAL_2FA"


def test_two_factor_login(demo_server: RunningServer) -> None:
    base = demo_server.base_url
    assert jwt(base, "tech@northwind-msp.example", "northwind-tech").status_code == 401
    assert jwt(base, "tech@northwind-msp.example", "northwind-tech", "000000").status_code == 401
    ok = jwt(base, "tech@northwind-msp.example", "northwind-tech", DEMO_TOTP_CODE)
    assert ok.status_code == 200
    assert ok.json()["data"]["v3_user_token"]


def test_tokens_expire_with_the_injected_clock(demo_server: RunningServer, demo_clock) -> None:
    base = demo_server.base_url
    account = DEMO_ACCOUNTS[0]
    token = jwt(base, account.username, account.password).json()["data"]["v3_user_token"]
    oauth = httpx.post(f"{base}/api/v3/oauth/token?grant_type=client_credentials",
                       auth=(account.client_id, account.client_secret)).json()["access_token"]

    def status(tok: str) -> int:
        return httpx.get(f"{base}/api/v1/Org", headers={"Authorization": f"Bearer {tok}"}).status_code

    demo_clock.advance(minutes=14)
    assert status(token) == 200 and status(oauth) == 200
    demo_clock.advance(minutes=2)
    assert status(token) == 200 and status(oauth) == 401
    demo_clock.advance(minutes=15)
    response = httpx.get(f"{base}/api/v1/Org", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == CREDENTIALS_ERROR


def test_customer_my_and_api_client_has_no_current_user(demo_server: RunningServer) -> None:
    account = DEMO_ACCOUNTS[0]
    base = demo_server.base_url
    token = httpx.post(f"{base}/api/v3/oauth/token?grant_type=client_credentials",
                       auth=(account.client_id, account.client_secret)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    customer = httpx.get(f"{base}/api/v3/customer/my", headers=headers).json()["data"]
    assert customer["name"] == account.name and customer["tenantUid"]
    assert httpx.get(f"{base}/api/v1/User/my", headers=headers).status_code == 404


def test_unknown_route_is_json_404(northwind: httpx.Client) -> None:
    response = northwind.get("/api/v1/NoSuchThing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()[0]["name"]
