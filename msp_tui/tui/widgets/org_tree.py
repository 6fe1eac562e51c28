"""Provides `OrgTree`: the partner's top-level org, its customer orgs and any nested orgs.

Each label carries a health mark that reads without colour (✓ ok, ! warning, ✗ critical,
∅ never, · no devices) and the org's user and device counts; nested orgs (orgs under a
customer org, against the program's best practice) end with a "⚠ nested" flag. Only orgs are
nodes; users and devices live in the customer pane, so 500 customers stay a 500-node tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from msp_tui.domain.health import Health
from msp_tui.tui.dataset import HEALTH_MARK, HEALTH_STYLE, Dataset

MIN_NAME = 8
"""Names are cut with "…" to fit the tree's width, but never below this many cells."""


@dataclass(frozen=True)
class OrgNode:
    """What a tree node knows about its org."""

    org_id: int
    style: str | None
    """Semantic style of the health mark ("critical", "warning", "muted") or None."""
    counts_at: int
    """Offset in the label of the space before the muted counts."""
    nested_at: int | None = None
    """Offset in the label of the "⚠ nested" flag, or None."""


NESTED_FLAG = " ⚠ nested"
"""Suffix of an org below a customer org (against the program's best practice)."""


def org_label(name: str, users: int, devices: int, worst: Health | None, *, room: int = 40,
              nested: bool = False, deactivated: bool = False) -> tuple[Text, OrgNode]:
    """Builds a node label that fits `room` cells (names are cut first, counts are kept).

    The label is "<mark> <name>[ ⚠ nested] <users>u <devices>d": always one mark and one space
    before the name, so names line up whatever the health.
    """
    mark = HEALTH_MARK[worst] if worst is not None else "·"
    prefix = f"{mark} "
    flag = NESTED_FLAG if nested else ""
    extra = f" {users}u {devices}d" + (" (deactivated)" if deactivated else "")
    fit = max(MIN_NAME, room - len(prefix) - len(flag) - len(extra))
    if len(name) > fit:
        name = name[: fit - 1] + "…"
    text = prefix + name + flag
    style = "muted" if deactivated else (HEALTH_STYLE[worst] if worst is not None else None)
    nested_at = len(prefix) + len(name) + 1 if nested else None
    return Text(text + extra), OrgNode(0, style, len(text), nested_at)


