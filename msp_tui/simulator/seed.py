"""Provides the deterministic seed of the demo authority ("small" and "large" scales).

Everything comes from fixed-seed random.Random instances and word lists; times are
offsets from the clock (see timefmt), so a seed is identical on every run and every day.

Record fields: orgs {id uid guid tenant name parent_id active blocked reg_key ext_ref notes
created modified deactivated hold_days deact_by_parent}; users {id uid tenant org_id username
email first last notes ext_ref active blocked created modified deactivated deact_by_org admin};
devices {id guid tenant user_id name hostname os os_version product_version address remote tz
active blocked deauth created modified deactivated deact_by_user frozen_at conn_lag};
archives {guid device_id tenant dest selected_files selected_bytes archive_bytes lag created
cold cold_since hold_expire initial_until}.
"""

from __future__ import annotations

import random
import re
from typing import Any

from msp_tui.simulator import names
from msp_tui.simulator.accounts import DEMO_LOGINS, account_for_tenant
from msp_tui.simulator.ids import numeric_uid, org_guid, registration_key
from msp_tui.simulator.store import Record
from msp_tui.simulator.timefmt import DAY

DEST_US = "43"
DEST_US_WEST = "632540230984925185"
DEFAULT_HOLD_DAYS = 365
FIRST_IDS = {"org": 4001, "user": 210001, "computer": 500001}
HOUR = 3600.0


def new_org(org_id: int, tenant: str, name: str, parent_id: int | None, created: float) -> Record:
    """Returns a new active org record."""
    return {"id": org_id, "uid": numeric_uid("org", org_id), "guid": org_guid(org_id), "tenant": tenant,
            "name": name, "parent_id": parent_id, "active": True, "blocked": False,
            "reg_key": registration_key(org_id), "ext_ref": None, "notes": None, "created": created,
            "modified": created, "deactivated": None, "hold_days": None, "deact_by_parent": False}


def new_user(user_id: int, tenant: str, org_id: int, username: str, email: str | None,
             first: str | None, last: str | None, created: float) -> Record:
    """Returns a new active user record."""
    return {"id": user_id, "uid": numeric_uid("user", user_id), "tenant": tenant, "org_id": org_id,
            "username": username, "email": email, "first": first, "last": last, "notes": None,
            "ext_ref": None, "active": True, "blocked": False, "created": created, "modified": created,
            "deactivated": None, "deact_by_org": False, "admin": False}


def new_device(device_id: int, user: Record, os_name: str, name: str, os_version: str,
               product_version: str, tz: str, created: float) -> Record:
    """Returns a new active, live device record."""
    return {"id": device_id, "guid": numeric_uid("computer", device_id), "tenant": user["tenant"],
            "user_id": user["id"], "name": name, "hostname": name, "os": os_name,
            "os_version": os_version, "product_version": product_version,
            "address": f"192.168.{device_id % 250}.{(device_id * 7) % 250 + 2}:4242",
            "remote": f"73.{device_id % 200 + 20}.{(device_id * 3) % 250}.{(device_id * 11) % 250 + 1}",
            "tz": tz, "active": True, "blocked": False, "deauth": False, "created": created,
            "modified": created, "deactivated": None, "deact_by_user": False, "frozen_at": None,
            "conn_lag": 60.0}


def new_archive(device: Record, dest: str, selected_bytes: int, selected_files: int,
                archive_bytes: int, lag: float | None, created: float) -> Record:
    """Returns a new archive (one device's backup on one destination)."""
    return {"guid": numeric_uid("archive", f"{device['id']}:{dest}"), "device_id": device["id"],
            "tenant": device["tenant"], "dest": dest, "selected_files": selected_files,
            "selected_bytes": selected_bytes, "archive_bytes": archive_bytes, "lag": lag,
            "created": created, "cold": False, "cold_since": None, "hold_expire": None,
            "initial_until": None}


