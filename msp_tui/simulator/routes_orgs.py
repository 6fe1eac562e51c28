"""Provides the org routes (v1 list/get, v3 CRUD and actions, org settings, legacy deactivation)."""

from __future__ import annotations

from msp_tui.simulator import ops
from msp_tui.simulator.context import Context
from msp_tui.simulator.http import Request, Response, Router, bad_request, legacy
from msp_tui.simulator.wire import org_counts, org_setting_wire, org_wire


def register(router: Router, ctx: Context) -> None:
    """Adds the routes of this module to `router`."""
    store = ctx.store

    def render(request: Request):
        counts = org_counts(store, ctx.tenant(request)) if request.flag("incCounts", False) else None
        now = ctx.now()
        return lambda org: org_wire(store, org, now, counts=counts)

    def org_list(request: Request) -> Response:
        active = request.flag("active")
        orgs = [o for o in store.tenant_orgs(ctx.tenant(request)) if active is None or o["active"] == active]
        q = request.query.get("q", "").strip().lower()
        if q:
            orgs = [o for o in orgs if q in o["name"].lower()]
        return ctx.page(request, orgs, "orgs", render(request))

    def org_get_v1(request: Request) -> Response:
        org = ctx.org_by_id(request, request.params["id"], request.query.get("idType"))
        return ctx.ok(request, render(request)(org))

    def org_get_v3(request: Request) -> Response:
        org = ctx.org_by_id(request, request.params["guid"], "orgGuid")
        return ctx.ok(request, render(request)(org))

    def parent_from(request: Request, body: dict) -> dict:
        for key, kind in (("parentOrgGuid", "orgGuid"), ("parentOrgUid", "orgUid"), ("parentOrgId", None)):
            if body.get(key) not in (None, ""):
                try:
                    return ctx.org_by_id(request, str(body[key]), kind)
                except Exception as exc:
                    raise bad_request("Parent organization was not found") from exc
        raise bad_request("A parent organization (parentOrgGuid) is required", "PARENT_ORG_REQUIRED")

    def org_create_v3(request: Request) -> Response:
        body = request.json_object()
        org = ops.create_org(store, parent_from(request, body), body, ctx.now())
        return ctx.ok(request, org_wire(store, org, ctx.now()), 201)

    def org_create_legacy(request: Request) -> Response:
        body = request.json_object()
        if not any(body.get(k) for k in ("parentOrgGuid", "parentOrgUid", "parentOrgId")):
            top = next(o for o in store.tenant_orgs(ctx.tenant(request)) if o["parent_id"] is None)
            body = {**body, "parentOrgId": top["id"]}
        org = ops.create_org(store, parent_from(request, body), body, ctx.now())
        return ctx.ok(request, org_wire(store, org, ctx.now()), 201)

    def org_update_v3(request: Request) -> Response:
        org = ctx.org_by_id(request, request.params["guid"], "orgGuid")
        ops.update_org(store, org, request.json_object(), ctx.now())
        return ctx.ok(request, org_wire(store, org, ctx.now()))

    def org_update_v1(request: Request) -> Response:
        org = ctx.org_by_id(request, request.params["id"], request.query.get("idType"))
        ops.update_org(store, org, request.json_object(), ctx.now())
        return ctx.ok(request, org_wire(store, org, ctx.now()))

    def org_action(request: Request) -> Response:
        org = ctx.org_by_id(request, request.params["guid"], "orgGuid")
        action = request.params["action"].lower()
        now = ctx.now()
        if action == "deactivate":
            ops.deactivate_org(store, org, now)
        elif action == "activate":
            ops.reactivate_org(store, org, now)
        else:
            org.update(blocked=action == "block", modified=now)
            store.touch("orgs", org)
        return Response(204)

    def org_setting_get(request: Request) -> Response:
        org = ctx.org_by_id(request, request.params["id"])
        return ctx.ok(request, org_setting_wire(store, org))

    def org_setting_put(request: Request) -> Response:
        org = ctx.org_by_id(request, request.params["id"])
        ops.update_org_settings(store, org, request.json_object(), ctx.now())
        return ctx.ok(request, org_setting_wire(store, org))

    def org_deactivation_legacy(request: Request) -> Response:
        org = ctx.org_by_id(request, request.params["id"])
        if request.method == "PUT":
            ops.deactivate_org(store, org, ctx.now())
        else:
            ops.reactivate_org(store, org, ctx.now())
        return Response(204)

    router.add("GET", legacy(r"Org"), org_list)
    router.add("POST", legacy(r"Org"), org_create_legacy)
    router.add("GET", legacy(r"Org/(?P<id>[^/]+)"), org_get_v1)
    router.add("PUT", legacy(r"Org/(?P<id>[^/]+)"), org_update_v1)
    router.add("GET", r"/api/v3/orgs/(?P<guid>[^/]+)", org_get_v3)
    router.add("PUT", r"/api/v3/orgs/(?P<guid>[^/]+)", org_update_v3)
    router.add("POST", r"/api/v3/orgs", org_create_v3)
    router.add("POST", r"/api/v3/orgs/(?P<guid>[^/]+)/(?P<action>deactivate|activate|block|unblock)", org_action)
    router.add("GET", legacy(r"OrgSetting/(?P<id>[^/]+)"), org_setting_get)
    router.add("PUT", legacy(r"OrgSetting/(?P<id>[^/]+)"), org_setting_put)
    router.add("PUT", legacy(r"OrgDeactivation/(?P<id>[^/]+)"), org_deactivation_legacy)
    router.add("DELETE", legacy(r"OrgDeactivation/(?P<id>[^/]+)"), org_deactivation_legacy)
