"""Provides parsing of Code42 response envelopes and error bodies.

Success bodies are `{"metadata": .., "data": ..}` or bare JSON; error bodies are a JSON list
of `{"name", "description"}`, `{"data": [...]}` or `{"body": "NAME"}`, sometimes served as
text/html. Both shapes are handled here so the client stays small.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from msp_tui.api import errors

_STATUS_ERRORS: dict[int, type[errors.ApiError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.ForbiddenError,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    429: errors.RateLimitedError,
}


def unwrap(response: httpx.Response) -> Any:
    """Returns the payload of a successful response (`data` when enveloped, else the body)."""
    if not response.content:
        return None
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise errors.ResponseFormatError(
            f"The server sent a response that is not JSON ({_describe(response)}).",
            status=response.status_code,
            method=response.request.method,
            path=response.request.url.path,
        ) from exc
    if isinstance(body, dict) and "data" in body:
        return body["data"]
    return body


def error_items(response: httpx.Response) -> list[dict[str, str]]:
    """Extracts `{"name", "description"}` items from any of Code42's error body shapes."""
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return []
    if isinstance(body, dict):
        if isinstance(body.get("data"), list):
            body = body["data"]
        elif isinstance(body.get("body"), str):
            return [{"name": body["body"], "description": ""}]
        elif "name" in body:
            body = [body]
    if not isinstance(body, list):
        return []
    items = []
    for item in body:
        if isinstance(item, dict):
            items.append(
                {
                    "name": str(item.get("name") or ""),
                    "description": str(item.get("description") or ""),
                }
            )
    return items


def error_for(response: httpx.Response) -> errors.ApiError:
    """Builds the typed exception for a failed response."""
    status = response.status_code
    method = response.request.method
    path = response.request.url.path
    items = error_items(response)
    name = next((i["name"] for i in items if i["name"] and i["name"] != "SYSTEM"), None)
    description = next((i["description"] for i in items if i["description"]), "")
    if name is None and not items:
        # Old servers put the name in plain text; py42 looks for substrings too.
        text = response.text[:2000]
        name = next((n for n in errors.VALIDATION_ERROR_NAMES if n in text), None)
    kwargs: dict[str, Any] = {"status": status, "error_name": name, "method": method, "path": path}
    if name in errors.VALIDATION_ERROR_NAMES:
        detail = errors.FRIENDLY_NAMES.get(name, description or name)
        return errors.BadRequestError(f"Refused by the server: {detail} ({name}).", **kwargs)
    summary = description or name or _describe(response)
    if status == 429:
        return errors.RateLimitedError(
            f"The server is rate limiting requests (HTTP 429): {summary}.",
            retry_after=retry_after_seconds(response),
            **kwargs,
        )
    if "unable to find" in summary.lower() or "was not found" in summary.lower():
        return errors.NotFoundError(f"Not found: {summary} (HTTP {status}).", **kwargs)
    cls = _STATUS_ERRORS.get(status, errors.ServerError if status >= 500 else errors.ApiError)
    return cls(f"HTTP {status} from {method} {path}: {summary}.", **kwargs)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Returns the Retry-After delay in seconds when the header is a number."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _describe(response: httpx.Response) -> str:
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    return f"HTTP {response.status_code}, {kind}, {len(response.content)} bytes"
