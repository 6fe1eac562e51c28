"""Provides the snapshot cache: the last good AccountSnapshot of each profile.

Format (schema `db.SNAPSHOTS_SCHEMA`): each list (orgs, users, devices, cold storage) is stored as
*lean records*: one tuple of field values per record, in the model's field order (nested backup
usage as tuples too, datetimes as ISO strings), marshalled and zlib-compressed in chunks of
`CHUNK` records. The blob starts with the field names, so a model that gained or lost a field
reads the entry as unusable and the cache is simply refetched.

Why not JSON through pydantic: the records were validated once, when they arrived from the
server; validating them again at every start-up cost 2.5 s and ~100 MB of transient JSON for a
60,000-device account. Loading is a trusted fast path (`construct_trusted`: the same
`__dict__` pydantic would build, without validation), strings and datetimes that repeat are
shared (status words, OS names, org uids, destination names, identical timestamps), and save
and load hold one chunk of encoded data at a time, never the whole list.

Staged start: the devices' blob holds, between its header and its chunks, a `DeviceSummary`
(columns of the few per-device values the dashboard's first paint needs). `load` with
`defer_devices_over` returns it with the records as `DeferredDevices`, decoded later (in a
thread, or one chunk at a time on demand), so a 60,000-device account paints from orgs, users
and ~16 MB of columns.
"""

from __future__ import annotations

import marshal
import sqlite3
import struct
import sys
import typing
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

from pydantic import BaseModel

from msp_tui.models import AccountSnapshot, ColdStorageRow, Device, Org, User
from msp_tui.models.base import gc_paused
from msp_tui.models.summary import SUMMARY_FIELDS, DeferredDevices, DeviceSummary

CHUNK = 5_000
"""Records per compressed chunk: bounds the transient memory of save and load."""

_LISTS: dict[str, type[BaseModel]] = {
    "orgs": Org,
    "users": User,
    "devices": Device,
    "cold_storage": ColdStorageRow,
}
_PLAIN, _WHEN, _STRS, _NESTED = 0, 1, 2, 3
_LEN = struct.Struct("<I")


class CacheFormatError(ValueError):
    """A cache entry that does not match the current models."""


class _Plan:
    """How one model class is encoded: its field names and one kind per field."""

    def __init__(self, cls: type[BaseModel]) -> None:
        self.cls = cls
        self.names: tuple[str, ...] = tuple(cls.model_fields)
        self.kinds: list[int] = []
        self.nested: dict[int, _Plan] = {}
        for i, info in enumerate(cls.model_fields.values()):
            kind, inner = _kind(info.annotation)
            self.kinds.append(kind)
            if inner is not None:
                self.nested[i] = _Plan(inner)
        self.whens = tuple(i for i, k in enumerate(self.kinds) if k == _WHEN)
        self.strs = tuple(i for i, k in enumerate(self.kinds) if k == _STRS)
        self.fields_set = set(self.names)

    def header(self) -> tuple[Any, ...]:
        return (self.names, tuple((i, p.header()) for i, p in sorted(self.nested.items())))

    # -- encoding (save)

    def encode(self, model: BaseModel, memo: dict[Any, Any]) -> tuple[Any, ...]:
        values = list(model.__dict__.values())
        for i, value in enumerate(values):
            if value is None:
                continue
            kind = self.kinds[i]
            if kind == _PLAIN:
                if type(value) is str:
                    values[i] = memo.setdefault(value, value)
            elif kind == _WHEN:
                text = value.isoformat()
                values[i] = memo.setdefault(text, text)
            elif kind == _STRS:
                key = tuple(value)
                values[i] = memo.setdefault(key, key)
            else:
                plan = self.nested[i]
                values[i] = tuple(plan.encode(item, memo) for item in value)
        return tuple(values)

    # -- decoding (load)

    def decoder(self, memo: dict[Any, Any]) -> Any:
        """Returns `decode(record) -> model`, generated for this model's fields (no per-field
        loop: 60,000 devices with backup usage decode in well under a second).

        Fields are set one by one, in field order, on a fresh instance, so CPython keeps them
        in a key-sharing instance dict: ~290 bytes for a device's 26 fields instead of the
        832-byte dict pydantic builds (about 60 MB less for 60,000 devices and their usages).
        The values are the same `__dict__` pydantic would build."""
        memo_get = memo.get
        fromiso = datetime.fromisoformat

        def when(text: str) -> datetime:
            value = memo[text] = fromiso(text)
            return value

        def strs(items: tuple[str, ...]) -> list[str]:
            # Equal lists (alert states such as ["OK"]) are shared: models are frozen.
            value = memo[items] = list(items)
            return value

        env: dict[str, Any] = {
            "new": self.cls.__new__, "cls": self.cls, "sa": object.__setattr__,
            "fs": self.fields_set, "when": when, "strs": strs, "mg": memo_get,
        }
        parts = []
        for i, (name, kind) in enumerate(zip(self.names, self.kinds)):
            if kind == _WHEN:
                expr = f"(None if (t := r[{i}]) is None else (mg(t) or when(t)))"
            elif kind == _STRS:
                expr = f"(None if (t := r[{i}]) is None else (mg(t) or strs(t)))"
            elif kind == _NESTED:
                env[f"d{i}"] = self.nested[i].decoder(memo)
                expr = f"[d{i}(x) for x in r[{i}]]"
            else:
                expr = f"r[{i}]"
            parts.append(f"    sa(m, {name!r}, {expr})\n")
        source = (
            "def decode(r):\n"
            "    m = new(cls)\n"
            + "".join(parts) +
            "    sa(m, '__pydantic_fields_set__', fs)\n"
            "    sa(m, '__pydantic_extra__', None)\n"
            "    sa(m, '__pydantic_private__', None)\n"
            "    return m\n"
        )
        exec(compile(source, f"<cache decoder {self.cls.__name__}>", "exec"), env)  # noqa: S102
        # Popped, not read: `env` is the function's globals, and a cycle through it would keep
        # the memo (every distinct timestamp text) alive until the next collection (GC is
        # paused while loading).
        return env.pop("decode")


