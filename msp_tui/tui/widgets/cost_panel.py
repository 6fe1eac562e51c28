"""Provides CostPanel: the live cost projection of the account.

The parent sets attributes (never the other way round): `projection` (a domain `Projection`),
`customer_share` (the selected customer's `ChargebackLine` or None), `whatif` (a `WhatIfResult`
or None) and `prices` (for the currency symbol). The panel only formats; all arithmetic comes
from the billing engine. Nothing animates, so an idle panel sends nothing over SSH.

With the `-compact` class (80x24) the panel is a single line.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import ProgressBar, Static

from msp_tui.domain.chargeback import ChargebackLine
from msp_tui.domain.policy import PriceBook
from msp_tui.domain.pricing import format_money
from msp_tui.domain.projection import Projection

if TYPE_CHECKING:  # the what-if engine (pydantic change models) loads when the editor opens
    from msp_tui.domain.whatif import WhatIfResult

LABEL_WIDTH = 14
"""Width of the label column of the full panel ("Next (Jul 01) " is the longest label)."""


def tier_short(projection: Projection) -> str:
    """A few words for the billed-users row: "▲ cliff", "✓ tier rate", "⚠ no margin", "· below tier"."""
    if projection.at_tier:
        return "⚠ no margin" if projection.margin_above_tier == 0 else "✓ tier rate"
    return "▲ cliff" if projection.in_cliff else "· below tier"


def label_rows(rows: list[tuple[str, str]], width: int) -> str:
    """Aligns (label, value) rows in two columns; a value too long for its row goes on the next line."""
    lines = []
    room = max(1, width - LABEL_WIDTH)
    for label, value in rows:
        if len(value) <= room:
            lines.append(f"{label:<{LABEL_WIDTH}}{value}")
        else:
            lines += [label, f"  {value}"] if label else [f"  {value}"]
    return "\n".join(lines)


def tier_word(projection: Projection) -> str:
    """Status of the account against the tier, as a symbol and words (never colour alone)."""
    if projection.at_tier:
        if projection.margin_above_tier == 0:
            return "⚠ at the tier, no margin"
        return "✓ tier rate"
    if projection.in_cliff:
        return "▲ cliff: paying more than at the tier"
    return "· below the tier"


class CostPanel(Widget):
    """Billed users toward the tier, this and next cycle's rate and total, and the tier advice."""

    DEFAULT_CSS = """
    CostPanel {
        height: auto;
        padding: 0 1;
        border: round $primary;
        border-title-color: $text;
    }
    CostPanel #cost-line {
        display: none;
    }
    CostPanel #cost-bar {
        height: 1;
    }
    CostPanel #cost-bar Bar {
        width: 1fr;
    }
    CostPanel #cost-whatif {
        display: none;
        color: $text-accent;
    }
    CostPanel.-whatif #cost-whatif {
        display: block;
    }
    CostPanel .-muted {
        color: $text-muted;
    }
    CostPanel.-compact {
        border: none;
        padding: 0;
        height: 1;
    }
    CostPanel.-compact #cost-line {
        display: block;
    }
    CostPanel.-compact .full {
        display: none;
    }
    """
    """Full layout and the one-line `-compact` form; theme variables only."""

    projection: reactive[Projection | None] = reactive(None, init=False)
    """The account's projection; None shows a placeholder."""
    customer_share: reactive[ChargebackLine | None] = reactive(None, init=False)
    """The selected customer's chargeback line, or None."""
    whatif: reactive[WhatIfResult | None] = reactive(None, init=False)
    """A what-if result to show before/after, or None."""
    prices: reactive[PriceBook] = reactive(PriceBook, init=False)
    """The price book (for the currency symbol)."""

    def __init__(
        self,
        projection: Projection | None = None,
        *,
        prices: PriceBook | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Builds the panel, optionally with a first projection."""
        super().__init__(name=name, id=id, classes=classes)
        self.border_title = "Cost"
        self._ready = False
        self.set_reactive(CostPanel.projection, projection)
        self.set_reactive(CostPanel.prices, prices or PriceBook())

    def compose(self) -> ComposeResult:
        """Lays out the compact line, users, progress bar, cycles, advice, share and what-if."""
        yield Static(id="cost-line", markup=False)
        yield Static(id="cost-users", classes="full", markup=False)
        bar = ProgressBar(total=51, show_eta=False, show_percentage=False, id="cost-bar",
                          classes="full")
        yield bar
        yield Static(id="cost-cycles", classes="full", markup=False)
        yield Static(id="cost-advice", classes="full", markup=False)
        yield Static(id="cost-share", classes="full -muted", markup=False)
        yield Static(id="cost-whatif", classes="full", markup=False)

    def on_mount(self) -> None:
        """Fills the panel with the initial attributes."""
        self._ready = True
        self._show()

    def watch_projection(self) -> None:
        self._show()

    def watch_customer_share(self) -> None:
        self._show()

    def watch_whatif(self) -> None:
        self._show()

    def watch_prices(self) -> None:
        self._show()

    def _money(self, amount: object) -> str:
        return format_money(amount, self.prices)  # type: ignore[arg-type]

    def _show(self) -> None:
        if not self._ready:
            return
        p = self.projection
        self.set_class(self.whatif is not None, "-whatif")
        text = self._texts(p)
        for key, value in text.items():
            self.query_one(f"#cost-{key}", Static).update(value)
        bar = self.query_one("#cost-bar", ProgressBar)
        if p is not None:
            bar.update(total=p.tier_threshold, progress=min(p.billed_users, p.tier_threshold))
        else:
            bar.update(total=self.prices.tier_threshold, progress=0)

    def on_resize(self) -> None:
        # The label/value rows are laid out for the panel's width.
        self._show()

    def _width(self) -> int:
        width = self.content_region.width
        return width if width > 0 else 36

    def _times(self, rate: Decimal, users: int, total: Decimal) -> str:
        """ "$9.99 × 48 = $479.52", or "$9.99/user, $479.52" when the total is not the product."""
        m = self._money
        if rate * users == total:
            return f"{m(rate)} × {users} = {m(total)}"
        return f"{m(rate)}/user, {m(total)}"

    def _texts(self, p: Projection | None) -> dict[str, str]:
        if p is None:
            placeholder = "Cost: no data yet"
            return {"line": placeholder, "users": placeholder, "cycles": "", "advice": "",
                    "share": "", "whatif": ""}
        m = self._money
        width = self._width()
        users = label_rows([("Billed users", f"{p.billed_users} / {p.tier_threshold}  {tier_short(p)}")],
                           width)
        change = ""
        if p.rate_changes_next_cycle:
            change = " ▼" if p.next_cycle_rate < p.rate else " ▲"
        cycles = label_rows([
            ("This cycle", self._times(p.rate, p.billed_users, p.monthly_total)),
            (f"Next ({p.next_cycle_date:%b %d})",
             self._times(p.next_cycle_rate, p.billed_users, p.next_cycle_total) + change),
        ], width)
        share = self._share_text(width)
        whatif = self._whatif_text(width)
        line = (
            f"Users {p.billed_users}/{p.tier_threshold} {tier_word(p).split(':')[0]} · "
            f"{m(p.rate)} · {m(p.monthly_total)}/mo · next {p.next_cycle_date:%m-%d} "
            f"{m(p.next_cycle_total)}"
        )
        if self.whatif is not None:
            after = self.whatif.after
            line += f" · what-if {after.billed_users} users {m(after.next_cycle_total)}"
        elif p.in_cliff:
            line += f" · add {p.users_to_tier}: -{m(p.saving_at_tier)}"
        return {"line": line, "users": users, "cycles": cycles, "advice": p.message,
                "share": share, "whatif": whatif}

    def _share_text(self, width: int) -> str:
        s = self.customer_share
        if s is None:
            return "Select a customer to see its share."
        users = f"{s.users} user{'s' if s.users != 1 else ''}"
        org = s.org if len(s.org) <= width - LABEL_WIDTH else s.org[: max(1, width - LABEL_WIDTH - 1)] + "…"
        rows = [("Customer", org), ("Share", f"{self._money(s.monthly_share)}/mo · {users}")]
        if s.cold_storage_users:
            rows.append(("", f"{s.cold_storage_users} in cold storage"))
        if s.margin is not None:
            rows.append(("Margin", f"{self._money(s.margin)}/mo"))
        return label_rows(rows, width)

    def _whatif_text(self, width: int) -> str:
        w = self.whatif
        if w is None:
            return ""
        m = self._money
        b, a = w.before, w.after
        delta = w.delta
        sign = "+" if delta > 0 else "-" if delta < 0 else "±"
        rows = [
            ("What-if", f"{b.billed_users} → {a.billed_users} users"),
            ("  rate", f"{m(b.next_cycle_rate)} → {m(a.next_cycle_rate)}/user"),
            ("  next cycle", f"{m(b.next_cycle_total)} → {m(a.next_cycle_total)}"),
            ("", f"{sign}{m(abs(delta))} a month"),
        ]
        if a.at_tier != b.at_tier:
            rows.append(("", "▲ reaches the tier" if a.at_tier else "▼ falls below the tier"))
        return label_rows(rows, width)
