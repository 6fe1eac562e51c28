"""Provides the health and best-practice checks of an account, as a sorted list of findings.

Each finding has a stable code (for filters and monitoring), a severity, the org and subject it
is about, a message that says what to do, and ids for jumping to the org, user or device.
Checks: hierarchy, device cap, backup health, storage region, licence waste (cold storage),
tier risk and HIPAA compliance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from msp_tui.domain.health import Health, HealthReport, assess
from msp_tui.domain.hierarchy import OrgTree, build_tree
from msp_tui.domain.policy import BillingSettings, Policy
from msp_tui.domain.pricing import (
    billed_users,
    format_money,
    monthly_total,
    snapshot_billed_users,
    user_key,
)
from msp_tui.models.cold_storage import ColdStorageRow
from msp_tui.models.snapshot import AccountSnapshot

MSP_BILLING_EMAIL = "msp-billing@code42.com"

KNOWN_US_DESTINATIONS = frozenset(
    {"PROe Cloud, US", "PROe Cloud, US - West", "Code42 Cloud USA West", "Code42 Cloud US"}
)
"""Destination names of Code42's US clouds seen in the API."""
_US_WORD = re.compile(r"\b(US|USA|U\.S\.|United States)\b", re.IGNORECASE)


class Severity(str, Enum):
    """How urgent a finding is."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for critical."""
        return _SEVERITIES.index(self)


