"""Provides the org tree of an account: top-level org, customer orgs, nested orgs and paths.

The program's best practice is one org per customer directly under the partner's top-level
org. So a customer is an org at depth 1; an org deeper down belongs to the customer at depth 1
on its path (its users and devices are that customer's). Orgs whose parent chain does not reach
the top-level org (another root, a missing parent, a cycle) are "detached" and belong to no
customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from msp_tui.models.org import Org
from msp_tui.models.snapshot import AccountSnapshot

TOP_LEVEL_LABEL = "(top-level org)"
"""Chargeback line name for users placed directly in the top-level org."""
DETACHED_LABEL = "(outside top-level org)"
"""Chargeback line name for users in orgs not under the top-level org."""


@dataclass(frozen=True)
class OrgTree:
    """The org hierarchy of one snapshot, with precomputed depth, path and customer per org."""

    top: Org | None
    """The partner's top-level org."""
    orgs: dict[int, Org]
    """All orgs by id."""
    children: dict[int, tuple[int, ...]]
    """Child org ids by parent org id, in snapshot order."""
    depth: dict[int, int]
    """Depth under the top-level org (top = 0, customers = 1); detached orgs are absent."""
    path: dict[int, tuple[str, ...]]
    """Names from the top-level org down to the org (detached orgs: from their own root)."""
    customer_of: dict[int, int | None] = field(default_factory=dict)
    """Customer org id of each org; None for the top-level org and detached orgs."""

    @property
    def customers(self) -> list[Org]:
        """The customer orgs (direct children of the top-level org), in snapshot order."""
        if self.top is None:
            return []
        return [self.orgs[i] for i in self.children.get(self.top.org_id, ())]

    @property
    def nested(self) -> list[Org]:
        """Orgs deeper than customer orgs (depth 2 or more), in snapshot order."""
        return [o for o in self.orgs.values() if self.depth.get(o.org_id, 0) >= 2]

    @property
    def detached(self) -> list[Org]:
        """Orgs whose chain does not reach the top-level org."""
        return [o for o in self.orgs.values() if o.org_id not in self.depth]

    def customer_for(self, org_id: int | None) -> Org | None:
        """Returns the customer org that `org_id` belongs to, or None."""
        if org_id is None:
            return None
        cid = self.customer_of.get(org_id)
        return self.orgs.get(cid) if cid is not None else None

    def is_top(self, org_id: int | None) -> bool:
        """True when `org_id` is the top-level org."""
        return self.top is not None and org_id == self.top.org_id

    def path_str(self, org_id: int, sep: str = " / ") -> str:
        """Returns the path of `org_id` as text ("Partner / Acme / Acme Branch")."""
        return sep.join(self.path.get(org_id, (str(org_id),)))

    def line_name(self, org_id: int | None) -> str:
        """Returns the chargeback line an org's users belong to: a customer name or a label."""
        if self.is_top(org_id):
            return TOP_LEVEL_LABEL
        customer = self.customer_for(org_id)
        return customer.org_name if customer is not None else DETACHED_LABEL

    def find_by_name(self, name: str) -> Org | None:
        """Returns the customer org named `name` (exact, then case-insensitive), or None."""
        customers = self.customers
        for org in customers:
            if org.org_name == name:
                return org
        folded = name.casefold()
        for org in customers:
            if org.org_name.casefold() == folded:
                return org
        return None


def build_tree(snapshot: AccountSnapshot) -> OrgTree:
    """Builds the org tree of `snapshot`."""
    orgs = {o.org_id: o for o in snapshot.orgs}
    top = snapshot.top_org
    children: dict[int, list[int]] = {}
    for org in snapshot.orgs:
        if org.parent_org_id is not None and org.parent_org_id in orgs:
            children.setdefault(org.parent_org_id, []).append(org.org_id)
    depth: dict[int, int] = {}
    path: dict[int, tuple[str, ...]] = {}
    customer_of: dict[int, int | None] = {}
    if top is not None:
        depth[top.org_id] = 0
        path[top.org_id] = (top.org_name,)
        customer_of[top.org_id] = None
        stack: list[tuple[int, int | None]] = [(top.org_id, None)]
        while stack:
            parent, customer = stack.pop()
            for child in children.get(parent, ()):
                if child in depth:  # a cycle back into the tree
                    continue
                depth[child] = depth[parent] + 1
                path[child] = (*path[parent], orgs[child].org_name)
                owner = child if customer is None else customer
                customer_of[child] = owner
                stack.append((child, owner))
    for org in snapshot.orgs:
        if org.org_id not in path:
            path[org.org_id] = _detached_path(org, orgs)
            customer_of[org.org_id] = None
    return OrgTree(
        top=top,
        orgs=orgs,
        children={k: tuple(v) for k, v in children.items()},
        depth=depth,
        path=path,
        customer_of=customer_of,
    )


def _detached_path(org: Org, orgs: dict[int, Org]) -> tuple[str, ...]:
    names = [org.org_name]
    seen = {org.org_id}
    parent = org.parent_org_id
    while parent is not None and parent in orgs and parent not in seen:
        seen.add(parent)
        names.append(orgs[parent].org_name)
        parent = orgs[parent].parent_org_id
    return tuple(reversed(names))
