"""Provides the fixed demo partner accounts of the embedded demo authority."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAccount:
    """One demo partner account (a tenant) with its console login and API client."""

    name: str
    username: str
    password: str
    client_id: str
    client_secret: str
    top_org_name: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        name="Northwind MSP",
        username="admin@northwind-msp.example",
        password="northwind-demo",
        client_id="key-northwind-demo",
        client_secret="northwind-secret",
        top_org_name="Northwind MSP",
    ),
    DemoAccount(
        name="Harbor IT Services",
        username="admin@harbor-it.example",
        password="harbor-demo",
        client_id="key-harbor-demo",
        client_secret="harbor-secret",
        top_org_name="Harbor IT Services",
    ),
)

DEMO_TOTP_CODE = "424242"
"""The only TOTP code the demo accepts for LOCAL_2FA logins."""

TENANT_KEYS: tuple[str, ...] = ("northwind", "harbor")
"""Internal tenant key of each entry of DEMO_ACCOUNTS, in the same order."""


@dataclass(frozen=True)
class DemoLogin:
    """A console login: which tenant it belongs to and how it signs in."""

    tenant: str
    username: str
    password: str
    login_type: str
    first_name: str
    last_name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("northwind", DEMO_ACCOUNTS[0].username, DEMO_ACCOUNTS[0].password, "LOCAL", "Nadia", "Okafor"),
    DemoLogin("northwind", "tech@northwind-msp.example", "northwind-tech", "LOCAL_2FA", "Theo", "Brandt"),
    DemoLogin("harbor", DEMO_ACCOUNTS[1].username, DEMO_ACCOUNTS[1].password, "LOCAL", "Hana", "Reyes"),
)


def account_for_tenant(tenant: str) -> DemoAccount:
    """Returns the DemoAccount of an internal tenant key."""
    return DEMO_ACCOUNTS[TENANT_KEYS.index(tenant)]


def login_for(username: str) -> DemoLogin | None:
    """Returns the console login with this username (case-insensitive), or None."""
    wanted = username.strip().lower()
    for login in DEMO_LOGINS:
        if login.username == wanted:
            return login
    return None


def tenant_for_client(client_id: str, secret: str) -> str | None:
    """Returns the tenant key of an API client id and secret, or None if they do not match."""
    for key, account in zip(TENANT_KEYS, DEMO_ACCOUNTS):
        if account.client_id == client_id and account.client_secret == secret:
            return key
    return None