_SEVERITIES = (Severity.INFO, Severity.WARNING, Severity.CRITICAL)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem or notice found in the account."""

    code: str
    """Stable identifier, e.g. "backup.critical"."""
    severity: Severity
    org: str
    """Name of the org concerned ("" for account-wide findings)."""
    subject: str
    """What the finding is about: a user, device, org or destination name."""
    message: str
    """What is wrong and what to do."""
    org_id: int | None = None
    user_id: int | None = None
    computer_id: int | None = None


def parse_severity(value: str) -> Severity:
    """Returns the severity named `value` (case-insensitive); raises ValueError otherwise."""
    try:
        return Severity(value.strip().lower())
    except ValueError:
        names = ", ".join(s.value for s in _SEVERITIES)
        raise ValueError(f"unknown severity {value!r} (expected one of: {names})") from None


def at_least(findings: Iterable[Finding], severity: Severity | str) -> list[Finding]:
    """Returns the findings at or above `severity` (for `check --severity warning`)."""
    floor = (parse_severity(severity) if isinstance(severity, str) else severity).rank
    return [f for f in findings if f.severity.rank >= floor]


def is_us_destination(name: str, extra: Iterable[str] = ()) -> bool:
    """True when a destination name looks like US storage ("PROe Cloud, US - West")."""
    if name in KNOWN_US_DESTINATIONS or name in set(extra):
        return True
    return bool(_US_WORD.search(name))


def draft_baa_request(customer: str, partner: str) -> str:
    """Returns an email to msp-billing asking for a BAA for `customer`."""
    return (
        f"To: {MSP_BILLING_EMAIL}\n"
        f"Subject: BAA request for our customer {customer}\n\n"
        f"Hello Code42 MSP billing team,\n\n"
        f"We are a Code42 MSP partner (account: {partner}). Our customer {customer} handles "
        f"protected health information and needs a Business Associate Agreement (BAA) with "
        f"Code42 for HIPAA compliance. Please send us the BAA for review and signature.\n\n"
        f"Thank you"
    )


def run_checks(
    snapshot: AccountSnapshot,
    policy: Policy,
    now: datetime,
    *,
    tree: OrgTree | None = None,
    health: HealthReport | None = None,
) -> list[Finding]:
    """Runs every check on `snapshot` at `now`.

    Args:
        snapshot: The account.
        policy: Thresholds, prices and customer notes.
        now: The reference time (timezone-aware; naive is taken as UTC).
        tree: The org tree, if already built.
        health: The health report at `now`, if already computed.

    Returns:
        Findings, most severe first, then by code, org and subject.
    """
    tree = tree or build_tree(snapshot)
    health = health or assess(snapshot, policy.checks, now)
    findings: list[Finding] = []
    findings += _hierarchy(snapshot, tree)
    findings += _device_cap(snapshot, policy, health)
    findings += _backups(snapshot, policy, health)
    findings += _regions(snapshot, policy)
    findings += _cold_storage(snapshot, policy)
    findings += _tier(snapshot, policy)
    findings += _compliance(policy, tree)
    findings.sort(key=lambda f: (-f.severity.rank, f.code, f.org.casefold(), f.subject))
    return findings


def _org_name(snapshot: AccountSnapshot, org_id: int | None) -> str:
    org = snapshot.org(org_id)
    return org.org_name if org is not None else ""


def _hierarchy(snapshot: AccountSnapshot, tree: OrgTree) -> list[Finding]:
    out = []
    for org in tree.nested:
        customer = tree.customer_for(org.org_id)
        cname = customer.org_name if customer else "?"
        out.append(Finding(
            "hierarchy.nested_org", Severity.WARNING, org.org_name, tree.path_str(org.org_id),
            f"Org {org.org_name!r} is a child of customer org {cname!r} "
            f"({tree.path_str(org.org_id)}). Create each customer org directly under the "
            "top-level org; move these users into the customer org or make it a customer.",
            org_id=org.org_id,
        ))
    for org in tree.detached:
        out.append(Finding(
            "hierarchy.detached_org", Severity.WARNING, org.org_name, tree.path_str(org.org_id),
            f"Org {org.org_name!r} is not under the top-level org; its users are billed but "
            "belong to no customer.",
            org_id=org.org_id,
        ))
    if tree.top is not None:
        top = tree.top
        for user in snapshot.users:
            if user.org_id == top.org_id and user.is_active:
                out.append(Finding(
                    "hierarchy.top_level_user", Severity.WARNING, top.org_name, user.username,
                    f"User {user.username!r} sits directly in the top-level org; move them "
                    "into their customer's org so billing and access stay per customer.",
                    org_id=top.org_id, user_id=user.user_id,
                ))
    return out


def _device_cap(snapshot: AccountSnapshot, policy: Policy, health: HealthReport) -> list[Finding]:
    cap = policy.prices.max_devices_per_user
    users = {u.user_id: u for u in snapshot.users}
    out = []
    for user_id, count in health.active_devices_by_user.items():
        if count > cap:
            user = users.get(user_id)
            name = user.username if user else str(user_id)
            org_id = user.org_id if user else None
            out.append(Finding(
                "device_cap.exceeded", Severity.WARNING, _org_name(snapshot, org_id), name,
                f"User {name!r} has {count} devices backing up; the program allows {cap} per "
                "user. Deactivate or deauthorize the extra devices.",
                org_id=org_id, user_id=user_id,
            ))
    return out


def _backups(snapshot: AccountSnapshot, policy: Policy, health: HealthReport) -> list[Finding]:
    checks = policy.checks
    out = []
    never_grace = health.now - timedelta(days=checks.critical_days)
    for dh in health.with_health(Health.WARNING, Health.CRITICAL, Health.NEVER):
        org = _org_name(snapshot, dh.org_id)
        ids = {"org_id": dh.org_id, "user_id": dh.user_id, "computer_id": dh.computer_id}
        if dh.health is Health.NEVER:
            created = dh.device.creation_date
            old = created is not None and created.replace(
                tzinfo=created.tzinfo or health.now.tzinfo) < never_grace
            severity = Severity.CRITICAL if old else Severity.WARNING
            since = f" since it was added on {created.date().isoformat()}" if created else ""
            out.append(Finding(
                "backup.never", severity, org, dh.name,
                f"Device {dh.name!r} has never completed a backup{since}.", **ids,
            ))
            continue
        days = int(dh.days_since_backup or 0)
        last = dh.last_completed_backup.date().isoformat() if dh.last_completed_backup else "?"
        critical = dh.health is Health.CRITICAL
        limit = checks.critical_days if critical else checks.warning_days
        out.append(Finding(
            "backup.critical" if critical else "backup.warning",
            Severity.CRITICAL if critical else Severity.WARNING, org, dh.name,
            f"Device {dh.name!r} has not completed a backup for {days} days (last {last}; "
            f"threshold {limit} days).", **ids,
        ))
    cutoff = health.now - timedelta(days=checks.not_connected_days)
    for dh in health.not_connected_since(cutoff):
        days = int(dh.days_since_connected or 0)
        seen = dh.last_connected.date().isoformat() if dh.last_connected else "?"
        out.append(Finding(
            "backup.not_connected", Severity.WARNING, _org_name(snapshot, dh.org_id), dh.name,
            f"Device {dh.name!r} has not connected for {days} days (last {seen}); check that "
            "it is powered on and the app is running.",
            org_id=dh.org_id, user_id=dh.user_id, computer_id=dh.computer_id,
        ))
    return out


def _regions(snapshot: AccountSnapshot, policy: Policy) -> list[Finding]:
    extra = policy.checks.us_destination_names
    seen: dict[tuple[int | None, str], list[int]] = {}
    first_user: dict[tuple[int | None, str], int | None] = {}
    verdict: dict[str, bool] = {}
    for device in snapshot.devices:
        for usage in device.backup_usage:
            name = usage.target_computer_name
            if not name:
                continue
            us = verdict.get(name)
            if us is None:
                us = verdict[name] = is_us_destination(name, extra)
            if not us:
                key = (device.org_id, name)
                seen.setdefault(key, []).append(device.computer_id)
                first_user.setdefault(key, device.user_id)
    out = []
    for (org_id, name), computers in seen.items():
        n = len(computers)
        out.append(Finding(
            "storage.non_us", Severity.CRITICAL, _org_name(snapshot, org_id), name,
            f"{n} device{'s' if n != 1 else ''} back up to {name!r}, which is not US storage; "
            "the MSP program offers US storage only.",
            org_id=org_id, user_id=first_user[(org_id, name)], computer_id=computers[0],
        ))
    return out


def _cold_storage(snapshot: AccountSnapshot, policy: Policy) -> list[Finding]:
    billed = policy.billing.count_cold_storage_users
    rate = policy.prices.base_rate
    rows_by_key = _rows_by_key(snapshot)
    holders = billed_users(
        snapshot.users, snapshot.cold_storage, BillingSettings(count_cold_storage_users=True)
    )
    out = []
    for b in holders:
        if not b.cold_storage_only:
            continue
        rows = rows_by_key.get(b.key, [])
        expiries = [r.archive_hold_expire_date for r in rows if r.archive_hold_expire_date]
        until = f" until {max(expiries).date().isoformat()}" if expiries else ""
        size = sum(r.archive_bytes or 0 for r in rows)
        cost = (f"; it holds a subscription (about {format_money(rate, policy.prices)} a month)"
                if billed else "")
        out.append(Finding(
            "licence.cold_storage", Severity.WARNING if billed else Severity.INFO,
            _org_name(snapshot, b.org_id), b.name,
            f"Deactivated user {b.name!r} has {len(rows)} archive{'s' if len(rows) != 1 else ''} "
            f"({size / 1e9:.1f} GB) in cold storage{until}{cost}. Purge the archives if they "
            "are no longer needed.",
            org_id=b.org_id, user_id=b.user_id,
        ))
    return out


def _rows_by_key(snapshot: AccountSnapshot) -> dict[str, list[ColdStorageRow]]:
    keys = {user_key(u.user_id, u.user_uid, u.username) for u in snapshot.users}
    uid_to_key = {u.user_uid: user_key(u.user_id, u.user_uid, u.username)
                  for u in snapshot.users if u.user_uid}
    out: dict[str, list[ColdStorageRow]] = {}
    for row in snapshot.cold_storage:
        key = user_key(row.source_user_id, row.source_user_uid, row.source_user_name)
        if key not in keys and row.source_user_uid in uid_to_key:
            key = uid_to_key[row.source_user_uid]
        out.setdefault(key, []).append(row)
    return out


def _tier(snapshot: AccountSnapshot, policy: Policy) -> list[Finding]:
    prices = policy.prices
    n = len(snapshot_billed_users(snapshot, policy.billing))
    threshold, margin = prices.tier_threshold, policy.checks.tier_risk_margin
    top = snapshot.top_org
    name, org_id = (top.org_name, top.org_id) if top else ("", None)
    if n >= threshold:
        lose = n - threshold + 1
        if lose > margin:
            return []
        more = monthly_total(threshold - 1, prices) - monthly_total(n, prices)
        return [Finding(
            "tier.falling", Severity.WARNING, name, f"{n} billed users",
            f"The account has {n} billed users; losing {lose} would drop it below {threshold} "
            f"and raise the bill by {format_money(more, prices)} a month from the next cycle.",
            org_id=org_id,
        )]
    need = threshold - n
    if need > margin:
        return []
    saving = monthly_total(n, prices) - monthly_total(threshold, prices)
    effect = (f"and pay {format_money(saving, prices)} less each month" if saving > 0
              else f"at {format_money(-saving, prices)} more a month")
    return [Finding(
        "tier.near", Severity.INFO, name, f"{n} billed users",
        f"The account is {need} user{'s' if need != 1 else ''} from the {threshold}-user tier: "
        f"add {need} {effect} from the next cycle.",
        org_id=org_id,
    )]


def _compliance(policy: Policy, tree: OrgTree) -> list[Finding]:
    partner = tree.top.org_name if tree.top else "our account"
    out = []
    for name, customer in policy.customers.items():
        org = tree.find_by_name(name)
        if org is None:
            out.append(Finding(
                "config.unknown_customer", Severity.INFO, name, name,
                f"config.toml has settings for customer {name!r}, but no customer org has "
                "that name.",
            ))
        if customer.hipaa_required and not customer.baa_on_file:
            out.append(Finding(
                "compliance.baa_missing", Severity.CRITICAL, name, name,
                f"Customer {name!r} needs HIPAA compliance but no BAA is on file. Request one "
                f"from {MSP_BILLING_EMAIL}, then set baa_on_file = true:\n\n"
                + draft_baa_request(name, partner),
                org_id=org.org_id if org else None,
            ))
    return out
