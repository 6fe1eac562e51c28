"""Unit tests of the form and CLI validators."""

from __future__ import annotations

import pytest

from msp_tui.domain.validation import (
    validate_email,
    validate_org_name,
    validate_person_name,
    validate_user_fields,
    validate_username,
)


@pytest.mark.parametrize(
    "name", ["Acme Dental", "Zahnarztpraxis Müller", "Łódź Księgowość", "東京歯科", "O'Brien & Co.", "x" * 100]
)
def test_org_names_accepted(name: str) -> None:
    assert validate_org_name(name) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Org name is required."),
        ("   ", "Org name is required."),
        ("x" * 101, "Org name is too long (101 characters; at most 100)."),
        ("Acme\tDental", "Org name contains control characters (U+0009); remove them."),
        ("Acme\nDental", "Org name contains control characters (U+000A); remove them."),
        ("Acme\x1b[31m", "Org name contains control characters (U+001B); remove them."),
        ("Acme\u202eDental", "Org name contains control characters (U+202E); remove them."),
    ],
)
def test_org_names_refused(name: str, message: str) -> None:
    assert validate_org_name(name) == message


@pytest.mark.parametrize(
    "email",
    ["ann@acme.example", "ann.lee+backup@acme-dental.co.uk", "ann@müller.de", "a_b@x.io"],
)
def test_emails_accepted(email: str) -> None:
    assert validate_email(email) is None


@pytest.mark.parametrize(
    ("email", "fragment"),
    [
        ("", "is required"),
        ("ann", "exactly one @"),
        ("ann@@acme.example", "exactly one @"),
        ("@acme.example", "name before the @"),
        ("ann@", "domain after the @"),
        ("ann@localhost", "needs a dot"),
        ("ann lee@acme.example", "must not contain spaces"),
        (" ann@acme.example", "must not contain spaces"),
        ("ann..lee@acme.example", "characters an email address cannot have"),
        ("ann@-acme.example", "is not valid"),
        ("ann@10.0.0.1", "not a number"),
        ("ann\x00@acme.example", "control characters (U+0000)"),
        ("a" * 65 + "@acme.example", "before the @ is too long"),
        ("a@" + "b" * 250 + ".com", "too long (256 characters; at most 254)"),
    ],
)
def test_emails_refused(email: str, fragment: str) -> None:
    message = validate_email(email)
    assert message is not None and fragment in message
    assert message.startswith("Email")


def test_username_messages_name_the_username() -> None:
    assert validate_username("bob") == "Username must look like name@example.com (exactly one @)."


@pytest.mark.parametrize("name", ["", "Ann", "José-María", "Łukasz", "Nguyễn", "李", "محمد‌رضا"])
def test_person_names_accepted(name: str) -> None:
    assert validate_person_name(name) is None


def test_person_name_rules() -> None:
    assert validate_person_name("", field="First name", required=True) == "First name is required."
    assert validate_person_name("x" * 101) == "Name is too long (101 characters; at most 100)."
    assert validate_person_name("Ann\x07") == "Name contains control characters (U+0007); remove them."
    assert validate_person_name("1234") == "Name must contain at least one letter."


def test_user_fields_together() -> None:
    assert validate_user_fields("ann@acme.example") == {}
    problems = validate_user_fields("ann", "bad@", "Ann\n", "")
    assert set(problems) == {"username", "email", "first_name"}
    assert problems["first_name"].startswith("First name contains control characters")
