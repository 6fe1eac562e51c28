"""Provides the audit event the client reports for every mutating request.

The client knows nothing about where events are stored; the state layer records them.
Request bodies are summarised with secrets masked, so the audit log can never leak them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

SECRET_KEYS = ("password", "secret", "token", "totp")


@dataclass(frozen=True)
class AuditEvent:
    """One mutating request, and what became of it."""

    at: datetime
    method: str
    path: str
    outcome: str
    """"ok", "error", "refused" (read-only) or "unknown" (answer lost)."""
    status: int | None = None
    detail: str = ""
    body: dict[str, Any] | None = None


AuditSink = Callable[[AuditEvent], None]


def redact(body: Any) -> Any:
    """Returns a copy of a JSON body with every secret-looking value masked."""
    if isinstance(body, dict):
        return {
            key: "***" if any(s in key.lower() for s in SECRET_KEYS) else redact(value)
            for key, value in body.items()
        }
    if isinstance(body, list):
        return [redact(item) for item in body]
    return body
