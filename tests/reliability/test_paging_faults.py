"""Paging under repeat/skip faults, and fetch_snapshot under a random mix of every fault.

A list walk either returns every item exactly once or raises a clear ResponseFormatError:
repeated items are dropped, and a walk whose unique items disagree with totalCount is walked
once more, then refused ("the server's paging was inconsistent"). A snapshot is complete and
equal to a fault-free fetch, or the fetch raises an ApiError: never partial data.
"""

from __future__ import annotations

import pytest
from faultkit import FakeSleep, make_client, requests_to

from msp_tui.api import errors, fetch_snapshot

USERS = "/api/v1/User"


async def _user_ids(authority) -> list[int]:
    enabled, authority.faults.enabled = authority.faults.enabled, False
    try:
        async with make_client(authority, page_size=10) as client:
            return sorted(u.user_id for u in await client.list_users())
    finally:
        authority.faults.enabled = enabled


async def test_the_demo_has_enough_users_for_several_pages(authority_factory):
    ids = await _user_ids(authority_factory())
    assert len(ids) > 30 and len(ids) % 10 != 0  # several full pages and a short last one


@pytest.mark.parametrize("kind", ["repeat-page", "skip-page"])
async def test_one_shifted_page_is_detected_and_the_walk_done_again(authority_factory, kind):
    authority = authority_factory(f"{kind}@requests=3@path={USERS}")
    expected = await _user_ids(authority)
    async with make_client(authority, page_size=10) as client:
        users = await client.list_users()
    assert authority.fault_stats == {kind: 1}
    assert sorted(u.user_id for u in users) == expected  # all of them, each once
    pages = -(-len(expected) // 10)
    walks = requests_to(authority, "GET", USERS) - pages  # minus the fault-free look above
    assert walks in (2 * pages, 2 * pages + 1)  # walked again


async def test_items_repeated_on_the_last_page_are_dropped(authority_factory):
    expected = await _user_ids(authority_factory())
    pages = -(-len(expected) // 10)
    # The short last page repeats the item before it: a pure repeat, nothing lost.
    authority = authority_factory(f"repeat-page@requests={pages}@path={USERS}")
    async with make_client(authority, page_size=10, max_concurrency=1) as client:
        users = await client.list_users()
    assert authority.fault_stats == {"repeat-page": 1}
    assert sorted(u.user_id for u in users) == expected
    assert requests_to(authority, "GET", USERS) == pages  # nothing lost: no second walk


async def test_paging_that_stays_inconsistent_is_a_clear_error(authority_factory):
    authority = authority_factory(f"skip-page@path={USERS}")
    async with make_client(authority, page_size=10) as client:
        with pytest.raises(errors.ResponseFormatError, match="paging was inconsistent"):
            await client.list_users()
    pages = -(-len(await _user_ids(authority)) // 10)
    assert requests_to(authority, "GET", USERS) <= 2 * (pages + 1) + pages  # two walks (+ the look above)


async def test_every_page_shifted_the_same_way_is_still_complete(authority_factory):
    # Each page repeating the last item of the one before is a consistent shift: nothing lost.
    authority = authority_factory(f"repeat-page@path={USERS}")
    expected = await _user_ids(authority)
    async with make_client(authority, page_size=10) as client:
        users = await client.list_users()
    assert sorted(u.user_id for u in users) == expected


MIX = ("500:0.02,503:0.03,429:0.03@retry-after=1,html:0.02,slow:0.01@seconds=1,drop:0.02,"
       "truncate:0.01,malformed:0.01,expire-token:0.01,repeat-page:0.03,skip-page:0.02")


def _ids(snapshot) -> dict[str, list]:
    return {
        "orgs": sorted(o.org_id for o in snapshot.orgs),
        "users": sorted(u.user_id for u in snapshot.users),
        "devices": sorted(d.computer_id for d in snapshot.devices),
        "cold": sorted(str(r.archive_guid) for r in snapshot.cold_storage),
    }


async def test_snapshot_under_a_random_mix_is_complete_or_an_api_error(authority_factory):
    baseline_authority = authority_factory()
    async with make_client(baseline_authority, page_size=10) as client:
        baseline = await fetch_snapshot(client, "northwind")
    expected = _ids(baseline)
    assert all(expected.values())
    complete = failed = requests = 0
    injected: dict[str, int] = {}
    for seed in range(24):
        authority = authority_factory(MIX, seed=seed)
        sleep = FakeSleep()
        async with make_client(authority, page_size=10, sleep=sleep) as client:
            try:
                snapshot = await fetch_snapshot(client, "northwind")
            except errors.ApiError as exc:
                assert str(exc) and "\n" not in str(exc)
                failed += 1
            else:
                assert _ids(snapshot) == expected, f"seed {seed}: partial or wrong data"
                assert len(snapshot.devices) == len(set(d.computer_id for d in snapshot.devices))
                assert sorted(snapshot.devices, key=lambda d: d.computer_id) == sorted(
                    baseline.devices, key=lambda d: d.computer_id)
                complete += 1
        requests += authority.faults.requests
        for kind, count in authority.fault_stats.items():
            injected[kind] = injected.get(kind, 0) + count
        assert len(sleep.delays) <= authority.faults.requests  # back-off only between attempts
    assert requests >= 300
    assert complete >= 6 and sum(injected.values()) >= 30
    assert {"503", "429", "drop", "repeat-page", "skip-page"} <= set(injected)
