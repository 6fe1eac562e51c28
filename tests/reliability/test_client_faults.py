"""The client under each fault kind the demo authority can inject.

Reads: retried through transient faults within a bounded number of attempts, or a clear
ApiError subclass (never another exception type). Mutations: never processed twice (counted
on the authority's side); when the answer is lost or unreadable the client raises
UnknownOutcomeError, and the server's real state is then checked with faults off.
"""

from __future__ import annotations

import random

import pytest

from msp_tui.api import errors
from msp_tui.api.retry import RetryPolicy
from faultkit import (
    MAX_ATTEMPTS,
    FakeSleep,
    make_client,
    mutating_requests,
    requests_to,
)

ORG_LIST = "/api/v1/Org"
JWT = "/api/v3/auth/jwt"


async def _org_names(authority) -> list[str]:
    """The orgs as the server really has them (faults switched off while looking)."""
    enabled, authority.faults.enabled = authority.faults.enabled, False
    try:
        async with make_client(authority) as client:
            return [org.org_name for org in await client.list_orgs()]
    finally:
        authority.faults.enabled = enabled


# -- reads -----------------------------------------------------------------------------------

TRANSIENT = ["503", "429@retry-after=1", "html", "drop", "slow@seconds=2"]


@pytest.mark.parametrize("kind", TRANSIENT)
async def test_read_is_retried_through_transient_faults(authority_factory, kind):
    expected = await _org_names(authority_factory())
    authority = authority_factory(f"{kind}@requests=1-2@path={ORG_LIST}")
    sleep = FakeSleep()
    async with make_client(authority, sleep=sleep, page_size=100) as client:
        orgs = await client.list_orgs()
    assert sorted(o.org_name for o in orgs) == sorted(expected)
    assert requests_to(authority, "GET", ORG_LIST) == 3  # two faults, then the answer
    assert sum(authority.fault_stats.values()) == 2
    assert len(sleep.delays) == 2
    assert all(0 < delay <= RetryPolicy().max_delay for delay in sleep.delays)
    if kind.startswith("429"):
        assert sleep.delays == [1.0, 1.0]  # Retry-After honoured


