"""Provides the exceptions the API client raises.

Every failure a caller can meet is an `ApiError` with a message fit to show a person as one
line; HTTP failures also carry the status and the Code42 error name (e.g. USER_DUPLICATE).
"""

from __future__ import annotations


class ApiError(Exception):
    """A request to the Code42 API did not succeed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_name: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_name = error_name
        self.method = method
        self.path = path

    def __str__(self) -> str:
        return self.message


class AuthenticationError(ApiError):
    """Credentials were refused (401), or the token could not be renewed."""


class TotpRequiredError(AuthenticationError):
    """The account uses two-factor sign-in (LOCAL_2FA) and a TOTP code is needed or was wrong."""


class ForbiddenError(ApiError):
    """The account is not allowed to do this (403)."""


class NotFoundError(ApiError):
    """The resource does not exist (404, or Code42's 'Unable to find ...' 400s)."""


class BadRequestError(ApiError):
    """The server rejected the request as invalid (400, or a 500 carrying a validation name)."""


class ConflictError(ApiError):
    """The request conflicts with the current state (409)."""


class RateLimitedError(ApiError):
    """The server asked us to slow down (429) and retries ran out."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(ApiError):
    """The server failed (5xx) without a recognisable validation error."""


class TransportError(ApiError):
    """The server could not be reached or did not answer in time."""


class UnknownOutcomeError(TransportError):
    """A mutating request was sent but no answer came back: it may or may not have happened.

    It is never retried blindly; the caller must check the server's state first.
    """


class ResponseFormatError(ApiError):
    """The server answered with something that is not the expected JSON shape."""


class ReadOnlyError(ApiError):
    """A mutating request was refused by the client because the session is read-only."""


VALIDATION_ERROR_NAMES = frozenset(
    {
        "USER_DUPLICATE",
        "USERNAME_NOT_AN_EMAIL",
        "EMAIL_INVALID",
        "NEW_PASSWORD_INVALID",
        "INVALID_USERNAME",
        "ACTIVE_LEGAL_HOLD",
    }
)
"""Code42 error names that mean "your input was refused", whatever the status (often 500)."""

FRIENDLY_NAMES = {
    "USER_DUPLICATE": "a user with this username or email already exists",
    "USERNAME_NOT_AN_EMAIL": "the username must be an email address",
    "EMAIL_INVALID": "the email address is not valid",
    "NEW_PASSWORD_INVALID": "the password does not meet the server's rules",
    "INVALID_USERNAME": "the username is not valid",
    "ACTIVE_LEGAL_HOLD": "the user or device is under an active legal hold",
}
"""One-line explanations for Code42 error names."""
