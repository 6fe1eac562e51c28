"""Provides the user routes (v1 list/get/create/update, v3 actions, legacy block/deactivation)."""

from __future__ import annotations

from msp_tui.simulator import ops
from msp_tui.simulator.context import Context
from msp_tui.simulator.http import ApiError, Request, Response, Router, bad_request, legacy
from msp_tui.simulator.wire import user_wire


def _matches(user: dict, q: str) -> bool:
    full = f"{user['first'] or ''} {user['last'] or ''}".lower()
    return q in user["username"].lower() or q in (user["email"] or "").lower() or q in full


def register(router: Router, ctx: Context) -> None:
    """Adds the routes of this module to `router`."""
    store = ctx.store

    def render(request: Request):
        roles = bool(request.flag("incRoles", False))
        now = ctx.now()
        return lambda user: user_wire(store, user, now, roles=roles)

    def user_list(request: Request) -> Response:
        users = store.tenant_users(ctx.tenant(request))
        active = request.flag("active")
        if active is not None:
            users = [u for u in users if u["active"] == active]
        org_uid = request.query.get("orgUid")
        if org_uid:
            try:
                org = ctx.org_by_id(request, org_uid, "orgUid")
            except ApiError as exc:
                raise bad_request("Organization was not found") from exc
            users = [u for u in users if u["org_id"] == org["id"]]
        for key, field in (("email", "email"), ("username", "username")):
            wanted = request.query.get(key, "").strip().lower()
            if wanted:
                users = [u for u in users if (u[field] or "").lower() == wanted]
        q = request.query.get("q", "").strip().lower()
        if q:
            users = [u for u in users if _matches(u, q)]
        if request.flag("admins", False):
            users = [u for u in users if u["admin"]]
        return ctx.page(request, users, "users", render(request))

    def user_get(request: Request) -> Response:
        user = ctx.user_by_id(request, request.params["id"], request.query.get("idType"))
        return ctx.ok(request, render(request)(user))

    def user_create(request: Request) -> Response:
        body = request.json_object()
        org_uid = body.get("orgUid")
        org_id = body.get("orgId")
        try:
            if org_uid:
                org = ctx.org_by_id(request, str(org_uid), "orgUid")
            elif org_id:
                org = ctx.org_by_id(request, str(org_id))
            else:
                raise bad_request("orgUid is required")
        except ApiError as exc:
            if exc.status == 400:
                raise
            raise bad_request("Organization was not found") from exc
        user = ops.create_user(store, org, body, ctx.now())
        return ctx.ok(request, user_wire(store, user, ctx.now()), 201)

    def user_update(request: Request) -> Response:
        user = ctx.user_by_id(request, request.params["id"], request.query.get("idType"))
        ops.update_user(store, user, request.json_object(), ctx.now())
        return ctx.ok(request, user_wire(store, user, ctx.now()))

    def user_action(request: Request) -> Response:
        user = ctx.user_by_id(request, request.params["uid"], "uid")
        action = request.params["action"].lower()
        now = ctx.now()
        body = request.json_object() if action in ("deactivate", "activate", "move") else {}
        if action == "deactivate":
            ops.deactivate_user(store, user, now)
            if body.get("block"):
                user["blocked"] = True
        elif action == "activate":
            ops.reactivate_user(store, user, now)
            if body.get("unblock"):
                user["blocked"] = False
        elif action == "move":
            target = body.get("orgId")
            if target is None:
                raise bad_request("orgId is required")
            ops.move_user(store, user, ctx.org_by_id(request, str(target)), now)
        else:
            user.update(blocked=action == "block", modified=now)
        store.touch("users", user)
        return Response(204)

    def user_legacy(request: Request) -> Response:
        user = ctx.user_by_id(request, request.params["id"])
        now = ctx.now()
        put = request.method == "PUT"
        if request.params["kind"].lower() == "userblock":
            user.update(blocked=put, modified=now)
            store.touch("users", user)
        elif put:
            ops.deactivate_user(store, user, now)
        else:
            ops.reactivate_user(store, user, now)
        return Response(204)

    def roles(request: Request) -> Response:
        return Response(200, {"data": [
            {"roleId": "desktop-user", "roleName": "Desktop User"},
            {"roleId": "customer-cloud-admin", "roleName": "Customer Cloud Admin"},
        ]})

    router.add("GET", legacy(r"User"), user_list)
    router.add("POST", legacy(r"User"), user_create)
    router.add("GET", legacy(r"User/(?P<id>[^/]+)"), user_get)
    router.add("PUT", legacy(r"User/(?P<id>[^/]+)"), user_update)
    router.add("POST", r"/api/v3/users/(?P<uid>[^/]+)/(?P<action>deactivate|activate|block|unblock|move)",
               user_action)
    for method in ("PUT", "DELETE"):
        router.add(method, legacy(r"(?P<kind>UserBlock|UserDeactivation)/(?P<id>[^/]+)"), user_legacy)
    router.add("GET", legacy(r"role"), roles)