class Builder:
    """Accumulates seed records and hands out ids."""

    def __init__(self) -> None:
        self.next = dict(FIRST_IDS)
        self.orgs: list[Record] = []
        self.users: list[Record] = []
        self.devices: list[Record] = []
        self.archives: list[Record] = []
        self.usernames: set[str] = set()
        self.hostnames: set[str] = set()

    def take(self, kind: str) -> int:
        value = self.next[kind]
        self.next[kind] = value + 1
        return value

    def org(self, tenant: str, name: str, parent: Record | None, age_days: float) -> Record:
        rec = new_org(self.take("org"), tenant, name, parent["id"] if parent else None, -age_days * DAY)
        self.orgs.append(rec)
        return rec

    def user(self, rng: random.Random, org: Record, domain: str, first: str | None = None,
             last: str | None = None, username: str | None = None) -> Record:
        first = first or rng.choice(names.FIRST_NAMES)
        last = last or rng.choice(names.LAST_NAMES)
        if username is None:
            base = f"{first}.{last}".lower()
            username, n = f"{base}@{domain}", 1
            while username in self.usernames:
                n += 1
                username = f"{base}{n}@{domain}"
        self.usernames.add(username)
        created = -rng.uniform(30, 1500) * DAY
        rec = new_user(self.take("user"), org["tenant"], org["id"], username, username, first, last, created)
        self.users.append(rec)
        return rec

    def device(self, rng: random.Random, user: Record, os_name: str | None = None) -> Record:
        os_name = os_name or rng.choices(("win", "mac", "linux"), (6, 3, 1))[0]
        stem = (user["first"] or "pc")[:1] + (user["last"] or "user")
        base = f"{rng.choice(names.DEVICE_KINDS[os_name])}-{stem}".upper() if os_name == "win" \
            else f"{stem.lower()}-{rng.choice(names.DEVICE_KINDS[os_name])}"
        name, n = base, 1
        while name in self.hostnames:
            n += 1
            name = f"{base}-{n}"
        self.hostnames.add(name)
        created = max(user["created"], -rng.uniform(20, 1200) * DAY)
        rec = new_device(self.take("computer"), user, os_name, name,
                         rng.choice(names.OS_VERSIONS[os_name]), rng.choice(names.PRODUCT_VERSIONS),
                         rng.choice(names.TIME_ZONES), created)
        rec["conn_lag"] = rng.uniform(30, 2 * HOUR)
        self.devices.append(rec)
        return rec

    def backup(self, rng: random.Random, device: Record, profile: str, two_dest: bool) -> None:
        """Gives a device its archives according to a profile (current/warning/critical/never/none)."""
        if profile == "none":
            return
        selected = int(rng.uniform(4, 420) * 1e9)
        files = max(1, selected // rng.randint(250_000, 2_000_000))
        lag = {"current": rng.uniform(300, 20 * HOUR), "warning": rng.uniform(4, 6) * DAY,
               "critical": rng.uniform(8, 30) * DAY, "never": None}[profile]
        if profile == "critical":
            device["conn_lag"] = (lag or 0) - rng.uniform(0, HOUR)
        elif profile == "warning" and rng.random() < 0.5:
            device["conn_lag"] = (lag or 0) - rng.uniform(0, HOUR)
        dests = [DEST_US, DEST_US_WEST] if two_dest else [rng.choices((DEST_US, DEST_US_WEST), (4, 1))[0]]
        for i, dest in enumerate(dests):
            stored = 0 if lag is None else int(selected * rng.uniform(0.55, 1.1))
            this_lag = None if lag is None else lag + i * rng.uniform(0, 3 * HOUR)
            self.archives.append(new_archive(device, dest, selected, files, stored, this_lag, device["created"]))

    def deactivate_user(self, user: Record, age_days: float, *, by_org: bool = False) -> None:
        user.update(active=False, deactivated=-age_days * DAY, modified=-age_days * DAY, deact_by_org=by_org)
        for dev in (d for d in self.devices if d["user_id"] == user["id"] and d["active"]):
            self.deactivate_device(dev, age_days, by_user=True)

    def deactivate_device(self, dev: Record, age_days: float, *, by_user: bool = False) -> None:
        when = -age_days * DAY
        dev.update(active=False, deactivated=when, modified=when, deact_by_user=by_user,
                   frozen_at=dev["frozen_at"] or when)
        for arc in (a for a in self.archives if a["device_id"] == dev["id"]):
            arc.update(cold=True, cold_since=when, hold_expire=when + DEFAULT_HOLD_DAYS * DAY)

    def result(self) -> tuple[dict[str, list[Record]], dict[str, str]]:
        data = {"orgs": self.orgs, "users": self.users, "devices": self.devices, "archives": self.archives}
        meta = {f"next_{k}_id": str(v) for k, v in self.next.items()}
        return data, meta


def _top(b: Builder, rng: random.Random, tenant: str) -> tuple[Record, list[Record]]:
    """Creates a tenant's top org and its console-login users (each with devices)."""
    top = b.org(tenant, account_for_tenant(tenant).top_org_name, None, 6 * 365)
    admins = []
    for login in (lg for lg in DEMO_LOGINS if lg.tenant == tenant):
        user = b.user(rng, top, "", login.first_name, login.last_name, login.username)
        user["admin"] = True
        admins.append(user)
    return top, admins


def _customers(b: Builder, rng: random.Random, top: Record, table: Any) -> dict[str, Record]:
    orgs = {}
    for org_name, domain, n_active, n_gone in table:
        org = b.org(top["tenant"], org_name, top, rng.uniform(200, 1800))
        orgs[org_name] = org
        for i in range(n_active + n_gone):
            user = b.user(rng, org, domain)
            user["_gone"] = i >= n_active
    return orgs


def _populate(b: Builder, rng: random.Random, tenant: str, specials: dict[str, int],
              five_device_user: Record | None) -> None:
    """Gives every user of a tenant devices, then assigns the special device profiles."""
    users = [u for u in b.users if u["tenant"] == tenant]
    for user in users:
        count = 5 if user is five_device_user else rng.choices((1, 2, 3, 4), (35, 35, 20, 10))[0]
        if user["admin"]:
            count = 1 + (user["username"].startswith("tech"))
        for _ in range(count):
            b.device(rng, user)
    devs = [d for d in b.devices if d["tenant"] == tenant]
    pool = [d for d in devs if not (five_device_user and d["user_id"] == five_device_user["id"])
            and not any(u["id"] == d["user_id"] and (u["admin"] or u.get("_gone")) for u in users)]
    picks = rng.sample(pool, sum(specials.values()))
    profile: dict[int, str] = {}
    cursor = 0
    for role, n in specials.items():
        for dev in picks[cursor : cursor + n]:
            profile[dev["id"]] = role
        cursor += n
    two = {d["id"] for d in rng.sample(devs, max(1, len(devs) // 10))}
    for dev in devs:
        role = profile.get(dev["id"], "current")
        kind = role if role in ("warning", "critical", "never", "none") else "current"
        if kind == "never":
            dev["created"] = -rng.uniform(9, 14) * DAY
        b.backup(rng, dev, kind, dev["id"] in two or role == "two_dest")
        if role == "deauth":
            dev.update(deauth=True, frozen_at=-9 * DAY, conn_lag=rng.uniform(0, DAY), modified=-9 * DAY)
        elif role == "deactivated":
            b.deactivate_device(dev, rng.uniform(10, 90))
        elif role == "blocked":
            dev["blocked"] = True
    for user in users:
        if user.pop("_gone", False):
            b.deactivate_user(user, rng.uniform(15, 200))


def seed_small(b: Builder) -> None:
    """Northwind (12 customer orgs, 45 active users + 3 deactivated in cold storage = 48 billed) and Harbor (4 customer orgs, 14 active users)."""
    rng = random.Random("northwind-small-v1")
    top, _ = _top(b, rng, "northwind")
    orgs = _customers(b, rng, top, names.NORTHWIND_CUSTOMERS)
    child_name, child_domain, child_users = names.NORTHWIND_CHILD
    child = b.org("northwind", child_name, orgs["Greenfield Engineering"], 400)
    for _ in range(child_users):
        b.user(rng, child, child_domain)
    orgs["Maple Street Veterinary"]["hold_days"] = 90
    gone_org = orgs[names.NORTHWIND_DEACTIVATED_ORG]
    leaver = b.user(rng, gone_org, "copperleaf-bakery.example", "Marta", "Lindqvist")
    five = next(u for u in b.users if u["org_id"] == orgs["Ridgeline Architects"]["id"])
    specials = {"warning": 3, "critical": 3, "never": 1, "none": 1, "deauth": 1, "deactivated": 2,
                "blocked": 1, "two_dest": 4}
    _populate(b, rng, "northwind", specials, five)
    b.deactivate_user(leaver, 45, by_org=True)
    gone_org.update(active=False, deactivated=-45 * DAY, modified=-45 * DAY)
    blocked = next(u for u in b.users if u["org_id"] == orgs["Blue Heron Realty"]["id"])
    blocked["blocked"] = True

    rng = random.Random("harbor-small-v1")
    top, _ = _top(b, rng, "harbor")
    _customers(b, rng, top, names.HARBOR_CUSTOMERS)
    _populate(b, rng, "harbor", {"warning": 1, "critical": 1, "two_dest": 1}, None)


SCALE_FACTORS = {"x1": 1, "x2": 2, "x4": 4}
"""Multiples of the medium tenancy (125 customer orgs, 5,000 users, 15,000 devices) for
scaling benchmarks; "x4" is exactly the "large" seed."""


def seed_large(b: Builder, factor: int = 4, rng_name: str = "northwind-large-v1") -> None:
    """Northwind with 500 customer orgs, 20,000 users and 60,000 devices; Harbor small.

    `factor` (1, 2 or 4) scales Northwind to a quarter or half of that, built the same way.
    """
    rng = random.Random(rng_name)
    top, admins = _top(b, rng, "northwind")
    for user in admins:
        b.device(rng, user)
    customers: list[tuple[Record, str]] = []
    n_orgs = 125 * factor
    for prefix in names.LARGE_PREFIXES:
        for kind in names.LARGE_KINDS:
            if len(customers) == n_orgs:
                break
            name = f"{prefix} {kind}"
            org = b.org("northwind", name, top, rng.uniform(30, 2000))
            customers.append((org, re.sub(r"[^a-z]+", "-", name.lower()).strip("-") + ".example"))
    n_users = 5_000 * factor - len(admins)
    counts = [1] * len(customers)
    weights = [rng.uniform(0.2, 3.0) for _ in customers]
    for index in rng.choices(range(len(customers)), weights, k=n_users - len(customers)):
        counts[index] += 1
    users: list[Record] = []
    for (org, domain), count in zip(customers, counts):
        users.extend(b.user(rng, org, domain) for _ in range(count))
    per_user = [1] * len(users)
    extra = 15_000 * factor - len(admins) - len(users)
    while extra:
        index = rng.randrange(len(users))
        if per_user[index] < 5:
            per_user[index] += 1
            extra -= 1
    roles = (("current", 0.88), ("warning", 0.93), ("critical", 0.975), ("never", 0.98), ("none", 0.985))
    for user, count in zip(users, per_user):
        for _ in range(count):
            dev = b.device(rng, user)
            draw = rng.random()
            kind = next((name for name, limit in roles if draw < limit), "current")
            b.backup(rng, dev, kind, rng.random() < 0.1)
            if draw > 0.995:
                dev.update(deauth=True, frozen_at=-rng.uniform(2, 20) * DAY)
    by_user: dict[int, list[Record]] = {}
    for dev in b.devices:
        by_user.setdefault(dev["user_id"], []).append(dev)
    arcs: dict[int, list[Record]] = {}
    for arc in b.archives:
        arcs.setdefault(arc["device_id"], []).append(arc)
    for user in rng.sample(users, len(users) // 50):
        when = -rng.uniform(10, 300) * DAY
        user.update(active=False, deactivated=when, modified=when)
        for dev in by_user.get(user["id"], []):
            dev.update(active=False, deactivated=when, deact_by_user=True, frozen_at=when)
            for arc in arcs.get(dev["id"], []):
                arc.update(cold=True, cold_since=when, hold_expire=when + DEFAULT_HOLD_DAYS * DAY)

    rng = random.Random("harbor-small-v1")
    top, _ = _top(b, rng, "harbor")
    _customers(b, rng, top, names.HARBOR_CUSTOMERS)
    _populate(b, rng, "harbor", {"warning": 1, "critical": 1, "two_dest": 1}, None)


def build(scale: str) -> tuple[dict[str, list[Record]], dict[str, str]]:
    """Returns the seed records and meta counters for "small", "large" or "x1"/"x2"/"x4"."""
    if scale not in ("small", "large", *SCALE_FACTORS):
        raise ValueError(f"unknown scale {scale!r} (expected 'small', 'large', 'x1', 'x2' or 'x4')")
    builder = Builder()
    if scale == "small":
        seed_small(builder)
    elif scale in ("large", "x4"):
        seed_large(builder)
    else:
        seed_large(builder, SCALE_FACTORS[scale], f"northwind-{scale}-v1")
    return builder.result()
