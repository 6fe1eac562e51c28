"""Provides the base class for Code42 wire models.

Wire names are camelCase; attributes are snake_case. Unknown fields are ignored so that a
server adding fields never breaks parsing, and every field is optional because real
servers omit or null fields freely.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

M = TypeVar("M", bound=BaseModel)

_FIELD_SETS: dict[frozenset[str], set[str]] = {}
_FIELD_SETS_LIMIT = 4096
_LAST_FIELD_SET: dict[type, set[str]] = {}
"""The field set each model class shared last (records of one kind nearly always match it)."""


class WireModel(BaseModel):
    """A Code42 record parsed from JSON, tolerant of unknown and missing fields."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
    )

    def model_post_init(self, __context: Any) -> None:
        # pydantic keeps a set of the fields each record arrived with: for a device that is
        # ~2 KB, a third of the whole record. Records of one kind nearly always carry the
        # same fields, so identical sets are shared (models are frozen; pydantic copies the
        # set before changing it in model_copy). Halves the memory of a 60,000-device account.
        fields = self.__pydantic_fields_set__
        last = _LAST_FIELD_SET.get(type(self))
        if last is not None and fields == last:  # the usual case: one set comparison in C
            object.__setattr__(self, "__pydantic_fields_set__", last)
            return
        key = frozenset(fields)
        shared = _FIELD_SETS.get(key)
        if shared is None:
            if len(_FIELD_SETS) >= _FIELD_SETS_LIMIT:
                return
            shared = _FIELD_SETS[key] = fields
        _LAST_FIELD_SET[type(self)] = shared
        object.__setattr__(self, "__pydantic_fields_set__", shared)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # Primes CPython's key-sharing instance dicts with the fields in order, before any
        # validation touches the class (a validated record gets a plain dict and would leave
        # the class without shared keys). The snapshot cache then builds records field by
        # field (see `state.cache`) in ~290-byte dicts instead of 832-byte ones.
        primer = cls.__new__(cls)
        for name in cls.model_fields:
            _set_attr(primer, name, None)

    def to_wire(self) -> dict[str, object]:
        """Returns the record with its wire (camelCase) names, in JSON-compatible types."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


_set_attr = object.__setattr__


def construct_trusted(cls: type[M], values: dict[str, Any], fields_set: set[str]) -> M:
    """Builds a model from values that were validated before (the snapshot cache's fast path).

    `values` must hold every field, already in the field's Python type: this is what
    `model_construct` does, without its per-field default handling (~10x faster). Never use it
    for data from the wire: the wire path validates (`model_validate`, `TypeAdapter`).
    `fields_set` is shared by the records of one load (models are frozen; see model_post_init).
    """
    model = cls.__new__(cls)
    _set_attr(model, "__dict__", values)
    _set_attr(model, "__pydantic_fields_set__", fields_set)
    _set_attr(model, "__pydantic_extra__", None)
    _set_attr(model, "__pydantic_private__", None)
    return model


@lru_cache(maxsize=256)
def status_flags(status: str | None) -> frozenset[str]:
    """Splits a Code42 status string such as "Active, Deauthorized" into lower-case words.

    Memoised: an account has a handful of distinct status strings and 60,000 devices.
    """
    if not status:
        return frozenset()
    return frozenset(part.strip().lower() for part in status.split(",") if part.strip())


_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pauses Python's cyclic garbage collector while a large list is parsed into models.

    Parsing 60,000 devices creates ~500,000 container objects that all survive; with the
    collector on, its full passes re-scan them again and again and double the parse time.
    Nothing here creates reference cycles, so nothing is lost by pausing. Overlapping
    pauses (orgs, users and devices walk concurrently) nest: the last one out re-enables.
    """
    global _gc_pauses, _gc_was_enabled
    if _gc_pauses == 0:
        _gc_was_enabled = gc.isenabled()
        gc.disable()
    _gc_pauses += 1
    try:
        yield
    finally:
        _gc_pauses -= 1
        if _gc_pauses == 0 and _gc_was_enabled:
            gc.enable()
