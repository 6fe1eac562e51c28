"""Provides msp-tui's settings: config.toml, parsed into pydantic models with defaults.

config.toml holds no secret: passwords and client secrets come from the environment, a
prompt, or the 0600 secrets file (see `msp_tui.secrets`). A corrupt config is moved aside
(never deleted) and reported with a clear message.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from decimal import Decimal
from typing import Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from msp_tui import paths
from msp_tui.files import keep_aside
from msp_tui.domain.policy import BillingSettings, CheckSettings, CustomerPolicy, PriceBook, Policy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
DEMO_URL = "demo://embedded"
"""The URL of a profile served by the in-process demo authority."""


class ConfigError(Exception):
    """config.toml cannot be read or holds invalid values; the message says which and where."""


class Profile(BaseModel):
    """One partner account: where its console is and how to sign in."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    """Profile name (the key in [profiles.NAME])."""
    url: str
    """Console URL, e.g. https://console.us1.crashplan.com, or demo://embedded."""
    auth: Literal["local", "api-client"] = "local"
    """"local" (username/password, optional TOTP) or "api-client" (client id/secret)."""
    username: str = ""
    """Console username (local) or client id (api-client)."""
    read_only: bool = False
    """Refuse every mutating call for this account."""
    verify_tls: bool = True
    """Verify the server's TLS certificate; turn off only for a lab server."""
    ca_bundle: str | None = None
    """Path of a PEM bundle of extra CA certificates."""
    color: str | None = None
    """Accent for this account in the header (a theme variable name such as "error")."""

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if value and not PROFILE_NAME.match(value):
            raise ValueError("profile names are 1-40 letters, digits, '-', '_' or '.'")
        return value

    @property
    def is_demo(self) -> bool:
        """True when this profile talks to the embedded demo authority."""
        return self.url.startswith("demo://")


class AppSettings(BaseModel):
    """General behaviour of the app."""

    model_config = ConfigDict(extra="forbid")

    theme: str = "textual-dark"
    """Textual theme: textual-dark, textual-light, ansi-dark (fewest bytes over SSH), ..."""
    default_profile: str | None = None
    """Profile opened when none is named."""
    refresh_interval_seconds: int = Field(default=0, ge=0)
    """Background refresh period; 0 turns periodic refresh off."""
    page_size: int = Field(default=500, ge=1, le=1000)
    """Items per page when listing (the API accepts up to 1000)."""
    max_concurrency: int = Field(default=4, ge=1, le=16)
    """Pages fetched at once after the first."""
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    """Per-request timeout."""
    read_only: bool = False
    """Start every session read-only."""
    rename_suffix: str = "_deactivated_{date}"
    """Inserted before the @ of a deactivated user's username/email to free it for reuse."""


class Settings(BaseModel):
    """Everything in config.toml."""

    model_config = ConfigDict(extra="forbid")

    app: AppSettings = Field(default_factory=AppSettings)
    profiles: dict[str, Profile] = Field(default_factory=dict)
    pricing: PriceBook = Field(default_factory=PriceBook)
    """Price book ([pricing]): rates, tier threshold, device cap, currency display."""
    billing: BillingSettings = Field(default_factory=BillingSettings)
    """Billing cycle ([billing]): billing day, whether cold-storage users are billed."""
    checks: CheckSettings = Field(default_factory=CheckSettings)
    """Check thresholds ([checks]): warning/critical days, tier risk margin."""
    customers: dict[str, CustomerPolicy] = Field(default_factory=dict)
    """Per-customer policy by org name ([customers."Name"]): resale price, HIPAA, BAA."""
    default_resale_price: Decimal | None = Field(default=None, ge=0)
    """Resale price per user per month used for margins when a customer has none."""

    def policy(self) -> Policy:
        """Returns the billing and check policy the domain layer works with."""
        return Policy(
            prices=self.pricing,
            billing=self.billing,
            checks=self.checks,
            default_resale_price=self.default_resale_price,
            customers=self.customers,
        )

    def profile(self, name: str) -> Profile:
        """Returns the named profile or raises ConfigError listing the known ones."""
        if name in self.profiles:
            return self.profiles[name]
        known = ", ".join(sorted(self.profiles)) or "none configured"
        raise ConfigError(f"Unknown profile {name!r} (known: {known}).")


def load_settings(path: Path | None = None) -> Settings:
    """Reads config.toml (a missing file gives the defaults).

    Raises:
        ConfigError: the file is not valid TOML (it is moved aside as
            config.toml.corrupt-<n>, so nothing is lost) or holds invalid settings.
    """
    path = path or paths.config_file()
    if not path.exists():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        for name, profile in raw.get("profiles", {}).items():
            if isinstance(profile, dict):
                profile.setdefault("name", name)
        return Settings.model_validate(raw)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        kept = keep_aside(path)
        raise ConfigError(
            f"{path} is not valid TOML ({exc}). It was moved to {kept}; "
            "msp-tui starts with default settings until you fix or replace it."
        ) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: {where}: {first['msg']}.") from exc


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Writes config.toml atomically (temp file + rename), 0600 like any user config."""
    path = path or paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = settings.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    for profile in data.get("profiles", {}).values():
        profile.pop("name", None)
    tmp = path.with_suffix(".toml.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        tomli_w.dump(data, handle)
    os.replace(tmp, path)
    return path
