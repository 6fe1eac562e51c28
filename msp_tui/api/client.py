"""Provides the core of the async Code42 client: auth, retries, read-only guard, paging.

One `httpx.AsyncClient` (one connection pool) per client. The typed calls live in the
`orgs`, `users` and `devices` mixins; `Code42Client` in `msp_tui.api` puts them together.
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Hashable, Mapping, Protocol, TypeVar

import httpx

from msp_tui import __version__
from msp_tui.api import envelope, errors
from msp_tui.api.audit import AuditEvent, AuditSink, redact
from msp_tui.api.auth import Credentials, fetch_token
from msp_tui.api.retry import RETRYABLE_STATUSES, RetryPolicy
from msp_tui.models.base import gc_paused

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 500
USER_AGENT = f"msp-tui/{__version__} httpx/{httpx.__version__}"
_NON_MUTATING_POSTS = ("/api/v3/oauth/token",)

Params = Mapping[str, Any]
T = TypeVar("T")
T_page = TypeVar("T_page")


class CoreClient:
    """Talks HTTP to one Code42 console for one partner account."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        verify: bool | str = True,
        read_only: bool = False,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_concurrency: int = 4,
        retry: RetryPolicy | None = None,
        audit: AuditSink | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
        self.base_url = normalise_base_url(base_url)
        self.read_only = read_only
        self.page_size = page_size
        self.max_concurrency = max(1, max_concurrency)
        self.retry = retry or RetryPolicy()
        self._rng = random.Random(self.retry.seed)
        self._credentials = credentials
        self._audit = audit
        self._sleep = sleep
        self._token: str | None = None
        self._token_generation = 0
        """Counts token fetches, so concurrent 401s for one token renew it only once."""
        self._token_lock = asyncio.Lock()
        self._deadline = 2 * timeout
        """No attempt lasts longer than this, even when the server trickles bytes or the
        transport ignores httpx timeouts (the in-process ASGI demo transport does)."""
        self._page_slots: asyncio.Semaphore | None = None
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            verify=verify,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=httpx.Limits(max_connections=max(8, self.max_concurrency * 2)),
        )

    async def __aenter__(self) -> CoreClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the connection pool."""
        await self._http.aclose()

    async def sign_in(self) -> None:
        """Fetches a token now, so bad credentials show up before any other call."""
        await self._renew_token(None)

    # -- requests ---------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
    ) -> Any:
        """Sends one request and returns the unwrapped payload.

        Reads are retried on transient failures; mutating requests only when the server
        provably did not act on them. A 401 renews the token once and retries once.
        """
        method = method.upper()
        mutating = method != "GET" and path not in _NON_MUTATING_POSTS
        response = await self._exchange(method, path, params, json, mutating)
        try:
            payload = envelope.unwrap(response)
        except errors.ResponseFormatError as exc:
            if not mutating:
                # A garbled read (a proxy cutting the body short) is worth one more try.
                response = await self._exchange(method, path, params, json, mutating)
                return envelope.unwrap(response)
            # The server accepted the change, but what it answered cannot be read.
            self._record(method, path, "unknown", response.status_code, str(exc), json)
            raise errors.UnknownOutcomeError(
                f"{method} {path} was accepted (HTTP {response.status_code}) but the answer "
                "could not be read; check the server before trying again.",
                status=response.status_code, method=method, path=path,
            ) from exc
        if mutating:
            self._record(method, path, "ok", response.status_code, "", json)
        return payload

    async def _exchange(
        self, method: str, path: str, params: Params | None, json: Any, mutating: bool
    ) -> httpx.Response:
        """Sends one request (with retries and token renewal); returns a successful response."""
        if mutating and self.read_only:
            self._record(method, path, "refused", None, "read-only session", json)
            raise errors.ReadOnlyError(
                f"Read-only session: {method} {path} was not sent.", method=method, path=path
            )
        query = _encode_params(params)
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            try:
                response, generation = await self._send(method, path, query, json)
            except httpx.TransportError as exc:
                lost_answer = mutating and not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                if lost_answer:
                    self._record(method, path, "unknown", None, _transport_message(exc), json)
                    raise errors.UnknownOutcomeError(
                        f"{method} {path} was sent but no answer came back "
                        f"({_transport_message(exc)}); check the server before trying again.",
                        method=method,
                        path=path,
                    ) from exc
                if attempt < self.retry.max_attempts:
                    await self._sleep(self.retry.delay(attempt, None, self._rng))
                    continue
                raise errors.TransportError(
                    f"Cannot reach {self.base_url}: {_transport_message(exc)}.",
                    method=method,
                    path=path,
                ) from exc
            if response.status_code == 401 and not renewed:
                renewed = True
                await self._renew_token(generation)
                continue
            status = response.status_code
            # Reads are safe to repeat on any server failure (Code42's validation 500s only
            # answer writes); a write only when the server refused it unprocessed (429).
            retryable = status == 429 or (
                not mutating and (status in RETRYABLE_STATUSES or status >= 500)
            )
            if retryable and attempt < self.retry.max_attempts:
                wait = self.retry.delay(attempt, envelope.retry_after_seconds(response), self._rng)
                await self._sleep(wait)
                continue
            if response.is_error:
                error = envelope.error_for(response)
                if mutating and isinstance(error, errors.ServerError) and response.status_code != 503:
                    # A 5xx that is not a validation refusal (a gateway's 502/504, a crash
                    # half-way) does not say whether the change was made; a 503 refuses
                    # the request unprocessed.
                    error = errors.UnknownOutcomeError(
                        f"{method} {path} failed on the server ({error}); it may or may not "
                        "have happened: check the server before trying again.",
                        status=response.status_code, method=method, path=path,
                    )
                if mutating:
                    outcome = "unknown" if isinstance(error, errors.UnknownOutcomeError) else "error"
                    self._record(method, path, outcome, response.status_code, str(error), json)
                raise error
            return response

    async def _send(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> tuple[httpx.Response, int]:
        """Sends once; returns the response and the generation of the token it carried."""
        token = self._token or await self._renew_token(None)
        generation = self._token_generation
        headers = {"Authorization": f"Bearer {token}"}
        response = await self._within_deadline(
            self._http.request(method, path, params=query, json=body, headers=headers)
        )
        return response, generation

    async def _within_deadline(self, call: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(call, self._deadline)
        except asyncio.TimeoutError as exc:
            raise httpx.ReadTimeout(f"no complete answer within {self._deadline:g} s") from exc

    async def _renew_token(self, stale: int | None) -> str:
        """Fetches a new token, unless one newer than generation `stale` exists already
        (`stale=None`: any token will do)."""
        async with self._token_lock:
            # Another task may have renewed it while we waited for the lock.
            if self._token is not None and (stale is None or self._token_generation != stale):
                return self._token
            attempt = 0
            while True:
                attempt += 1
                try:
                    self._token = await self._within_deadline(fetch_token(self._http, self._credentials))
                    self._token_generation += 1
                    return self._token
                except httpx.TransportError as exc:
                    if attempt >= self.retry.max_attempts:
                        raise errors.TransportError(
                            f"Cannot reach {self.base_url}: {_transport_message(exc)}."
                        ) from exc
                    wait = self.retry.delay(attempt, None, self._rng)
                except (errors.RateLimitedError, errors.ServerError) as exc:
                    # Signing in changes nothing: transient refusals are retried like reads.
                    if exc.status not in RETRYABLE_STATUSES or attempt >= self.retry.max_attempts:
                        raise
                    wait = self.retry.delay(attempt, getattr(exc, "retry_after", None), self._rng)
                await self._sleep(wait)

    def _record(
        self, method: str, path: str, outcome: str, status: int | None, detail: str, body: Any
    ) -> None:
        if self._audit is None:
            return
        event = AuditEvent(
            at=datetime.now(timezone.utc),
            method=method,
            path=path,
            outcome=outcome,
            status=status,
            detail=detail,
            body=redact(body) if isinstance(body, dict) else None,
        )
        self._audit(event)

    # -- paging -----------------------------------------------------------------------------

    async def get_all(self, path: str, key: str, params: Params | None = None) -> list[dict[str, Any]]:
        """Returns every item of a paged v1 list resource, as dicts.

        The first page tells `totalCount`; the remaining pages are fetched concurrently
        (at most `max_concurrency` page requests in flight per client). A short page ends
        the walk even when `totalCount` said otherwise, and if the count was too low the
        walk goes on page by page until a short page.
        """

        async def page(num: int) -> tuple[list[dict[str, Any]], int | None]:
            return self._items_of(await self._get_page(path, params, num), path, key, num)

        return await self._walk(_once_more_if_garbled(page), _dict_identity, path)

    async def get_all_parsed(
        self, path: str, key: str, params: Params | None, parser: PageParser[T]
    ) -> list[T]:
        """Like `get_all`, but every page is parsed into models as soon as it arrives.

        `parser.from_json` parses the raw page body in one pass (pydantic's JSON parser,
        no intermediate dicts); a body it cannot take (another envelope shape, an odd item)
        goes through `parser.from_items` on the decoded items instead, which reports
        malformed records exactly as parsing dicts does.
        """

        async def page(num: int) -> tuple[list[T], int | None]:
            response = await self._get_page(path, params, num)
            fast = parser.from_json(response.content) if response.content else None
            if fast is not None:
                return fast
            items, total = self._items_of(response, path, key, num)
            return parser.from_items(items), total

        with gc_paused():
            return await self._walk(_once_more_if_garbled(page), parser.identity, path)

    async def _walk(
        self,
        fetch: Callable[[int], Awaitable[tuple[list[T], int | None]]],
        identity: Callable[[T], Hashable | None],
        path: str,
    ) -> list[T]:
        """Walks every page; repeated items are dropped, and a walk whose distinct items do
        not match `totalCount` (a page shifted, an item skipped) is done once more, then
        refused: partial data is never returned as if complete."""
        for _ in range(2):
            items, totals = await self._walk_once(fetch, identity)
            if not totals or totals == {len(items)}:
                return items
        counts = "/".join(str(t) for t in sorted(totals))
        raise errors.ResponseFormatError(
            f"GET {path}: the server's paging was inconsistent ({len(items)} distinct items, "
            f"totalCount {counts}) twice in a row; try again.",
            method="GET", path=path,
        )

    async def _walk_once(
        self,
        fetch: Callable[[int], Awaitable[tuple[list[T], int | None]]],
        identity: Callable[[T], Hashable | None],
    ) -> tuple[list[T], set[int]]:
        """One walk: (distinct items, the totalCounts the pages reported)."""
        size = self.page_size
        items, total = await fetch(1)
        totals = {total}
        if len(items) >= size:
            pages = max(1, -(-total // size)) if total is not None else 1
            results = await asyncio.gather(*(fetch(n) for n in range(2, pages + 1)))
            done = False
            for page, page_total in results:
                items.extend(page)
                totals.add(page_total)
                if len(page) < size:
                    done = True
                    break
            num = pages
            while not done:
                num += 1
                page, page_total = await fetch(num)
                items.extend(page)
                totals.add(page_total)
                done = len(page) < size
        totals.discard(None)
        return _dedupe(items, identity), {t for t in totals if t is not None}

    async def _get_page(self, path: str, params: Params | None, num: int) -> httpx.Response:
        """Fetches one page (bounded by the client-wide page semaphore)."""
        if self._page_slots is None:
            self._page_slots = asyncio.Semaphore(self.max_concurrency)
        query = {**(params or {}), "pgNum": num, "pgSize": self.page_size}
        async with self._page_slots:
            return await self._exchange("GET", path, query, None, False)

    @staticmethod
    def _items_of(
        response: httpx.Response, path: str, key: str, num: int
    ) -> tuple[list[dict[str, Any]], int | None]:
        payload = envelope.unwrap(response)
        if not isinstance(payload, dict) or not isinstance(payload.get(key), list):
            raise errors.ResponseFormatError(
                f"GET {path} page {num}: expected a list under {key!r}.", path=path
            )
        total = payload.get("totalCount")
        items = [item for item in payload[key] if isinstance(item, dict)]
        return items, total if isinstance(total, int) else None


def _once_more_if_garbled(
    fetch: Callable[[int], Awaitable[tuple[list[T], int | None]]],
) -> Callable[[int], Awaitable[tuple[list[T], int | None]]]:
    """Fetches a page again, once, when its body could not be read (a proxy cut it short)."""

    async def fetch_page(num: int) -> tuple[list[T], int | None]:
        try:
            return await fetch(num)
        except errors.ResponseFormatError:
            return await fetch(num)

    return fetch_page


class PageParser(Protocol[T_page]):
    """Turns pages of one list resource into models (see `CoreClient.get_all_parsed`)."""

    def from_json(self, body: bytes) -> tuple[list[T_page], int | None] | None:
        """Parses an enveloped page body into (items, totalCount); None when it does not fit."""
        ...

    def from_items(self, items: list[dict[str, Any]]) -> list[T_page]:
        """Parses decoded items (raising ResponseFormatError on a malformed one)."""
        ...

    def identity(self, item: Any) -> Hashable | None:
        """The key that identifies an item across pages (for dropping repeats)."""
        ...


def normalise_base_url(url: str) -> str:
    """Adds https:// when the scheme is missing (as py42 does) and drops a trailing slash."""
    url = url.strip()
    if "://" not in url:
        url = f"https://{url}"
    return url.rstrip("/")


def _encode_params(params: Params | None) -> dict[str, str]:
    encoded: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        encoded[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return encoded


_ID_KEYS = ("archiveGuid", "computerId", "userId", "orgId")


def _dict_identity(item: dict[str, Any]) -> Hashable | None:
    return next(((k, item[k]) for k in _ID_KEYS if k in item), None)


def _dedupe(items: list[T], identity: Callable[[T], Hashable | None]) -> list[T]:
    """Drops repeated items (a page that shifted under us), keeping the first."""
    seen: set[Hashable] = set()
    unique = []
    for item in items:
        ident = identity(item)
        if ident is not None:
            if ident in seen:
                continue
            seen.add(ident)
        unique.append(item)
    return unique


def _transport_message(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "the request timed out"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or host unreachable"
    return str(exc) or type(exc).__name__
