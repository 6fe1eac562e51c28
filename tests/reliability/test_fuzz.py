"""Property tests: random input never escapes as anything but the documented error types.

- API: real wire records (taken from the demo authority) with random values, nulls, missing
  and unknown keys, served to the client's list and get calls through a mock transport, and
  random bodies/statuses given to envelope.unwrap / error_for: a valid model or an ApiError.
- Forms and files: random text to the validators (a message or None), to compile_filter
  (FilterError) and to whatif.load_changes (WhatIfError).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from faultkit import NORTHWIND, make_authority
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msp_tui.api import Code42Client, LocalAccount, errors
from msp_tui.api import envelope
from msp_tui.domain import validation
from msp_tui.domain.filtering import FilterError, compile_filter
from msp_tui.domain.whatif import WhatIfError, load_changes
from msp_tui.models import ColdStorageRow, Device, Org, User

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _real_records() -> dict[str, dict[str, Any]]:
    """One real wire record of each kind, from a demo authority."""
    authority = make_authority()
    try:
        async def fetch() -> dict[str, dict[str, Any]]:
            async with Code42Client("http://demo", LocalAccount(NORTHWIND.username, NORTHWIND.password),
                                    transport=httpx.ASGITransport(app=authority)) as client:
                orgs = await client.request("GET", "/api/v1/Org", params={"pgSize": 5})
                users = await client.request("GET", "/api/v1/User", params={"pgSize": 5})
                devices = await client.request("GET", "/api/v1/Computer",
                                               params={"pgSize": 5, "incBackupUsage": True})
                top = next(o for o in orgs["orgs"] if o.get("parentOrgId") is None)
                cold = await client.request("GET", "/api/v1/ColdStorage",
                                            params={"orgId": top["orgId"], "incChildOrgs": True})
            return {"orgs": orgs["orgs"][1], "users": users["users"][0],
                    "computers": devices["computers"][0],
                    "coldStorageRows": (cold["coldStorageRows"] or [{"archiveGuid": "1", "orgId": 1}])[0]}
        return asyncio.run(fetch())
    finally:
        authority.close()


REAL = _real_records()
MODELS = {"orgs": Org, "users": User, "computers": Device, "coldStorageRows": ColdStorageRow}
PATHS = {"orgs": "/api/v1/Org", "users": "/api/v1/User", "computers": "/api/v1/Computer",
         "coldStorageRows": "/api/v1/ColdStorage"}

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
    st.sampled_from(["", "Active", "Deactivated", "2020-10-12T16:55:40.632Z", "not-a-date", "-1", "1e400"]),
)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)


@st.composite
def mutated_record(draw: st.DrawFn, key: str) -> Any:
    """A real record with some keys dropped, some values replaced, some unknown keys added."""
    if draw(st.integers(0, 20)) == 0:
        return draw(json_values)  # now and then not even an object
    record = dict(REAL[key])
    for name in list(record):
        choice = draw(st.integers(0, 5))
        if choice == 0:
            del record[name]
        elif choice == 1:
            record[name] = draw(json_values)
    record.update(draw(st.dictionaries(st.text(max_size=12), json_values, max_size=3)))
    return record


def _serve(body: bytes, status: int = 200, content_type: str = "application/json") -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v3/auth/jwt":
            return httpx.Response(200, json={"data": {"v3_user_token": "fuzz-token"}})
        return httpx.Response(status, content=body, headers={"content-type": content_type})

    return httpx.MockTransport(handler)


async def _no_sleep(_: float) -> None:
    return None


async def _call(transport: httpx.MockTransport, key: str, single: bool) -> Any:
    async with Code42Client("http://fuzz", LocalAccount("a@b.example", "pw"), transport=transport,
                            page_size=1000, sleep=_no_sleep) as client:
        if single:
            return await {
                "orgs": lambda: client.get_org("guid"),
                "users": lambda: client.get_user(1),
                "computers": lambda: client.get_device(1),
                "coldStorageRows": lambda: client.list_cold_storage(1),
            }[key]()
        return await {
            "orgs": client.list_orgs, "users": client.list_users, "computers": client.list_devices,
            "coldStorageRows": lambda: client.list_cold_storage(1),
        }[key]()


def _use(model: Any) -> None:
    """Touches the derived properties the dashboard reads (they must not crash either)."""
    for cls in type(model).__mro__:
        if cls.__module__.startswith("msp_tui.models"):
            for name, value in vars(cls).items():
                if isinstance(value, property):
                    getattr(model, name)


@FUZZ
@given(key=st.sampled_from(sorted(MODELS)), data=st.data())
def test_list_pages_in_real_shapes_parse_or_raise_an_api_error(key: str, data: st.DataObject) -> None:
    records = data.draw(st.lists(mutated_record(key), max_size=4))
    total = data.draw(st.one_of(st.just(len(records)), json_values))
    page = data.draw(st.sampled_from([
        {"data": {"totalCount": total, key: records}},
        {"metadata": {"params": {}}, "data": {key: records}},
        {"data": records},
        {key: records, "totalCount": total},
    ]))
    try:
        result = asyncio.run(_call(_serve(json.dumps(page).encode()), key, single=False))
    except errors.ApiError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(result, list)
    for item in result:
        assert isinstance(item, MODELS[key])
        _use(item)


@FUZZ
@given(key=st.sampled_from(["orgs", "users", "computers"]), data=st.data())
def test_single_records_parse_or_raise_an_api_error(key: str, data: st.DataObject) -> None:
    record = data.draw(mutated_record(key))
    body = data.draw(st.sampled_from([{"data": record}, record]))
    try:
        result = asyncio.run(_call(_serve(json.dumps(body).encode()), key, single=True))
    except errors.ApiError:
        return
    assert isinstance(result, MODELS[key])
    _use(result)


error_bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.lists(st.fixed_dictionaries({}, optional={"name": json_values, "description": json_values,
                                                  "objects": json_values}), max_size=3)
    .map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"", b"<html><body>502 Bad Gateway</body></html>", b"\xff\xfe\x00garbage",
                     b'{"data": [{"name": "USER_DUPLICATE"}]}', b'{"body": "EMAIL_INVALID"}',
                     b'[{"name":"SYSTEM","description":"Unable to find org"}]', b'{"data":', b"null"]),
    st.binary(max_size=64),
)


@FUZZ
@given(status=st.sampled_from([200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504, 418]),
       body=error_bodies, content_type=st.sampled_from(["application/json", "text/html", "text/plain; charset=x"]),
       retry_after=st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["1", "-5", "1e9", "nan"])))
def test_envelope_returns_a_payload_or_an_api_error(status, body, content_type, retry_after) -> None:
    headers = [(b"content-type", content_type.encode())]
    if retry_after is not None:
        headers.append((b"retry-after", retry_after.encode("utf-8")))
    response = httpx.Response(status, content=body, headers=headers,
                              request=httpx.Request("POST", "http://fuzz/api/v1/User"))
    if response.is_error:
        error = envelope.error_for(response)
        assert isinstance(error, errors.ApiError)
        assert str(error) and "\n" not in str(error)
        assert error.status == status
    else:
        try:
            envelope.unwrap(response)
        except errors.ResponseFormatError:
            pass
    delay = envelope.retry_after_seconds(response)
    assert delay is None or delay >= 0


@FUZZ
@given(status=st.sampled_from([200, 400, 429, 500, 502, 503]), body=error_bodies)
def test_the_client_turns_any_answer_into_a_result_or_an_api_error(status, body) -> None:
    for key, single in (("users", False), ("orgs", True)):
        try:
            asyncio.run(_call(_serve(body, status), key, single))
        except errors.ApiError:
            pass


# -- forms, filters, what-if files ---------------------------------------------------------------

nasty_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.sampled_from(["", " ", "\x00", "a\u202eb", "x" * 1000, "müller@straße.de", "@", "a@b", "a@@b.c",
                     "name@example.com\n", "Łódź Zahnarzt", "\ud7ff", "a" * 64 + "@example.com"]),
)


@FUZZ
@given(text=nasty_text)
def test_validators_return_a_message_or_none(text: str) -> None:
    checks = [
        validation.validate_org_name(text),
        validation.validate_email(text),
        validation.validate_username(text),
        validation.validate_person_name(text),
        validation.validate_person_name(text, required=True),
    ]
    for result in checks:
        assert result is None or (isinstance(result, str) and result.strip() and "\n" not in result)


@FUZZ
@given(username=nasty_text, email=nasty_text, first=nasty_text, last=nasty_text)
def test_user_form_validation_never_crashes(username, email, first, last) -> None:
    import inspect

    params = inspect.signature(validation.validate_user_fields).parameters
    values = {"username": username, "email": email, "first_name": first, "last_name": last}
    kwargs = {name: values[name] for name in params if name in values}
    result = validation.validate_user_fields(**kwargs)
    assert result is None or isinstance(result, (dict, list, str, tuple))


filter_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(["name:", "org:", "os:", "size>", "size<", "last<", "\"", "'", "-", "!", " ",
                              "7d", "10GB", "win", "or", "and", "(", ")", "*", "=", ">=", "x"]), max_size=12)
    .map("".join),
)


@FUZZ
@given(text=filter_text, restrict=st.booleans())
def test_compile_filter_raises_only_filter_error(text: str, restrict: bool) -> None:
    fields = ["name", "org", "os", "size", "last"] if restrict else None
    try:
        compiled = compile_filter(text, fields)
    except FilterError as exc:
        assert "\n" not in str(exc)
        return
    assert compiled is not None


whatif_text = st.one_of(
    st.text(max_size=200),
    json_values.map(json.dumps),
    st.lists(st.fixed_dictionaries({"kind": st.sampled_from(["add_users", "remove_users", "deactivate_users",
                                                             "remove_customer", "migrate_in", "migrate_out",
                                                             "purge_cold_storage", "nope"])},
                                   optional={"org": json_values, "users": json_values, "devices": json_values,
                                             "count": json_values}), max_size=4).map(json.dumps),
)


@FUZZ
@given(text=whatif_text)
def test_whatif_load_changes_raises_only_whatif_error(text: str) -> None:
    try:
        changes = load_changes(text)
    except WhatIfError as exc:
        assert str(exc)
        return
    assert isinstance(changes, list)


@pytest.mark.parametrize("key", sorted(MODELS))
def test_real_records_parse(key: str) -> None:
    MODELS[key].model_validate(REAL[key])
