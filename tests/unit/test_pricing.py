"""Tests the billing arithmetic, money rounding, billed users and the policy settings."""

from __future__ import annotations

import ast
import inspect

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from msp_tui.domain.policy import BillingSettings, CheckSettings, CustomerPolicy, Policy, PriceBook
from msp_tui.domain.pricing import (
    allocate,
    billed_users,
    format_money,
    monthly_total,
    money_str,
    rate_for,
    to_cents,
    total_for,
)
from msp_tui.models import ColdStorageRow, User

PRICES = PriceBook()
ON = BillingSettings(count_cold_storage_users=True)
OFF = BillingSettings(count_cold_storage_users=False)


def user(uid: int, active: bool = True, org: int = 2, **kw: object) -> User:
    return User.model_validate(
        {"userId": uid, "userUid": f"U{uid}", "username": f"u{uid}@x.test", "orgId": org,
         "status": "Active" if active else "Deactivated", **kw}
    )


def cold(uid: int | None, org: int = 2, **kw: object) -> ColdStorageRow:
    return ColdStorageRow.model_validate(
        {"archiveGuid": f"A{uid}-{len(kw)}", "sourceUserId": uid, "orgId": org,
         "archiveHoldExpireDate": "2026-06-01T00:00:00Z", **kw}
    )


@pytest.mark.parametrize(
    ("users", "rate", "total"),
    [
        (0, "9.99", "0.00"),
        (1, "9.99", "9.99"),
        (38, "9.99", "379.62"),
        (39, "9.99", "389.61"),
        (50, "9.99", "499.50"),
        (51, "7.49", "381.99"),
        (52, "7.49", "389.48"),
    ],
)
def test_rate_and_total_to_the_cent(users: int, rate: str, total: str) -> None:
    assert rate_for(users, PRICES) == Decimal(rate)
    assert monthly_total(users, PRICES) == Decimal(total)
    assert str(monthly_total(users, PRICES)) == total


def test_totals_are_decimal_never_float() -> None:
    assert isinstance(monthly_total(39, PRICES), Decimal)
    assert isinstance(PRICES.base_rate, Decimal)


def test_rounding_is_half_up_like_an_invoice() -> None:
    assert to_cents(Decimal("0.005")) == Decimal("0.01")
    assert to_cents(Decimal("2.675")) == Decimal("2.68")
    assert to_cents(Decimal("-2.675")) == Decimal("-2.68")
    assert total_for(3, Decimal("7.495")) == Decimal("22.49")  # 22.485 rounds up


def test_custom_price_book() -> None:
    prices = PriceBook(base_rate=Decimal("12.50"), tier_rate=Decimal("10"), tier_threshold=10)
    assert monthly_total(9, prices) == Decimal("112.50")
    assert monthly_total(10, prices) == Decimal("100.00")


@pytest.mark.parametrize(
    ("amount", "plain", "human"),
    [("381.99", "381.99", "$381.99"), ("-2.37", "-2.37", "-$2.37"),
     ("1234.5", "1234.50", "$1,234.50"), ("0", "0.00", "$0.00"), ("1E+3", "1000.00", "$1,000.00")],
)
def test_money_formatting(amount: str, plain: str, human: str) -> None:
    assert money_str(Decimal(amount)) == plain
    assert format_money(Decimal(amount)) == human


def test_format_money_uses_the_currency_symbol() -> None:
    assert format_money(Decimal("5"), PriceBook(currency="EUR", currency_symbol="€")) == "€5.00"


def test_billed_users_are_active_users() -> None:
    users = [user(1), user(2), user(3, active=False), user(4, blocked=True)]
    keys = {b.user_id for b in billed_users(users, [], OFF)}
    assert keys == {1, 2, 4}  # blocked users are active and billed


def test_cold_storage_switch_on_and_off() -> None:
    users = [user(1), user(2, active=False), user(3, active=False)]
    rows = [cold(2), cold(2, sourceComputerId=9)]  # two archives, one user
    on = billed_users(users, rows, ON)
    off = billed_users(users, rows, OFF)
    assert sorted(b.user_id for b in on) == [1, 2]
    assert [b.user_id for b in off] == [1]
    assert next(b for b in on if b.user_id == 2).cold_storage_only


def test_default_counts_cold_storage_users() -> None:
    assert BillingSettings().count_cold_storage_users is True
    doc = _setting_docs(BillingSettings).get("count_cold_storage_users", "")
    assert "subscription" in doc


