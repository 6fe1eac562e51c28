"""Provides the device, archive and cold-storage routes."""

from __future__ import annotations

from msp_tui.simulator import ops
from msp_tui.simulator.context import Context
from msp_tui.simulator.http import ApiError, Request, Response, Router, bad_request, legacy
from msp_tui.simulator.timefmt import parse_date, resolve
from msp_tui.simulator.wire import archive_wire, cold_row_wire, device_wire


def register(router: Router, ctx: Context) -> None:
    """Adds the routes of this module to `router`."""
    store = ctx.store

    def render(request: Request):
        usage = bool(request.flag("incBackupUsage", False))
        now = ctx.now()
        return lambda dev: device_wire(store, dev, now, usage=usage)

    def device_list(request: Request) -> Response:
        devs = store.tenant_devices(ctx.tenant(request))
        for key in ("active", "blocked"):
            wanted = request.flag(key)
            if wanted is not None:
                devs = [d for d in devs if d[key] == wanted]
        org_uid = request.query.get("orgUid")
        if org_uid:
            try:
                org = ctx.org_by_id(request, org_uid, "orgUid")
            except ApiError as exc:
                raise bad_request("Unable to find org") from exc
            devs = [d for d in devs if store.users[d["user_id"]]["org_id"] == org["id"]]
        user_uid = request.query.get("userUid")
        if user_uid:
            devs = [d for d in devs if store.users[d["user_id"]]["uid"] == user_uid]
        target = request.query.get("targetComputerGuid")
        if target:
            devs = [d for d in devs if any(a["dest"] == target for a in store.device_archives(d["id"]))]
        q = request.query.get("q", "").strip().lower()
        if q:
            devs = [d for d in devs if q in d["guid"] or q in d["name"].lower() or q in d["hostname"].lower()]
        return ctx.page(request, devs, "computers", render(request))

    def device_get(request: Request) -> Response:
        dev = ctx.device_by_id(request, request.params["id"], request.query.get("idType"))
        return ctx.ok(request, render(request)(dev))

    def deactivation(request: Request) -> Response:
        body = request.json_object()
        if body.get("id") is None:
            raise bad_request("id is required")
        dev = ctx.device_by_id(request, body["id"])
        if request.params["action"].lower() == "update":
            ops.deactivate_device(store, dev, ctx.now())
        else:
            ops.reactivate_device(store, dev, ctx.now())
        return Response(204)

    def block(request: Request) -> Response:
        dev = ctx.device_by_id(request, request.params["id"])
        dev.update(blocked=request.method == "PUT", modified=ctx.now())
        store.touch("devices", dev)
        return Response(204)

    def deauthorize(request: Request) -> Response:
        dev = ctx.device_by_id(request, request.params["id"])
        if dev["active"] and not dev["deauth"]:
            now = ctx.now()
            dev.update(deauth=True, modified=now, frozen_at=dev["frozen_at"] if dev["frozen_at"] else now)
            store.touch("devices", dev)
        return Response(204)

    def upgrade(request: Request) -> Response:
        guid = str(request.json_object().get("deviceGuid", ""))
        ctx.device_by_id(request, guid, "guid")
        return ctx.ok(request, {})

    def archive_list(request: Request) -> Response:
        tenant = ctx.tenant(request)
        arcs = [a for a in store.archives.values() if a["tenant"] == tenant]
        source = request.query.get("backupSourceGuid")
        if source:
            arcs = [a for a in arcs if store.devices[a["device_id"]]["guid"] == source]
        user_uid = request.query.get("userUid")
        if user_uid:
            arcs = [a for a in arcs if store.users[store.devices[a["device_id"]]["user_id"]]["uid"] == user_uid]
        dest = request.query.get("destinationGuid")
        if dest:
            arcs = [a for a in arcs if a["dest"] == dest]
        arcs.sort(key=lambda a: (a["device_id"], a["dest"] != "43"))
        now = ctx.now()
        return ctx.page(request, arcs, "archives", lambda a: archive_wire(store, a, now))

    def archive_get(request: Request) -> Response:
        return ctx.ok(request, archive_wire(store, ctx.archive_by_guid(request, request.params["guid"]), ctx.now()))

    def cold_list(request: Request) -> Response:
        tenant = ctx.tenant(request)
        now = ctx.now()
        org_ids: set[int] | None = None
        if request.query.get("orgId"):
            org = ctx.org_by_id(request, request.query["orgId"])
            nodes = store.descendants(org["id"]) if request.flag("incChildOrgs", False) else [org]
            org_ids = {o["id"] for o in nodes}
        rows = [a for a in store.archives.values() if a["tenant"] == tenant and a["cold"]
                and (resolve(a["hold_expire"], now) or now + 1) > now]
        if org_ids is not None:
            rows = [a for a in rows if store.users[store.devices[a["device_id"]]["user_id"]]["org_id"] in org_ids]
        reverse = request.query.get("srtDir", "asc").lower() == "desc"
        rows.sort(key=lambda a: (resolve(a["hold_expire"], now) or 0, a["guid"]), reverse=reverse)
        return ctx.page(request, rows, "coldStorageRows", lambda a: cold_row_wire(store, a, now))

    def cold_update(request: Request) -> Response:
        arc = ctx.archive_by_guid(request, request.params["guid"])
        if not arc["cold"]:
            raise bad_request("Archive is not in cold storage")
        raw = request.json_object().get("archiveHoldExpireDate")
        try:
            arc["hold_expire"] = parse_date(str(raw))
        except ValueError as exc:
            raise bad_request("archiveHoldExpireDate must be a date (YYYY-MM-DD)") from exc
        store.touch("archives", arc)
        return ctx.ok(request, cold_row_wire(store, arc, ctx.now()))

    def cold_purge(request: Request) -> Response:
        arc = ctx.archive_by_guid(request, request.params["guid"])
        if not arc["cold"]:
            raise ApiError(400, "SYSTEM", "Archive is not in cold storage")
        store.discard("archives", arc)
        return Response(204)

    router.add("GET", legacy(r"Computer"), device_list)
    router.add("GET", legacy(r"Computer/(?P<id>[^/]+)"), device_get)
    router.add("POST", r"/api/v(?:4|38)/computer-deactivation/(?P<action>update|remove)", deactivation)
    router.add("POST", r"/api/v(?:4|38)/device-upgrade/upgrade-device", upgrade)
    router.add("PUT", legacy(r"ComputerBlock/(?P<id>[^/]+)"), block)
    router.add("DELETE", legacy(r"ComputerBlock/(?P<id>[^/]+)"), block)
    router.add("PUT", legacy(r"ComputerDeauthorization/(?P<id>[^/]+)"), deauthorize)
    router.add("GET", legacy(r"Archive"), archive_list)
    router.add("GET", legacy(r"Archive/(?P<guid>[^/]+)"), archive_get)
    router.add("GET", legacy(r"ColdStorage"), cold_list)
    router.add("PUT", legacy(r"ColdStorage/(?P<guid>[^/]+)"), cold_update)
    router.add("DELETE", legacy(r"ColdStorage/(?P<guid>[^/]+)"), cold_purge)
