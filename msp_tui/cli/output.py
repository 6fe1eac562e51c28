"""Provides JSON and spreadsheet-safe CSV rendering for CLI output."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_json(payload: Any) -> str:
    """Returns pretty JSON with a trailing newline (Decimals and dates as strings)."""
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n"


def to_csv(rows: Iterable[dict[str, Any]], fields: Sequence[str]) -> str:
    """Returns CSV with a header row; text that a spreadsheet would run as a formula is quoted.

    A leading apostrophe neutralises cells such as "=HYPERLINK(...)" (CSV injection).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_cell(row.get(f)) for f in fields])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text