def test_user_billed_once_whatever_its_archives() -> None:
    users = [user(1)]
    rows = [cold(1), cold(1, sourceComputerId=2)]  # deactivated devices of an active user
    billed = billed_users(users, rows, ON)
    assert len(billed) == 1 and not billed[0].cold_storage_only


def test_cold_storage_of_unknown_user_still_counts_in_its_org() -> None:
    rows = [cold(77, org=5, sourceUserName="gone@x.test")]
    [b] = billed_users([], rows, ON)
    assert (b.user_id, b.org_id, b.name, b.cold_storage_only) == (77, 5, "gone@x.test", True)


def test_cold_storage_row_with_uid_only_matches_the_user() -> None:
    users = [user(1, active=False, org=3)]
    rows = [ColdStorageRow.model_validate({"sourceUserUid": "U1", "orgId": 9})]
    [b] = billed_users(users, rows, ON)
    assert (b.user_id, b.org_id) == (1, 3)


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        ("10.00", [1, 1, 1], ["3.34", "3.33", "3.33"]),
        ("381.99", [50, 1], ["374.50", "7.49"]),
        ("5.00", [0, 0], ["0.00", "0.00"]),
        ("1.00", [0, 3, 0], ["0.00", "1.00", "0.00"]),
        ("0.02", [1, 1, 1], ["0.01", "0.01", "0.00"]),
        ("-10.00", [1, 1, 1], ["-3.34", "-3.33", "-3.33"]),
    ],
)
def test_allocate_sums_exactly(total: str, weights: list[int], expected: list[str]) -> None:
    parts = allocate(Decimal(total), weights)
    assert [str(p) for p in parts] == expected
    if any(weights):
        assert sum(parts) == Decimal(total)


def test_policy_defaults_match_the_faq() -> None:
    policy = Policy()
    assert policy.prices.base_rate == Decimal("9.99")
    assert policy.prices.tier_rate == Decimal("7.49")
    assert policy.prices.tier_threshold == 51
    assert policy.prices.max_devices_per_user == 4
    assert (policy.prices.currency, policy.prices.currency_symbol) == ("USD", "$")
    assert policy.billing.billing_day == 1
    checks = policy.checks
    assert (checks.warning_days, checks.critical_days, checks.tier_risk_margin) == (3, 7, 3)


def test_policy_reads_toml_floats_as_exact_decimals() -> None:
    policy = Policy.model_validate(
        {"prices": {"base_rate": 9.99, "tier_rate": 7.49}, "default_resale_price": 15.5,
         "customers": {"Acme": {"resale_price_per_user": 12.99, "hipaa_required": True}}}
    )
    assert policy.prices.base_rate == Decimal("9.99")
    assert policy.resale_price("Acme") == Decimal("12.99")
    assert policy.resale_price("Other") == Decimal("15.5")
    assert policy.customer("Acme").hipaa_required
    assert policy.customer("Other") == CustomerPolicy()


@pytest.mark.parametrize(
    "bad",
    [
        {"prices": {"base_rat": 1}},
        {"billing": {"billing_day": 0}},
        {"billing": {"billing_day": 32}},
        {"checks": {"warning_days": 8, "critical_days": 7}},
        {"prices": {"base_rate": -1}},
    ],
)
def test_policy_rejects_bad_settings(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Policy.model_validate(bad)


def _setting_docs(model: type) -> dict[str, str]:
    """The attribute docstrings of a settings class, read from its source."""
    (cls,) = ast.parse(inspect.getsource(model)).body
    assert isinstance(cls, ast.ClassDef)
    docs: dict[str, str] = {}
    for field, doc in zip(cls.body, cls.body[1:]):
        if (isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
                and isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)):
            docs[field.target.id] = str(doc.value.value)
    return docs


def test_every_setting_has_a_docstring() -> None:
    for model in (PriceBook, BillingSettings, CheckSettings, CustomerPolicy, Policy):
        docs = _setting_docs(model)
        for name in model.model_fields:
            assert docs.get(name, "").strip(), f"{model.__name__}.{name}"


def test_cold_storage_row_expiry_is_kept() -> None:
    row = cold(1)
    assert row.archive_hold_expire_date == datetime(2026, 6, 1, tzinfo=timezone.utc)


def test_domain_is_pure() -> None:
    """The billing domain imports no UI, HTTP or clock-reading code."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import msp_tui.domain.reports, msp_tui.domain.checks, msp_tui.domain.whatif\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'httpx')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
