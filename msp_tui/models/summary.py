"""Provides `DeviceSummary` (the few per-device values the dashboard's first paint needs, as
columns) and `DeferredDevices` (the full device records, decoded when first needed).

A warm start of a 60,000-device account paints the org tree, the cost pane and the all-devices
table from orgs, users and the summary alone; the full pydantic `Device` records (every wire
field, each destination's usage) are decoded afterwards in a thread, or on first access.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any, overload

from msp_tui.models.device import Device

SUMMARY_FIELDS = (
    "computer_id", "user_id", "org_id", "name", "os", "status", "active", "blocked",
    "last_backup", "last_connected", "backup_ts", "connected_ts", "archive_bytes", "dest",
)
"""The columns of a summary, in storage order (the cache stores them under this header)."""
_WHENS = ("last_backup", "last_connected")
_ARRAYS = {"computer_id": "q", "archive_bytes": "q", "backup_ts": "d", "connected_ts": "d"}
"""Columns of plain numbers, held as arrays (8 bytes a value, no objects)."""
NEVER = float("-inf")
"""The `backup_ts`/`connected_ts` of "never" (no timestamp)."""


def timestamp(value: datetime | None) -> float:
    """POSIX seconds of an aware datetime (naive is taken as UTC); `NEVER` for None."""
    return NEVER if value is None else _aware(value).timestamp()


class WhenColumn(Sequence["datetime | None"]):
    """A column of timestamps loaded as ISO text and parsed when first read (position by
    position), so a start-up does not parse 120,000 of them before the first paint."""

    __slots__ = ("_values",)

    def __init__(self, texts: Iterable[str | None]) -> None:
        self._values: list[Any] = list(texts)

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, index: int) -> datetime | None:  # type: ignore[override]
        value = self._values[index]
        if type(value) is str:
            value = self._values[index] = datetime.fromisoformat(value)
        return value

    def __iter__(self) -> Iterator[datetime | None]:
        return (self[i] for i in range(len(self._values)))
_SHARED = ("user_id", "org_id", "os", "status", "dest")
"""Columns with few distinct values: equal values are stored (and so loaded) as one object."""


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def latest(device: Device) -> tuple[datetime | None, datetime | None, int]:
    """Returns (last completed backup, last contact, archive bytes) over the device's destinations."""
    last: datetime | None = None
    seen = _aware(device.last_connected) if device.last_connected else None
    archive = 0
    for usage in device.backup_usage:
        done = usage.last_completed_backup
        if done is not None:
            done = _aware(done)
            if last is None or done > last:
                last = done
        contact = usage.last_connected
        if contact is not None:
            contact = _aware(contact)
            if seen is None or contact > seen:
                seen = contact
        if usage.archive_bytes:
            archive += usage.archive_bytes
    return last, seen, archive


