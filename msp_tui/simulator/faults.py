"""Provides fault injection for the demo authority: deterministic, seeded, per request.

A `FaultPlan` is parsed from a SPEC string and handed to `DemoAuthority(..., faults=plan)`
(in-process) or to `msp-tui demo-server --faults SPEC --seed N` (over HTTP). For every
request the authority receives, the plan picks at most one fault (the first rule, in SPEC
order, that applies and fires) and serves it instead of, or on top of, the real answer.
`plan.stats` counts the faults actually injected, by kind.

SPEC grammar (whitespace is ignored; an empty SPEC means no faults)::

    SPEC    := ITEM ("," ITEM)*
    ITEM    := RULE | "only=" METHODS | "path=" TEXT | "seed=" INT
    RULE    := KIND [":" PROB] ("@" OPTION)*
    KIND    := 500 | 503 | 429 | html | slow | drop | truncate | malformed
             | expire-token | repeat-page | skip-page
    PROB    := a number in [0, 1]: the chance per eligible request (default 1)
    OPTION  := requests=N | requests=N-M | requests=N-    (only the Nth..Mth eligible request)
             | only=METHODS       (GET, POST, PUT, DELETE, or "write" for any mutating
                                   method; several joined with "|", e.g. only=POST|PUT)
             | path=TEXT          (case-insensitive substring of the request path)
             | when=before|after  (mutating requests: fail before the change is made, or
                                   make the change and then fail the answer)
             | retry-after=SECS   (429 and 503: the Retry-After header; 429 defaults to 1)
             | seconds=SECS       (slow: the delay before answering; default 40)
             | items=N            (repeat-page / skip-page: how many items; default 1)
             | limit=N            (inject this rule at most N times)

`only=` and `path=` on their own are defaults for every rule that has no filter of its own;
`seed=N` seeds the random draws (`FaultPlan.parse(spec, seed=N)` and `--seed` win over it).
A rule counts its eligible requests itself, so `500@requests=3-5@only=GET` fails the third,
fourth and fifth GET. Demo-only paths (`/api/demo/...`) never get faults.

Kinds:
    500, 503, 429   that status with a Code42-style error list (429/503 with Retry-After).
    html            502 with an HTML "Bad Gateway" page, as a proxy in front would send.
    slow            answers only after `seconds` (past the client's timeout).
    drop            the connection closes without a (complete) answer; in-process the ASGI
                    app raises `DroppedConnection`, an `httpx.RemoteProtocolError`.
    truncate        a 200 whose JSON body is cut in half.
    malformed       a 200 whose body is not JSON.
    expire-token    the bearer token is revoked: 401 now and whenever it is used again.
    repeat-page     a list page (pgNum >= 2) starts with the last `items` of the page before
                    it, as if items were inserted ahead of the window mid-walk.
    skip-page       a list page loses its first `items` (the window moved forward, as if items
                    ahead were deleted); it ends with the first items of the next page.

Mutating requests (anything but GET; the token endpoint changes nothing): a fault is applied
"before" (nothing changes on the server) or "after" (the change is committed, then the answer
fails). Defaults: 500 and html are "before", drop is "after" (the worst case: the change
happened and its answer was lost). 429, 503 and expire-token are always "before" (they mean
the request was refused unprocessed). slow, truncate and malformed always process the request:
they delay or garble its real answer (slow with when=before waits first, then processes, so a
client that gave up may still see the change happen later). GETs do not care.

Examples::

    500:0.1,503:0.05,429:0.05@retry-after=1,slow:0.02@seconds=40,drop:0.02
    500@requests=3-5                  fail requests 3, 4 and 5
    drop@only=POST@when=before,only=GET   (the first rule is POST-only; others GET-only)
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from msp_tui.simulator.http import Request, Response

KINDS = (
    "500", "503", "429", "html", "slow", "drop", "truncate", "malformed",
    "expire-token", "repeat-page", "skip-page",
)
"""Every fault kind a SPEC may name."""

_STATUS_KINDS = {"500", "503", "429", "html", "expire-token"}
_OPTIONS = {"requests", "only", "path", "when", "retry-after", "seconds", "items", "limit"}
_METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "WRITE"}
_NON_MUTATING_POSTS = ("/api/v3/oauth/token",)
_TOKEN_PATHS = ("/api/v3/oauth/token", "/api/v3/auth/jwt")
_HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)

Handler = Callable[[Request], Response]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class FaultSpecError(ValueError):
    """The SPEC string is not valid; the message says where and why."""


class DroppedConnection(httpx.RemoteProtocolError):
    """Raised by the ASGI app for a `drop` fault: the connection ends without an answer.

    In-process, httpx's ASGITransport re-raises it, so the client sees a transport error;
    over uvicorn the connection is closed after the status line (the server hook hides the
    log line uvicorn would print for it).
    """

    def __init__(self) -> None:
        super().__init__("Server disconnected without sending a response (injected fault).")


@dataclass
class FaultRule:
    """One RULE of a SPEC."""

    kind: str
    probability: float = 1.0
    first: int | None = None
    """First eligible request (1-based) of a `requests=` schedule."""
    last: int | None = None
    """Last eligible request of the schedule (None: no end)."""
    methods: frozenset[str] | None = None
    path: str | None = None
    when: str | None = None
    retry_after: float | None = None
    seconds: float = 40.0
    items: int = 1
    limit: int | None = None
    seen: int = 0
    """Eligible requests counted so far."""
    fired: int = 0

    def matches(self, request: Request, mutating: bool) -> bool:
        """Whether the rule's method/path filters admit this request."""
        if self.methods is not None:
            wanted = request.method in self.methods or (mutating and "WRITE" in self.methods)
            if not wanted:
                return False
        return self.path is None or self.path in request.path.lower()

    def phase(self, mutating: bool) -> str:
        """'before' or 'after' the real handler runs."""
        if not mutating:
            return "before" if self.kind in _STATUS_KINDS else "after"
        return self.when or ("before" if self.kind in _STATUS_KINDS else "after")


