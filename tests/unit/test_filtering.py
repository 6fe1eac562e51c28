"""Tests for the `/` filter language in msp_tui.domain.filtering."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest

from msp_tui.domain.filtering import FilterError, FilterIndex, compile_filter, parse_filter

FIELDS = ("name", "os", "status", "backup_age_days", "last_seen", "size")
ALIASES = {"age": "backup_age_days", "seen": "last_seen"}


@dataclass
class Row:
    values: Mapping[str, object]
    haystack: str = field(default="")

    def __post_init__(self) -> None:
        if not self.haystack:
            self.haystack = " ".join(str(v) for v in self.values.values() if v is not None).lower()


ROWS = [
    Row({"name": "Alice-MacBook", "os": "macOS 14", "status": "Active", "backup_age_days": 1,
         "last_seen": datetime(2024, 5, 1, 12, tzinfo=timezone.utc), "size": 10.5}),
    Row({"name": "bob-pc", "os": "Windows 11", "status": "Active, Deauthorized", "backup_age_days": 9,
         "last_seen": datetime(2024, 1, 2), "size": 200}),
    Row({"name": "carol laptop", "os": "Linux", "status": "Deactivated", "backup_age_days": None,
         "last_seen": None, "size": None}),
    Row({"name": "dave-mac", "os": "macOS 13", "status": "Active", "backup_age_days": 30,
         "last_seen": datetime(2023, 12, 31), "size": 7}),
]


def names(text: str) -> list[str]:
    """Names matched by both evaluation paths, which must agree."""
    compiled = compile_filter(text, FIELDS, ALIASES)
    by_row = [str(r.values["name"]) for r in ROWS if compiled(r)]
    selected = compiled.select(FilterIndex(ROWS))
    assert selected is not None
    assert [str(ROWS[i].values["name"]) for i in selected] == by_row
    return by_row


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["Alice-MacBook", "bob-pc", "carol laptop", "dave-mac"]),
        ("   ", ["Alice-MacBook", "bob-pc", "carol laptop", "dave-mac"]),
        ("mac", ["Alice-MacBook", "dave-mac"]),
        ("MAC", ["Alice-MacBook", "dave-mac"]),
        ("mac alice", ["Alice-MacBook"]),
        ("!mac", ["bob-pc", "carol laptop"]),
        ("os:mac", ["Alice-MacBook", "dave-mac"]),
        ("status:deactivated", ["carol laptop"]),
        ("status:active", ["Alice-MacBook", "bob-pc", "dave-mac"]),
        ("!status:deauth", ["Alice-MacBook", "carol laptop", "dave-mac"]),
        ("status=active", ["Alice-MacBook", "dave-mac"]),
        ("STATUS=ACTIVE", ["Alice-MacBook", "dave-mac"]),
        ("!status=active", ["bob-pc", "carol laptop"]),
        ("backup_age_days>7", ["bob-pc", "dave-mac"]),
        ("backup_age_days>=9", ["bob-pc", "dave-mac"]),
        ("backup_age_days<9", ["Alice-MacBook"]),
        ("backup_age_days<=9", ["Alice-MacBook", "bob-pc"]),
        ("backup_age_days=9", ["bob-pc"]),
        ("size=200", ["bob-pc"]),
        ("size=10.5", ["Alice-MacBook"]),
        ("size>8", ["Alice-MacBook", "bob-pc"]),
    ],
)
def test_grammar_forms(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_aliases_resolve_to_fields() -> None:
    assert names("age>7") == ["bob-pc", "dave-mac"]
    assert names("AGE<2") == ["Alice-MacBook"]
    assert compile_filter("age>7", FIELDS, ALIASES).terms[0].field == "backup_age_days"


def test_none_never_matches_a_comparison() -> None:
    assert "carol laptop" not in names("age>-1000")
    assert "carol laptop" not in names("age<1000")
    # Negation is logical NOT, so rows without a value come back.
    assert names("!age>7") == ["Alice-MacBook", "carol laptop"]


def test_none_field_text_is_empty() -> None:
    assert names("size:") == ["Alice-MacBook", "bob-pc", "carol laptop", "dave-mac"]
    assert names("size=") == ["carol laptop"]


def test_quoted_values() -> None:
    assert names('"carol laptop"') == ["carol laptop"]
    assert names("'carol laptop'") == ["carol laptop"]
    assert names('os:"windows 11"') == ["bob-pc"]
    assert names('!"carol laptop"') == ["Alice-MacBook", "bob-pc", "dave-mac"]
    # Inside quotes an operator is plain text, so no field lookup happens.
    assert names('"status:x"') == []


def test_apostrophe_inside_a_word_is_literal() -> None:
    row = Row({"name": "o'brien"})
    assert compile_filter("o'brien", FIELDS)(row)


def test_unclosed_quote_is_a_filter_error() -> None:
    with pytest.raises(FilterError, match="Unclosed quote"):
        compile_filter('os:"mac', FIELDS)


def test_unknown_field_names_the_known_fields() -> None:
    with pytest.raises(FilterError) as info:
        compile_filter("colour:red", FIELDS, ALIASES)
    message = str(info.value)
    assert "'colour'" in message
    for name in ("name", "os", "status", "age", "backup_age_days"):
        assert name in message
    assert "\n" not in message


def test_comparison_needs_a_number_or_date() -> None:
    with pytest.raises(FilterError, match="needs a number"):
        compile_filter("age>old", FIELDS, ALIASES)
    with pytest.raises(FilterError):
        compile_filter("age>", FIELDS, ALIASES)


def test_dates_compare_with_datetime_fields() -> None:
    assert names("seen<2024-01-01") == ["dave-mac"]
    assert names("seen>=2024-01-02") == ["Alice-MacBook", "bob-pc"]
    assert names("last_seen:2024-05") == ["Alice-MacBook"]


def test_non_identifier_prefix_is_plain_text() -> None:
    row = Row({"name": "meeting 10:30"})
    assert compile_filter("10:30", FIELDS)(row)


def test_fields_none_accepts_any_field() -> None:
    assert compile_filter("anything:x").terms[0].field == "anything"


def test_parse_returns_terms_in_order() -> None:
    terms = parse_filter('!os:mac age>=7 "a b"', FIELDS, ALIASES)
    assert [(t.op, t.field, t.value, t.negated) for t in terms] == [
        (":", "os", "mac", True),
        (">=", "backup_age_days", "7", False),
        ("", "", "a b", False),
    ]


def test_select_keeps_candidate_order_and_can_cancel() -> None:
    compiled = compile_filter("mac", FIELDS)
    index = FilterIndex(ROWS)
    assert compiled.select(index, [3, 2, 1, 0]) == [3, 0]
    assert compiled.select(index, is_cancelled=lambda: True) is None


@pytest.mark.parametrize("text", ['"', "!", "::", "=", ">", ":x", "a:b:c", "!!", "\t", 'os:"', "é:1", "ü"])
def test_odd_input_raises_only_filter_error(text: str) -> None:
    try:
        compiled = compile_filter(text, FIELDS, ALIASES)
    except FilterError:
        return
    for row in ROWS:
        compiled(row)


class ColumnarRows(list[Row]):
    """Rows that compute whole columns (as the all-devices rows do); counts per-row reads."""

    def __init__(self, rows: list[Row]) -> None:
        super().__init__(rows)
        self.asked: list[str] = []

    def field_values(self, name: str) -> list[object] | None:
        self.asked.append(name)
        if name == "os":  # a field it cannot compute: the index falls back to row values
            return None
        return [row.values.get(name) for row in self]


@pytest.mark.parametrize("text", ["status:active", "age>5", "os:mac", "last_seen<2024-03-01", "size=200"])
def test_index_reads_whole_columns_when_the_row_list_offers_them(text: str) -> None:
    rows = ColumnarRows(list(ROWS))
    compiled = compile_filter(text, FIELDS, ALIASES)
    assert compiled.select(FilterIndex(rows)) == compiled.select(FilterIndex(ROWS))
    field = compiled.terms[0].field
    assert set(rows.asked) == {field}  # no other column was built


def test_text_column_keeps_equal_values_of_other_types_apart() -> None:
    rows = [Row({"flag": True}), Row({"flag": 1}), Row({"flag": 1.0}), Row({"flag": ["x"]}), Row({"flag": True})]
    texts = FilterIndex(rows).texts("flag")
    assert texts == ["true", "1", "1.0", "['x']", "true"]
    assert texts[0] is texts[4]  # one string per distinct value