@pytest.mark.parametrize(
    ("kind", "error", "attempts"),
    [
        ("503", errors.ServerError, MAX_ATTEMPTS),
        ("429@retry-after=1", errors.RateLimitedError, MAX_ATTEMPTS),
        ("html", errors.ServerError, MAX_ATTEMPTS),
        ("drop", errors.TransportError, MAX_ATTEMPTS),
        ("slow@seconds=2", errors.TransportError, MAX_ATTEMPTS),
        ("500", errors.ServerError, MAX_ATTEMPTS),  # reads are safe to repeat; validation 500s only answer writes
        ("truncate", errors.ResponseFormatError, 2),  # a garbled page is fetched once more
        ("malformed", errors.ResponseFormatError, 2),
    ],
)
async def test_read_under_a_persistent_fault_fails_clearly_and_boundedly(authority_factory, kind, error, attempts):
    authority = authority_factory(f"{kind}@path={ORG_LIST}")
    sleep = FakeSleep()
    async with make_client(authority, sleep=sleep, page_size=100) as client:
        with pytest.raises(errors.ApiError) as caught:
            await client.list_orgs()
    assert type(caught.value) is error
    message = str(caught.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert requests_to(authority, "GET", ORG_LIST) == attempts
    garbled = kind in ("truncate", "malformed")  # re-fetched at once, with no back-off
    assert len(sleep.delays) == (0 if garbled else attempts - 1)


async def test_html_error_page_is_described_not_dumped(authority_factory):
    authority = authority_factory(f"html@path={ORG_LIST}")
    async with make_client(authority) as client:
        with pytest.raises(errors.ServerError) as caught:
            await client.list_orgs()
    assert caught.value.status == 502
    assert "<html" not in str(caught.value).lower()
    assert "text/html" in str(caught.value)


async def test_expired_token_is_renewed_once_and_the_read_retried(authority_factory):
    authority = authority_factory(f"expire-token@requests=1@path={ORG_LIST}")
    async with make_client(authority, page_size=100) as client:
        await client.list_orgs()
        assert authority.fault_stats == {"expire-token": 1}
        assert requests_to(authority, "GET", JWT) == 2  # sign-in, then one renewal
        await client.list_orgs()  # the new token keeps working
    assert requests_to(authority, "GET", JWT) == 2


async def test_token_refused_again_after_renewal_is_an_authentication_error(authority_factory):
    authority = authority_factory(f"expire-token@path={ORG_LIST}")
    async with make_client(authority, page_size=100) as client:
        with pytest.raises(errors.AuthenticationError):
            await client.list_orgs()
    assert requests_to(authority, "GET", ORG_LIST) == 2  # renewed once, not in a loop
    assert requests_to(authority, "GET", JWT) == 2


async def test_concurrent_requests_share_one_token_renewal(authority_factory):
    authority = authority_factory("expire-token@requests=2@only=GET@path=/api/v1/")
    async with make_client(authority, page_size=5) as client:
        await client.sign_in()
        users, devices = await client.list_users(), await client.list_devices()
    assert users and devices
    assert requests_to(authority, "GET", JWT) == 2


@pytest.mark.parametrize("kind", ["503", "429@retry-after=2", "drop", "html"])
async def test_sign_in_is_retried_through_transient_faults(authority_factory, kind):
    authority = authority_factory(f"{kind}@requests=1-2@path={JWT}")
    sleep = FakeSleep()
    async with make_client(authority, sleep=sleep) as client:
        await client.sign_in()
        assert await client.list_orgs()
    assert requests_to(authority, "GET", JWT) == 3
    assert len(sleep.delays) == 2


async def test_sign_in_under_a_persistent_fault_is_bounded(authority_factory):
    authority = authority_factory(f"503@path={JWT}")
    async with make_client(authority) as client:
        with pytest.raises(errors.ServerError):
            await client.sign_in()
    assert requests_to(authority, "GET", JWT) == MAX_ATTEMPTS


# -- mutations -------------------------------------------------------------------------------

MUTATION_CASES = [
    # (fault on POST /api/v3/orgs, the client's outcome, whether the org exists afterwards)
    ("500@when=before", "unknown", False),
    ("500@when=after", "unknown", True),
    ("503", "error", False),  # refused unprocessed: a clear failure, not re-sent
    ("html@when=before", "unknown", False),
    ("html@when=after", "unknown", True),
    ("drop@when=before", "unknown", False),
    ("drop@when=after", "unknown", True),
    ("slow@seconds=2", "unknown", True),
    ("truncate", "unknown", True),
    ("malformed", "unknown", True),
    ("429@retry-after=1", "ok", True),  # refused unprocessed: safe to send again
    ("expire-token", "ok", True),  # refused unprocessed: renew the token, send again
]


@pytest.mark.parametrize(("fault", "outcome", "created"), MUTATION_CASES)
async def test_a_mutation_is_never_done_twice_and_a_lost_answer_is_unknown(
    authority_factory, fault, outcome, created
):
    authority = authority_factory(f"{fault}@only=POST@path=/api/v3/orgs@limit=1")
    name = "Fault Test Dental"
    audit = []
    async with make_client(authority, audit=audit.append) as client:
        top = next(org for org in await client.list_orgs() if org.is_top_level)
        if outcome == "unknown":
            with pytest.raises(errors.UnknownOutcomeError) as caught:
                await client.create_org(name, top.org_guid)
            assert "check the server" in str(caught.value)
        elif outcome == "error":
            with pytest.raises(errors.ServerError):
                await client.create_org(name, top.org_guid)
        else:
            org = await client.create_org(name, top.org_guid)
            assert org.org_name == name
    assert authority.fault_stats == {fault.split("@")[0]: 1}
    names = await _org_names(authority)
    assert names.count(name) == (1 if created else 0)  # the server's real state
    posts = requests_to(authority, "POST", "/api/v3/orgs")
    assert posts == (2 if outcome == "ok" else 1)  # sent again only when refused unprocessed
    assert [event.outcome for event in audit] == [outcome]


async def test_a_validation_500_stays_a_clear_refusal(authority_factory):
    authority = authority_factory()
    async with make_client(authority) as client:
        top = next(org for org in await client.list_orgs() if org.is_top_level)
        existing = (await client.list_users())[0]
        with pytest.raises(errors.BadRequestError) as caught:
            await client.create_user(top.org_uid, existing.username)
    assert caught.value.error_name == "USER_DUPLICATE"


async def test_random_write_faults_never_resend_a_processed_mutation(authority_factory):
    spec = ("500:0.1,503:0.1,429:0.1,html:0.1,drop:0.1@when=before,drop:0.1,truncate:0.05,"
            "malformed:0.05,expire-token:0.1,only=write")
    authority = authority_factory(spec, seed=3)
    rng = random.Random(5)
    succeeded = 0

    def refused() -> int:  # faults that mean "not processed, safe to send again"
        stats = authority.fault_stats
        return stats.get("429", 0) + stats.get("expire-token", 0) + authority.faults.revoked_refusals

    async with make_client(authority) as client:
        authority.faults.enabled = False
        users = [u for u in await client.list_users() if u.is_active]
        devices = [d for d in await client.list_devices() if d.is_active]
        authority.faults.enabled = True
        for _ in range(60):
            user, device = rng.choice(users), rng.choice(devices)
            call = rng.choice([  # each lambda is called in this iteration
                lambda: client.block_user(user.user_uid),  # noqa: B023
                lambda: client.unblock_user(user.user_uid),  # noqa: B023
                lambda: client.update_user(user.user_uid, notes=f"note {rng.random()}"),  # noqa: B023
                lambda: client.block_device(device.computer_id),  # noqa: B023
                lambda: client.unblock_device(device.computer_id),  # noqa: B023
            ])
            sent_before, refused_before = mutating_requests(authority), refused()
            try:
                await call()
                succeeded += 1
            except errors.ApiError:
                pass
            sent = mutating_requests(authority) - sent_before
            # Every request beyond those refused unprocessed reached the handler: at most one.
            assert 1 <= sent and sent - (refused() - refused_before) <= 1
    assert sum(authority.fault_stats.values()) > 10 and succeeded > 10