@dataclass
class FaultPlan:
    """The faults to inject, with their random source and counters.

    Set `enabled = False` to stop injecting (e.g. to watch a client recover).
    """

    rules: list[FaultRule] = field(default_factory=list)
    seed: int | None = None
    spec: str = ""
    enabled: bool = True
    stats: Counter[str] = field(default_factory=Counter)
    """Faults injected so far, by kind."""
    requests: int = 0
    """Requests seen (demo-only paths excluded)."""
    revoked_refusals: int = 0
    """401s answered to a token an expire-token fault revoked earlier (not counted in stats)."""

    def __post_init__(self) -> None:
        if self.seed is None:
            self.seed = random.SystemRandom().randrange(1, 2**31)
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._revoked: set[str] = set()

    # ---- parsing -------------------------------------------------------------------------
    @classmethod
    def parse(cls, spec: str, *, seed: int | None = None) -> FaultPlan:
        """Parses a SPEC (see the module docstring); raises FaultSpecError when invalid."""
        text = "".join((spec or "").split())
        rules: list[FaultRule] = []
        default_methods: frozenset[str] | None = None
        default_path: str | None = None
        spec_seed: int | None = None
        for item in filter(None, text.split(",")):
            if item.startswith("only="):
                default_methods = _methods(item[5:], item)
            elif item.startswith("path="):
                default_path = _path(item[5:], item)
            elif item.startswith("seed="):
                spec_seed = _int(item[5:], item, "seed", minimum=0)
            else:
                rules.append(_rule(item))
        for rule in rules:
            if rule.methods is None and rule.path is None:
                rule.methods, rule.path = default_methods, default_path
        return cls(rules, seed=seed if seed is not None else spec_seed, spec=spec)

    def describe(self) -> str:
        """One line per rule, for `msp-tui demo-server` to print."""
        lines = []
        for rule in self.rules:
            bits = [rule.kind, f"p={rule.probability:g}"]
            if rule.first is not None:
                bits.append(f"requests {rule.first}-{rule.last if rule.last is not None else ''}")
            if rule.methods:
                bits.append("only " + "|".join(sorted(rule.methods)))
            if rule.path:
                bits.append(f"path ~ {rule.path}")
            if rule.when:
                bits.append(f"when {rule.when}")
            lines.append(" ".join(bits))
        return "\n".join(lines) or "no faults"

    # ---- choosing ------------------------------------------------------------------------
    def pick(self, request: Request) -> FaultRule | None:
        """Chooses the fault for this request (or None); counts the request for schedules."""
        if request.path.lower().startswith("/api/demo/"):
            return None
        mutating = _is_mutating(request)
        with self._lock:
            self.requests += 1
            if not self.enabled:
                return None
            chosen = None
            for rule in self.rules:
                if not rule.matches(request, mutating):
                    continue
                rule.seen += 1  # every rule counts its eligible requests, even after a pick
                if chosen is not None:
                    continue
                if rule.first is not None and not (
                    rule.first <= rule.seen and (rule.last is None or rule.seen <= rule.last)
                ):
                    continue
                if rule.limit is not None and rule.fired >= rule.limit:
                    continue
                if not _applicable(rule, request):
                    continue
                if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                    continue
                rule.fired += 1
                chosen = rule
        return chosen

    def revoked(self, request: Request) -> bool:
        """True when the request carries a token an expire-token fault revoked."""
        token = _bearer(request)
        return token is not None and token in self._revoked

    # ---- serving -------------------------------------------------------------------------
    async def intercept(self, request: Request, handle: Handler, send: Send) -> bool:
        """Serves a fault for `request` if the plan picks one; False lets the app answer."""
        if self._revoked and self.revoked(request):
            with self._lock:
                self.revoked_refusals += 1
            await _send(send, Response(401, [{"name": "SYSTEM", "description": "Invalid or missing credentials"}]))
            return True
        rule = self.pick(request)
        if rule is None:
            if self._revoked and request.path.lower() in _TOKEN_PATHS:
                # The demo's tokens are deterministic: one issued again after a revocation
                # is a fresh token and must work.
                response = handle(request)
                self._revoked.discard(_issued_token(response))
                await _send(send, response)
                return True
            return False
        await self._serve(rule, request, handle, send)
        return True

    async def _serve(self, rule: FaultRule, request: Request, handle: Handler, send: Send) -> None:
        kind = rule.kind
        after = rule.phase(_is_mutating(request)) == "after"
        response = handle(request) if after else None
        tag = [(b"x-demo-fault", kind.encode())]
        if kind == "expire-token":
            token = _bearer(request)
            if token is not None:
                self._revoked.add(token)
            self._count(kind)
            await _send(send, Response(401, [{"name": "SYSTEM", "description": "Invalid or missing credentials"}],
                                       tag))
        elif kind in ("500", "503", "429"):
            headers = list(tag)
            retry_after = rule.retry_after if rule.retry_after is not None else (1.0 if kind == "429" else None)
            if retry_after is not None and kind != "500":
                headers.append((b"retry-after", f"{retry_after:g}".encode()))
            description = {"500": "Internal server error", "503": "Service temporarily unavailable",
                           "429": "Too many requests"}[kind]
            self._count(kind)
            await _send(send, Response(int(kind), [{"name": "SYSTEM", "description": description}], headers))
        elif kind == "html":
            self._count(kind)
            await _send_raw(send, 502, _HTML_502, b"text/html", tag)
        elif kind == "slow":
            self._count(kind)
            await asyncio.sleep(rule.seconds)
            await _send(send, response if response is not None else handle(request))
        elif kind == "drop":
            self._count(kind)
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")]})
            raise DroppedConnection()
        elif kind in ("truncate", "malformed"):
            response = response if response is not None else handle(request)
            status, payload = response.status, response.encode()
            if not payload:  # nothing to garble in a 204: answer a garbled 200 instead
                status, payload = 200, b'{"metadata":{},"data":{}}'
            payload = payload[: max(1, len(payload) // 2)] if kind == "truncate" else b"{metadata: " + payload + b"}"
            self._count(kind)
            await _send_raw(send, status, payload, b"application/json", [*response.headers, *tag])
        else:  # repeat-page, skip-page
            response = self._shift_page(rule, request, handle)
            await _send(send, response)

    def _shift_page(self, rule: FaultRule, request: Request, handle: Handler) -> Response:
        current = handle(request)
        key = _list_key(current)
        number = int(request.query["pgNum"])
        size = int(request.query["pgSize"])
        if key is None:
            return current
        items: list[Any] = current.body["data"][key]
        neighbour_number = number - 1 if rule.kind == "repeat-page" else number + 1
        neighbour = handle(dataclasses.replace(request, query={**request.query, "pgNum": str(neighbour_number)}))
        other = neighbour.body["data"].get(key, []) if _list_key(neighbour) == key else []
        if rule.kind == "repeat-page":
            shifted = (other[-rule.items:] + items)[:size] if other else items
        else:
            shifted = items[rule.items:] + other[: rule.items] if items else items
        if shifted == items:
            return current
        self._count(rule.kind)
        data = {**current.body["data"], key: shifted}
        return Response(current.status, {**current.body, "data": data},
                        [*current.headers, (b"x-demo-fault", rule.kind.encode())])

    def _count(self, kind: str) -> None:
        with self._lock:
            self.stats[kind] += 1


# ---- helpers -------------------------------------------------------------------------------
def _is_mutating(request: Request) -> bool:
    return request.method != "GET" and request.path.lower() not in _NON_MUTATING_POSTS


def _bearer(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    return value[7:].strip() if value[:7].lower() == "bearer " else None


def _issued_token(response: Response) -> str | None:
    body = response.body
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        body = body["data"]
    if not isinstance(body, dict):
        return None
    token = body.get("v3_user_token") or body.get("access_token")
    return token if isinstance(token, str) else None


def _applicable(rule: FaultRule, request: Request) -> bool:
    if rule.kind == "expire-token":
        return _bearer(request) is not None
    if rule.kind in ("repeat-page", "skip-page"):
        if request.method != "GET":
            return False
        try:
            number, size = int(request.query["pgNum"]), int(request.query["pgSize"])
        except (KeyError, ValueError):
            return False
        return size >= 1 and number >= (2 if rule.kind == "repeat-page" else 1)
    return True


def _list_key(response: Response) -> str | None:
    body = response.body
    if response.status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return None
    return next((k for k, v in body["data"].items() if isinstance(v, list)), None)


async def _send(send: Send, response: Response) -> None:
    await _send_raw(send, response.status, response.encode(), b"application/json", response.headers)


async def _send_raw(send: Send, status: int, payload: bytes, content_type: bytes,
                    headers: list[tuple[bytes, bytes]]) -> None:
    extra = [(k, v) for k, v in headers if k.lower() not in (b"content-type", b"content-length")]
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(payload)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": payload})


def _rule(item: str) -> FaultRule:
    head, *options = item.split("@")
    kind, _, prob = head.partition(":")
    kind = kind.lower()
    if kind not in KINDS:
        raise FaultSpecError(f"{item!r}: unknown fault kind {kind!r} (known: {', '.join(KINDS)})")
    rule = FaultRule(kind)
    if prob:
        try:
            rule.probability = float(prob)
        except ValueError:
            raise FaultSpecError(f"{item!r}: probability {prob!r} is not a number") from None
        if not 0.0 <= rule.probability <= 1.0:
            raise FaultSpecError(f"{item!r}: probability must be between 0 and 1")
    for option in options:
        name, eq, value = option.partition("=")
        name = name.lower()
        if not eq or name not in _OPTIONS:
            raise FaultSpecError(f"{item!r}: unknown option {option!r} (known: {', '.join(sorted(_OPTIONS))})")
        if name == "requests":
            rule.first, rule.last = _range(value, item)
        elif name == "only":
            rule.methods = _methods(value, item)
        elif name == "path":
            rule.path = _path(value, item)
        elif name == "when":
            if value.lower() not in ("before", "after"):
                raise FaultSpecError(f"{item!r}: when= must be 'before' or 'after'")
            if kind in ("429", "503", "expire-token") and value.lower() == "after":
                raise FaultSpecError(f"{item!r}: a {kind} means the request was refused unprocessed; "
                                     "when=after would not be realistic")
            rule.when = value.lower()
        elif name == "retry-after":
            rule.retry_after = _float(value, item, name)
        elif name == "seconds":
            rule.seconds = _float(value, item, name)
        elif name == "items":
            rule.items = _int(value, item, name, minimum=1)
        else:
            rule.limit = _int(value, item, name, minimum=0)
    return rule


def _range(value: str, item: str) -> tuple[int, int | None]:
    start, dash, end = value.partition("-")
    first = _int(start, item, "requests", minimum=1)
    if not dash:
        return first, first
    last = _int(end, item, "requests", minimum=1) if end else None
    if last is not None and last < first:
        raise FaultSpecError(f"{item!r}: requests={value} ends before it starts")
    return first, last


def _methods(value: str, item: str) -> frozenset[str]:
    methods = frozenset(m.upper() for m in value.split("|") if m)
    unknown = methods - _METHODS
    if not methods or unknown:
        raise FaultSpecError(f"{item!r}: only= takes GET, POST, PUT, DELETE, PATCH or write, joined by '|'")
    return methods


def _path(value: str, item: str) -> str:
    if not value:
        raise FaultSpecError(f"{item!r}: path= needs a path fragment, e.g. path=/api/v1/User")
    return value.lower()


def _int(value: str, item: str, name: str, *, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise FaultSpecError(f"{item!r}: {name}= takes a whole number, not {value!r}") from None
    if number < minimum:
        raise FaultSpecError(f"{item!r}: {name}= must be at least {minimum}")
    return number


def _float(value: str, item: str, name: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise FaultSpecError(f"{item!r}: {name}= takes a number of seconds, not {value!r}") from None
    if not 0.0 <= number < 86400:
        raise FaultSpecError(f"{item!r}: {name}= must be between 0 and 86400 seconds")
    return number

