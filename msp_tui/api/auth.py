"""Provides the credentials the client signs in with and the token fetches for each kind.

Local accounts get a JWT from `GET /api/v3/auth/jwt?useBody=True` (Basic auth, optional
`totp-auth`); API clients get an OAuth token from `POST /api/v3/oauth/token`. Either way
later requests carry `Authorization: Bearer <token>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Union

import httpx

from msp_tui.api import envelope, errors
from msp_tui.logs import register_secret

TotpSource = Union[str, Callable[[], str], None]


@dataclass(frozen=True)
class LocalAccount:
    """A console user signing in with username and password (and TOTP for LOCAL_2FA)."""

    username: str
    password: str = field(repr=False)
    totp: TotpSource = field(default=None, repr=False)
    """A TOTP code, or a function that asks for one when the server needs it."""


@dataclass(frozen=True)
class ApiClientCredentials:
    """An API client (client id + secret) using the OAuth client-credentials grant."""

    client_id: str
    secret: str = field(repr=False)


Credentials = Union[LocalAccount, ApiClientCredentials]


async def fetch_token(http: httpx.AsyncClient, credentials: Credentials) -> str:
    """Signs in and returns a bearer token.

    Raises:
        TotpRequiredError: the account needs a (correct) TOTP code.
        AuthenticationError: the credentials were refused.
    """
    if isinstance(credentials, ApiClientCredentials):
        register_secret(credentials.secret)
        token = await _oauth_token(http, credentials)
    else:
        register_secret(credentials.password)
        token = await _jwt_token(http, credentials)
    register_secret(token)
    return token


async def _oauth_token(http: httpx.AsyncClient, creds: ApiClientCredentials) -> str:
    response = await http.post(
        "/api/v3/oauth/token",
        params={"grant_type": "client_credentials"},
        auth=httpx.BasicAuth(creds.client_id, creds.secret),
    )
    if response.status_code == 401:
        raise errors.AuthenticationError(
            f"API client {creds.client_id!r} was refused: check the client id and secret.",
            status=401,
        )
    if response.is_error:
        raise envelope.error_for(response)
    token = _find_token(envelope.unwrap(response), "access_token")
    return token


async def _jwt_token(http: httpx.AsyncClient, creds: LocalAccount) -> str:
    headers = {}
    totp = creds.totp() if callable(creds.totp) else creds.totp
    if totp:
        headers["totp-auth"] = totp
    response = await http.get(
        "/api/v3/auth/jwt",
        params={"useBody": "True"},
        headers=headers,
        auth=httpx.BasicAuth(creds.username, creds.password),
    )
    if response.status_code == 401:
        login_type = await _login_type(http, creds.username)
        if login_type == "LOCAL_2FA":
            why = "the TOTP code was refused" if totp else "this account needs a TOTP code"
            raise errors.TotpRequiredError(
                f"Two-factor sign-in for {creds.username}: {why}.", status=401
            )
        if login_type == "CLOUD_SSO":
            raise errors.AuthenticationError(
                f"{creds.username} signs in with SSO, which msp-tui cannot use: "
                "create an API client in the console instead.",
                status=401,
            )
        raise errors.AuthenticationError(
            f"Sign-in refused for {creds.username}: check the username and password.", status=401
        )
    if response.is_error:
        raise envelope.error_for(response)
    return _find_token(envelope.unwrap(response), "v3_user_token")


async def _login_type(http: httpx.AsyncClient, username: str) -> str | None:
    try:
        response = await http.get("/api/v3/LoginConfiguration", params={"username": username})
        payload = envelope.unwrap(response) if response.is_success else None
    except (httpx.HTTPError, errors.ApiError):
        return None
    if isinstance(payload, dict):
        value = payload.get("loginType")
        return str(value) if value else None
    return None


def _find_token(payload: object, key: str) -> str:
    if isinstance(payload, dict) and isinstance(payload.get(key), str) and payload[key]:
        return str(payload[key])
    raise errors.ResponseFormatError(f"The sign-in response has no {key!r}.")