class DeviceSummary:
    """Per-device values of one snapshot as parallel columns (position i = `devices[i]`).

    `name` is the display name, `os` the "name version" text, `dest` the destinations joined by
    "; " as the tables show them; `status`, `active`, `blocked` are the raw wire values (the
    rules of `Device.is_active` etc. apply to them); `last_backup`/`last_connected` are the
    latest over the destinations (aware datetimes or None).
    """

    __slots__ = SUMMARY_FIELDS

    computer_id: Sequence[int]
    """An `array("q")`."""
    user_id: Sequence[int | None]
    org_id: Sequence[int | None]
    name: Sequence[str]
    os: Sequence[str]
    status: Sequence[str | None]
    active: Sequence[bool | None]
    blocked: Sequence[bool | None]
    last_backup: Sequence[datetime | None]
    last_connected: Sequence[datetime | None]
    backup_ts: Sequence[float]
    """`timestamp(last_backup)` per device, an `array("d")`."""
    connected_ts: Sequence[float]
    """`timestamp(last_connected)` per device, an `array("d")`."""
    archive_bytes: Sequence[int]
    """An `array("q")`."""
    dest: Sequence[str]

    def __init__(self, **columns: Sequence[Any]) -> None:
        for name in SUMMARY_FIELDS:
            column = columns[name]
            if name in _ARRAYS and not isinstance(column, array):
                column = array(_ARRAYS[name], column)
            setattr(self, name, column)

    def __len__(self) -> int:
        return len(self.computer_id)

    @classmethod
    def from_devices(cls, devices: Iterable[Device]) -> DeviceSummary:
        """Summarises full records (after a sync; a cached snapshot has its summary stored)."""
        cols: dict[str, list[Any]] = {name: [] for name in SUMMARY_FIELDS}
        add = [cols[name].append for name in SUMMARY_FIELDS]
        for d in devices:
            last, seen, archive = latest(d)
            values = (
                d.computer_id, d.user_id, d.org_id, d.display_name,
                " ".join(p for p in (d.os_name, d.os_version) if p), d.status, d.active, d.blocked,
                last, seen, timestamp(last), timestamp(seen), archive,
                "; ".join(u.target_computer_name or u.target_computer_guid or "?" for u in d.backup_usage),
            )
            for append, value in zip(add, values):
                append(value)
        return cls(**cols)

    def to_columns(self) -> tuple[tuple[Any, ...], ...]:
        """The columns as tuples of primitives (datetimes as ISO text), in `SUMMARY_FIELDS` order."""
        memo: dict[Any, Any] = {}
        out = []
        for name in SUMMARY_FIELDS:
            column = getattr(self, name)
            if name in _WHENS:
                out.append(tuple(None if v is None else memo.setdefault(t := v.isoformat(), t) for v in column))
            elif name in _ARRAYS:
                out.append(column.tobytes())  # machine order: the cache is local to this machine
            elif name in _SHARED:
                shared: dict[Any, Any] = {}
                out.append(tuple(shared.setdefault(v, v) for v in column))
            else:
                out.append(tuple(column))
        return tuple(out)

    @classmethod
    def from_columns(cls, columns: Sequence[Sequence[Any]]) -> DeviceSummary:
        """The inverse of `to_columns` (timestamps are parsed when first read: `WhenColumn`)."""
        if len(columns) != len(SUMMARY_FIELDS):
            raise ValueError("device summary does not match the current format")
        cols: dict[str, Any] = {}
        for name, column in zip(SUMMARY_FIELDS, columns):
            if name in _WHENS:
                cols[name] = WhenColumn(column)
            elif name in _ARRAYS:
                values = array(_ARRAYS[name])
                values.frombytes(column)  # type: ignore[arg-type]  # bytes in the stored format
                cols[name] = values
            else:
                cols[name] = column
        summary = cls(**cols)
        if len({len(c) for c in cols.values()}) > 1:
            raise ValueError("device summary columns differ in length")
        return summary


class DeferredDevices(Sequence[Device]):
    """The snapshot's full device records, decoded on first access (or by `load` in a thread).

    `len` is known up front; indexing or iterating waits for the decode (a second caller waits
    for the first one's). Compares equal to a tuple of the same devices.
    """

    def __init__(self, count: int, loader: Callable[[], tuple[Device, ...]],
                 chunk: tuple[int, Callable[[int], tuple[Device, ...]]] | None = None) -> None:
        self._count = count
        self._loader: Callable[[], tuple[Device, ...]] | None = loader
        self._items: tuple[Device, ...] | None = None
        self._lock = threading.Lock()
        self._chunk = chunk
        """(records per chunk, decode chunk k): lets `record` decode one chunk, not all."""
        self._chunks: dict[int, tuple[Device, ...]] = {}

    def record(self, position: int) -> Device:
        """The record at `position`, decoding only its chunk when the whole list is not in yet
        (a detail view or a jump right after start-up does not wait for 60,000 records)."""
        items = self._items
        if items is not None or self._chunk is None:
            return self.load()[position]
        if not 0 <= position < self._count:
            raise IndexError(position)
        size, decode = self._chunk
        k = position // size
        chunk = self._chunks.get(k)
        if chunk is None:
            chunk = self._chunks[k] = decode(k)
        return chunk[position - k * size]

    @property
    def loaded(self) -> bool:
        """True once the records are decoded."""
        return self._items is not None

    def load(self) -> tuple[Device, ...]:
        """Decodes the records (once; thread-safe) and returns them."""
        items = self._items
        if items is not None:
            return items
        with self._lock:
            if self._items is None:
                assert self._loader is not None
                items = self._loader()
                if len(items) != self._count:
                    raise ValueError("cached devices do not match their summary")
                self._items, self._loader = items, None
                self._chunk, self._chunks = None, {}
            return self._items

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Device: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Device, ...]: ...
    def __getitem__(self, index: int | slice) -> Device | tuple[Device, ...]:
        return self.load()[index]

    def __iter__(self) -> Iterator[Device]:
        return iter(self.load())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DeferredDevices):
            other = other.load()
        if not isinstance(other, tuple):
            return NotImplemented
        return self.load() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DeferredDevices({self._count}, loaded={self.loaded})"


def devices_loaded(devices: Sequence[Device]) -> bool:
    """True unless `devices` is a `DeferredDevices` still to be decoded."""
    return not isinstance(devices, DeferredDevices) or devices.loaded
