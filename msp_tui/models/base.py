"""Provides the base class for Code42 wire models.

Wire names are camelCase; attributes are snake_case. Unknown fields are ignored so that a
server adding fields never breaks parsing, and every field is optional because real
servers omit or null fields freely.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """A Code42 record parsed from JSON, tolerant of unknown and missing fields."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
    )

    def to_wire(self) -> dict[str, object]:
        """Returns the record with its wire (camelCase) names, in JSON-compatible types."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def status_flags(status: str | None) -> frozenset[str]:
    """Splits a Code42 status string such as "Active, Deauthorized" into lower-case words."""
    if not status:
        return frozenset()
    return frozenset(part.strip().lower() for part in status.split(",") if part.strip())