class OrgTree(Tree[OrgNode]):
    """The org hierarchy; highlighting an org posts `OrgSelected`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", tooltip="Open the org's users and devices"),
        Binding("left", "collapse_or_parent", "Collapse", show=False),
        Binding("right", "expand_node", "Expand", show=False),
    ]
    """Arrows move and fold; enter opens the org's users (focus moves to the table)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "org-tree--critical", "org-tree--warning", "org-tree--muted", "org-tree--counts",
    }

    DEFAULT_CSS = """
    OrgTree {
        & > .org-tree--critical { color: $text-error; text-style: bold; }
        & > .org-tree--warning { color: $text-warning; text-style: bold; }
        & > .org-tree--muted { color: $text-muted; }
        & > .org-tree--counts { color: $text-muted; }
    }
    """

    class OrgSelected(Message):
        """The highlighted org changed (or enter was pressed: `opened` is True)."""

        def __init__(self, org_id: int, *, opened: bool = False) -> None:
            super().__init__()
            self.org_id = org_id
            self.opened = opened

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Organizations", id=id)
        self.show_root = True
        self.guide_depth = 2
        self.auto_expand = False
        self.show_deactivated = False
        """Deactivated orgs are hidden unless this is on (`D`)."""
        self._org_nodes: dict[int, TreeNode[OrgNode]] = {}
        self._dataset: Dataset | None = None
        self._room = 0

    # ---------------------------------------------------------------- data in

    def show_dataset(self, dataset: Dataset, selected: int | None) -> None:
        """Rebuilds the tree for `dataset`, keeping the selection and the folded state."""
        tree = dataset.tree
        self._dataset = dataset
        self._room = self._label_room()
        collapsed = {oid for oid, node in self._org_nodes.items() if not node.is_expanded}
        self._org_nodes.clear()
        self.clear()
        top = tree.top
        if top is None:
            self.root.set_label("(no top-level org)")
            return
        summary = dataset.summary(top.org_id)
        label, data = org_label(top.org_name, summary.users, summary.devices, summary.worst,
                                room=self._room)
        self.root.set_label(label)
        self.root.data = OrgNode(top.org_id, data.style, data.counts_at, data.nested_at)
        self._org_nodes[top.org_id] = self.root
        self._add_org_nodes(dataset, self.root, top.org_id, collapsed)
        self.root.expand()
        target = selected if selected in self._org_nodes else top.org_id
        self.select_org(target)

    def _add_org_nodes(self, dataset: Dataset, parent: TreeNode[OrgNode], org_id: int,
                      collapsed: set[int]) -> None:
        tree = dataset.tree
        children = [tree.orgs[c] for c in tree.children.get(org_id, ())]
        children.sort(key=lambda o: (not o.is_active, o.org_name.casefold()))
        for org in children:
            if not org.is_active and not self.show_deactivated:
                continue
            s = dataset.summary(org.org_id)
            depth = dataset.tree.depth.get(org.org_id, 1)
            has_children = bool(tree.children.get(org.org_id))
            room = self._room - self.guide_depth * depth - (2 if has_children else 0)
            label, data = org_label(org.org_name, s.users, s.devices, s.worst, room=room,
                                    nested=s.nested, deactivated=not org.is_active)
            node_data = OrgNode(org.org_id, data.style, data.counts_at, data.nested_at)
            if has_children:
                node = parent.add(label, node_data, expand=org.org_id not in collapsed)
                self._org_nodes[org.org_id] = node
                self._add_org_nodes(dataset, node, org.org_id, collapsed)
            else:
                self._org_nodes[org.org_id] = parent.add_leaf(label, node_data)

    def _label_room(self) -> int:
        width = self.scrollable_content_region.width if self.is_mounted else 0
        return max(24, width - 1) if width else 40

    def on_resize(self) -> None:
        # Labels are cut to the width, so a new width (breakpoint change) re-labels the tree.
        if self._dataset is not None and self._label_room() != self._room:
            self.show_dataset(self._dataset, self.selected_org)

    def select_org(self, org_id: int) -> bool:
        """Moves the cursor to `org_id` (expanding its parents); False if it is not shown."""
        node = self._org_nodes.get(org_id)
        if node is None:
            return False
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        # Line numbers are assigned when the tree lays out its lines; right after a rebuild they
        # are not, and the cursor would land on the root. Lay them out now.
        self._build()
        self.move_cursor(node, animate=False)
        return True

    @property
    def selected_org(self) -> int | None:
        """Org id under the cursor."""
        node = self.cursor_node
        return node.data.org_id if node is not None and node.data is not None else None

    def org_ids(self) -> list[int]:
        """Org ids shown, in tree order (for tests)."""
        return list(self._org_nodes)

    # ---------------------------------------------------------------- events and keys

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[OrgNode]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.OrgSelected(event.node.data.org_id))

    def on_tree_node_selected(self, event: Tree.NodeSelected[OrgNode]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.OrgSelected(event.node.data.org_id, opened=True))

    def action_collapse_or_parent(self) -> None:
        """Collapses an open node, else moves to its parent."""
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.children:
            node.collapse()
        elif node.parent is not None:
            self.move_cursor(node.parent, animate=False)

    def action_expand_node(self) -> None:
        """Expands the node under the cursor."""
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()

    # ---------------------------------------------------------------- rendering

    def render_label(self, node: TreeNode[OrgNode], base_style: Style, style: Style) -> Text:
        text = super().render_label(node, base_style, style)
        data = node.data
        if data is None:
            return text
        prefix = len(text) - len(node.label)
        if data.style is not None:
            mark_style = self.get_component_rich_style(f"org-tree--{data.style}", partial=True)
            # The mark and its space are one span, so every name starts the same way.
            end = len(text) if data.style == "muted" else prefix + 2
            text.stylize(mark_style, prefix, end)
        if data.nested_at is not None:
            flag = self.get_component_rich_style("org-tree--warning", partial=True)
            text.stylize(flag, prefix + data.nested_at, prefix + data.counts_at)  # "⚠ nested"
        counts = self.get_component_rich_style("org-tree--counts", partial=True)
        text.stylize(counts, prefix + data.counts_at + 1, len(text))
        return text
