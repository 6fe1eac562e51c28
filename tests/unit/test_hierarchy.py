"""Tests the org tree: customers at depth 1, nested orgs, paths and detached orgs."""

from __future__ import annotations

from datetime import datetime, timezone

from msp_tui.domain.hierarchy import DETACHED_LABEL, TOP_LEVEL_LABEL, build_tree
from msp_tui.models import AccountSnapshot, Org


def org(i: int, name: str, parent: int | None = None, **kw: object) -> Org:
    return Org.model_validate({"orgId": i, "orgName": name, "parentOrgId": parent, **kw})


def snap(*orgs: Org) -> AccountSnapshot:
    return AccountSnapshot("p", datetime(2026, 5, 1, tzinfo=timezone.utc), tuple(orgs))


TREE = snap(
    org(1, "MSP"),
    org(2, "Acme", 1),
    org(3, "Beta", 1),
    org(4, "Acme Branch", 2),
    org(5, "Acme Branch Lab", 4),
    org(6, "Stray", 99),  # parent missing
    org(7, "Old root", status="Deactivated", active=False),
    org(8, "Under old root", 7),
)


def test_top_and_customers() -> None:
    tree = build_tree(TREE)
    assert tree.top is not None and tree.top.org_name == "MSP"
    assert [o.org_name for o in tree.customers] == ["Acme", "Beta"]
    assert tree.depth[1] == 0 and tree.depth[2] == 1 and tree.depth[5] == 3


def test_nested_orgs_with_paths() -> None:
    tree = build_tree(TREE)
    assert [o.org_name for o in tree.nested] == ["Acme Branch", "Acme Branch Lab"]
    assert tree.path_str(5) == "MSP / Acme / Acme Branch / Acme Branch Lab"
    assert tree.path[4] == ("MSP", "Acme", "Acme Branch")


def test_nested_orgs_belong_to_their_depth_one_customer() -> None:
    tree = build_tree(TREE)
    assert tree.customer_of[4] == 2 and tree.customer_of[5] == 2
    assert tree.customer_of[2] == 2 and tree.customer_of[3] == 3
    assert tree.customer_of[1] is None
    customer = tree.customer_for(5)
    assert customer is not None and customer.org_name == "Acme"
    assert tree.customer_for(None) is None


def test_line_names() -> None:
    tree = build_tree(TREE)
    assert tree.line_name(1) == TOP_LEVEL_LABEL
    assert tree.line_name(5) == "Acme"
    assert tree.line_name(6) == DETACHED_LABEL
    assert tree.line_name(12345) == DETACHED_LABEL


def test_detached_orgs() -> None:
    tree = build_tree(TREE)
    assert {o.org_name for o in tree.detached} == {"Stray", "Old root", "Under old root"}
    assert tree.path_str(8) == "Old root / Under old root"
    assert tree.customer_of[6] is None


def test_cycle_in_parents_does_not_hang() -> None:
    tree = build_tree(snap(org(1, "MSP"), org(2, "A", 3), org(3, "B", 2)))
    assert {o.org_name for o in tree.detached} == {"A", "B"}


def test_find_by_name() -> None:
    tree = build_tree(TREE)
    assert tree.find_by_name("Acme") is not None
    found = tree.find_by_name("beta")
    assert found is not None and found.org_id == 3
    assert tree.find_by_name("Acme Branch") is None  # not a customer


def test_empty_snapshot() -> None:
    tree = build_tree(snap())
    assert tree.top is None and tree.customers == [] and tree.line_name(1) == DETACHED_LABEL
