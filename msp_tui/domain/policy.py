"""Provides the billing and check policy: price book, billing cycle, thresholds, customers.

These are pydantic models with a default and a docstring for every setting, so the config
layer can embed them as `config.toml` sections (`[pricing]`, `[billing]`, `[checks]`,
`[customers."Acme Dental"]`) and a user can change prices without touching code. Money is
`Decimal`; a TOML float such as `9.99` is read through its decimal text, never as a binary float.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Settings(BaseModel):
    """Base for policy sections: unknown keys are errors, so typos in config.toml surface."""

    # No use_attribute_docstrings: it reads and parses this file at import (~45 ms of every
    # launch); the attribute docstrings are for readers (tests check each setting has one).
    model_config = ConfigDict(extra="forbid", frozen=True)


class PriceBook(_Settings):
    """Prices of the Code42 MSP program (defaults from the program FAQ)."""

    base_rate: Decimal = Field(default=Decimal("9.99"), ge=0)
    """Price per billed user per month below the tier threshold."""
    tier_rate: Decimal = Field(default=Decimal("7.49"), ge=0)
    """Price per billed user per month for the whole account at or above the threshold."""
    tier_threshold: int = Field(default=51, ge=1)
    """Billed users at which the whole account moves to `tier_rate` (from the next cycle)."""
    max_devices_per_user: int = Field(default=4, ge=1)
    """Devices a user may have backing up; more is a finding."""
    currency: str = "USD"
    """ISO 4217 code of the invoice currency (display only)."""
    currency_symbol: str = "$"
    """Symbol printed before amounts (display only)."""


class BillingSettings(_Settings):
    """How the partner account is billed."""

    billing_day: int = Field(default=1, ge=1, le=31)
    """Day of the month a billing cycle starts; clamped to the month's last day (31 → Feb 28/29)."""
    count_cold_storage_users: bool = True
    """Whether deactivated users whose archives sit in cold storage are billed.

    Default True. Code42's licensing docs say a user whose archive is in cold storage "still
    consumes a user subscription" until the archive is purged (the subscription is freed by the
    daily accounting job). The program FAQ does not say whether the MSP invoice counts them, so the
    default takes the vendor's documented behaviour and errs on the side of the larger bill: a
    projection that is too high costs the partner a pleasant surprise, one that is too low costs
    money and a wrong tier-risk warning. Switch it off once msp-billing confirms otherwise.
    """


class CheckSettings(_Settings):
    """Thresholds of the health and best-practice checks."""

    warning_days: int = Field(default=3, ge=0)
    """Days without a completed backup after which a device is in warning."""
    critical_days: int = Field(default=7, ge=0)
    """Days without a completed backup after which a device is critical."""
    not_connected_days: int = Field(default=14, ge=0)
    """Days without contact with the server after which a device is reported as not connected."""
    tier_risk_margin: int = Field(default=3, ge=0)
    """Report when the account is within this many users of falling below, or reaching, the tier."""
    us_destination_names: tuple[str, ...] = ()
    """Extra destination names to accept as US storage, besides the known Code42 US clouds."""

    @model_validator(mode="after")
    def _critical_after_warning(self) -> CheckSettings:
        if self.critical_days < self.warning_days:
            raise ValueError("critical_days must be at least warning_days")
        return self


class CustomerPolicy(_Settings):
    """Per-customer notes, keyed in `Policy.customers` by the customer org's name."""

    resale_price_per_user: Decimal | None = Field(default=None, ge=0)
    """Price per user per month the MSP charges this customer; None uses the default."""
    hipaa_required: bool = False
    """The customer handles health data and needs a Business Associate Agreement."""
    baa_on_file: bool = False
    """A BAA with Code42 is on record for this customer."""
    note: str = ""
    """Free text shown with the customer (contract number, contact)."""


class Policy(_Settings):
    """Everything the billing engine and the checks need besides the account snapshot."""

    prices: PriceBook = Field(default_factory=PriceBook)
    """The price book."""
    billing: BillingSettings = Field(default_factory=BillingSettings)
    """Billing cycle and who is billed."""
    checks: CheckSettings = Field(default_factory=CheckSettings)
    """Check thresholds."""
    default_resale_price: Decimal | None = Field(default=None, ge=0)
    """Resale price per user per month for customers without their own; None shows no margin."""
    customers: dict[str, CustomerPolicy] = Field(default_factory=dict)
    """Customer policies by customer org name."""

    def customer(self, org_name: str) -> CustomerPolicy:
        """Returns the policy of the customer named `org_name`, or the defaults."""
        return self.customers.get(org_name) or _DEFAULT_CUSTOMER

    def resale_price(self, org_name: str) -> Decimal | None:
        """Returns the resale price per user for `org_name` (its own, else the default)."""
        own = self.customer(org_name).resale_price_per_user
        return own if own is not None else self.default_resale_price


_DEFAULT_CUSTOMER = CustomerPolicy()