def _kind(annotation: Any) -> tuple[int, type[BaseModel] | None]:
    args = typing.get_args(annotation)
    if annotation is datetime or datetime in args:
        return _WHEN, None
    if typing.get_origin(annotation) is list and args:
        inner = args[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return _NESTED, inner
        return _STRS, None
    return _PLAIN, None


_PLANS = {name: _Plan(cls) for name, cls in _LISTS.items()}


def _header(name: str) -> tuple[Any, ...]:
    header = _PLANS[name].header()
    return (*header, ("summary", SUMMARY_FIELDS, CHUNK, sys.byteorder)) if name == "devices" else header


def encode_list(name: str, models: Iterable[BaseModel], summary: DeviceSummary | None = None) -> bytes:
    """Encodes one list of the snapshot as a cache blob (header, then compressed chunks).

    The devices' blob has the `DeviceSummary` columns between the header and the chunks, so a
    start-up can paint from them before (or without) decoding the records.
    """
    plan = _PLANS[name]
    out = bytearray()

    def piece(payload: Any) -> None:
        data = zlib.compress(marshal.dumps(payload), 1)
        out.extend(_LEN.pack(len(data)))
        out.extend(data)

    piece(_header(name))
    if name == "devices":
        if summary is None:
            models = tuple(models)
            summary = DeviceSummary.from_devices(models)  # type: ignore[arg-type]
        piece(summary.to_columns())
    memo: dict[Any, Any] = {}
    chunk: list[tuple[Any, ...]] = []
    for model in models:
        chunk.append(plan.encode(model, memo))
        if len(chunk) >= CHUNK:
            piece(chunk)
            chunk = []
            memo.clear()  # marshal shares repeats within a chunk (and so does load)
    if chunk:
        piece(chunk)
    return bytes(out)


def _pieces(blob: bytes, at: int = 0) -> Iterator[tuple[Any, int]]:
    """Yields (payload, offset after it) for each piece of `blob` from offset `at`."""
    view = memoryview(blob)
    while at < len(view):
        (size,) = _LEN.unpack_from(view, at)
        at += _LEN.size
        if at + size > len(view):
            raise CacheFormatError("truncated cache entry")
        payload = marshal.loads(zlib.decompress(view[at:at + size]))
        at += size
        yield payload, at


def _records(name: str, blob: bytes, at: int, memo: dict[Any, Any] | None) -> tuple[Any, ...]:
    """Decodes the records from offset `at`. Repeated timestamps and lists are shared through
    `memo`; without one, within each chunk only (a memo over 60,000 devices holds ~300,000
    timestamp texts: a 30 MB transient that fragments the heap for good)."""
    plan = _PLANS[name]
    decode = plan.decoder(memo) if memo is not None else None
    items: list[Any] = []
    for chunk, _ in _pieces(blob, at):
        items.extend(map(decode or plan.decoder({}), chunk))
    return tuple(items)


def _open(name: str, blob: bytes) -> tuple[DeviceSummary | None, int]:
    """Checks the header; returns the devices' summary (None for other lists) and where the
    records start."""
    pieces = _pieces(blob)
    first = next(pieces, None)
    if first is None or first[0] != _header(name):
        raise CacheFormatError(f"cached {name} do not match the current model")
    if name != "devices":
        return None, first[1]
    second = next(pieces, None)
    if second is None:
        raise CacheFormatError("cached devices lack their summary")
    return DeviceSummary.from_columns(second[0]), second[1]


def decode_list(name: str, blob: bytes, memo: dict[Any, Any] | None = None) -> tuple[Any, ...]:
    """Decodes a blob of `encode_list` into models (trusted: they were validated at sync)."""
    _, at = _open(name, blob)
    return _records(name, blob, at, memo)


def decode_summary(blob: bytes) -> DeviceSummary:
    """Decodes only the `DeviceSummary` of a devices blob (the records are not touched)."""
    return _open("devices", blob)[0]  # type: ignore[return-value]


def _load_devices(blob: bytes, at: int) -> tuple[Device, ...]:
    with gc_paused():
        return _records("devices", blob, at, None)


def _chunk_decoder(blob: bytes, at: int) -> Any:
    """Returns `decode(k)`: the k-th chunk of device records, found by skipping the others'
    lengths (nothing else is decompressed)."""
    offsets: list[int] = []
    view = memoryview(blob)
    while at < len(view):
        offsets.append(at)
        (size,) = _LEN.unpack_from(view, at)
        at += _LEN.size + size

    def decode(k: int) -> tuple[Device, ...]:
        chunk, _ = next(_pieces(blob, offsets[k]))
        return tuple(map(_PLANS["devices"].decoder({}), chunk))

    return decode


class SnapshotCache:
    """Saves and loads snapshots in the snapshots table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def save(self, snapshot: AccountSnapshot) -> None:
        """Replaces the profile's cached snapshot in one transaction (call it off the UI thread)."""
        with gc_paused():
            blobs = [
                encode_list(name, getattr(snapshot, name),
                            snapshot.device_summary if name == "devices" else None)
                for name in _LISTS
            ]
        self._conn.execute(
            "INSERT OR REPLACE INTO snapshots"
            " (profile, fetched_at, orgs, users, devices, cold_storage) VALUES (?, ?, ?, ?, ?, ?)",
            (snapshot.profile, snapshot.fetched_at.isoformat(), *blobs),
        )

    def load(self, profile: str, *, defer_devices_over: int | None = None) -> AccountSnapshot | None:
        """Returns the cached snapshot, or None when there is none or it is unreadable.

        With `defer_devices_over`, an account with more devices than that gets its device
        summary now and its full device records as `DeferredDevices` (decoded on first access
        or by `DeferredDevices.load`, e.g. in a thread after the first paint).
        """
        row = self._conn.execute(
            "SELECT fetched_at, orgs, users, devices, cold_storage FROM snapshots WHERE profile = ?",
            (profile,),
        ).fetchone()
        if row is None:
            return None
        try:
            memo: dict[Any, Any] = {}
            parts: dict[str, Any] = {}
            device_summary: DeviceSummary | None = None
            with gc_paused():  # ~1M surviving objects: see gc_paused
                for name, blob in zip(_LISTS, row[1:]):
                    summary, at = _open(name, blob)
                    if summary is not None:
                        device_summary = summary
                    if summary is None:
                        parts[name] = _records(name, blob, at, memo)
                    elif defer_devices_over is not None and len(summary) > defer_devices_over:
                        parts[name] = DeferredDevices(len(summary), partial(_load_devices, blob, at),
                                                      (CHUNK, _chunk_decoder(blob, at)))
                    else:
                        parts[name] = _records(name, blob, at, None)
                        if len(parts[name]) != len(summary):
                            raise CacheFormatError("cached devices do not match their summary")
            del memo
            snapshot = AccountSnapshot(profile=profile, fetched_at=datetime.fromisoformat(row[0]), **parts)
            snapshot._summary["summary"] = device_summary
        except (zlib.error, ValueError, EOFError, TypeError, IndexError, struct.error):
            # A damaged or outdated cache entry is only a cache: drop it and refetch.
            self._conn.execute("DELETE FROM snapshots WHERE profile = ?", (profile,))
            return None
        return snapshot
