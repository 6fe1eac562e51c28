"""Provides the authentication, identity and demo-only routes."""

from __future__ import annotations

import base64
import binascii

from msp_tui.simulator import ops
from msp_tui.simulator.accounts import DEMO_TOTP_CODE, account_for_tenant, login_for, tenant_for_client
from msp_tui.simulator.context import JWT_LIFETIME, OAUTH_LIFETIME, Context
from msp_tui.simulator.http import ApiError, Request, Response, Router, legacy, not_found, unauthorized
from msp_tui.simulator.ids import tenant_uid
from msp_tui.simulator.wire import device_wire, org_wire, user_wire


def basic_credentials(request: Request) -> tuple[str, str]:
    """Returns (user, password) of a Basic Authorization header; 401 when absent or malformed."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise unauthorized()
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise unauthorized() from exc
    user, sep, password = decoded.partition(":")
    if not sep:
        raise unauthorized()
    return user, password


def register(router: Router, ctx: Context) -> None:
    """Adds the routes of this module to `router`."""

    def jwt(request: Request) -> Response:
        username, password = basic_credentials(request)
        login = login_for(username)
        if login is None or login.password != password:
            raise unauthorized()
        if login.login_type == "LOCAL_2FA" and request.headers.get("totp-auth", "").strip() != DEMO_TOTP_CODE:
            raise unauthorized()
        user = ctx.store.user_by_name.get(login.username)
        if user is None or not user["active"]:
            raise unauthorized()
        token = ctx.issue_token(login.tenant, user["id"], "jwt", JWT_LIFETIME)
        return ctx.ok(request, {"v3_user_token": token})

    def oauth(request: Request) -> Response:
        client_id, secret = basic_credentials(request)
        tenant = tenant_for_client(client_id, secret)
        if tenant is None:
            raise unauthorized()
        token = ctx.issue_token(tenant, None, "oauth", OAUTH_LIFETIME)
        return Response(200, {"access_token": token, "token_type": "bearer", "expires_in": OAUTH_LIFETIME})

    def login_configuration(request: Request) -> Response:
        login = login_for(request.query.get("username", ""))
        return ctx.ok(request, {"loginType": login.login_type if login else "LOCAL_2FA"})

    def current_user(request: Request) -> dict:
        if request.auth.get("sub") is None:
            raise ApiError(404, "SYSTEM", "API clients have no current user")
        return ctx.store.users[request.auth["sub"]]

    def user_my(request: Request) -> Response:
        return ctx.ok(request, user_wire(ctx.store, current_user(request), ctx.now(), roles=True))

    def org_my(request: Request) -> Response:
        org = ctx.store.orgs[current_user(request)["org_id"]]
        return ctx.ok(request, org_wire(ctx.store, org, ctx.now()))

    def customer_my(request: Request) -> Response:
        tenant = ctx.tenant(request)
        top = next(o for o in ctx.store.tenant_orgs(tenant) if o["parent_id"] is None)
        return ctx.ok(request, {"name": account_for_tenant(tenant).name, "registrationKey": top["reg_key"],
                                "deploymentModel": "PUBLIC", "maintenanceMode": False,
                                "tenantUid": tenant_uid(tenant)})

    def health(request: Request) -> Response:
        return ctx.ok(request, {"status": "ok", "service": "msp-tui demo authority"})

    def demo_signin(request: Request) -> Response:
        body = request.json_object()
        user = ctx.store.user_by_name.get(str(body.get("username", "")).strip().lower())
        if user is None or user["tenant"] != ctx.tenant(request):
            raise not_found("User")
        dev = ops.agent_signin(ctx.store, user, str(body.get("osName", "")), str(body.get("hostname", "")),
                               ctx.now())
        return ctx.ok(request, device_wire(ctx.store, dev, ctx.now(), usage=True), 201)

    router.add("GET", r"/api/v3/auth/jwt", jwt, public=True)
    router.add("GET", r"/c42api/v3/auth/jwt", jwt, public=True)
    router.add("POST", r"/api/v3/oauth/token", oauth, public=True)
    router.add("GET", r"/api/v3/LoginConfiguration", login_configuration, public=True)
    router.add("GET", r"/api/demo/health", health, public=True)
    router.add("GET", legacy(r"User/my"), user_my)
    router.add("GET", legacy(r"Org/my"), org_my)
    router.add("GET", r"/api/v3/customer/my", customer_my)
    router.add("POST", r"/api/demo/agent-signin", demo_signin)
