"""Provides the views the wizard screens are made of: the plan (a dry run), its cost, the step list.

Everything here only formats what the engine decided (`domain.wizards`): the plan's sentences,
the billing engine's before/after per account, each step's journaled status. A status is always
a glyph and a word ("⏸ waiting for a person"), so it reads with NO_COLOR and on 16 colours.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from msp_tui.domain.pricing import format_money
from msp_tui.domain.wizards.model import CostLine, Plan, StepStatus
from msp_tui.domain.wizards.plans import os_label
from msp_tui.domain.wizards.render import STATUS_MARKS

_STATUS_WORDS: dict[str, str] = {
    "pending": "waiting to run",
    "running": "running",
    "done": "done",
    "skipped": "skipped",
    "failed": "failed",
    "unknown": "outcome unknown",
    "waiting": "waiting for a person",
    "rolled-back": "rolled back",
}

STATUS_LABELS: dict[str, str] = {
    status: f"{STATUS_MARKS.get(status, '?')} {words}" for status, words in _STATUS_WORDS.items()
}
"""Glyph and word per step status (never colour alone); the glyphs are the CLI's `STATUS_MARKS`."""

STATUS_STYLE: dict[str, str] = {
    "done": "$text-success", "failed": "$text-error", "unknown": "$text-warning",
    "waiting": "$text-warning", "running": "$text-accent", "skipped": "$text-muted",
    "rolled-back": "$text-muted", "pending": "$text-muted",
}
"""Theme variable per status; an extra cue on top of the glyph and word."""

_LABEL_WIDTH = max(len(label) for label in STATUS_LABELS.values())


def status_label(status: str | StepStatus) -> str:
    """Returns "✓ done", "⏸ waiting for a person"... for a step status."""
    value = status.value if isinstance(status, StepStatus) else status
    return STATUS_LABELS.get(value, value)


def _money(text: str | None) -> str:
    return format_money(Decimal(text)) if text is not None else "?"


def cost_line_text(line: CostLine, *, compact: bool = False) -> str:
    """One account's bill before → after the plan (and after purging its cold storage).

    Compact (80x24): "Northwind MSP: 48→46 users, $479.52→$459.54/mo; purged 46 $459.54".
    """
    purge = ""
    if line.after_purge_billed is not None and line.after_purge_billed != line.billed_after:
        purge = (f"; once purged {line.after_purge_billed} {_money(line.after_purge_monthly)}" if compact else
                 f", once the cold storage is purged {line.after_purge_billed} users, "
                 f"{_money(line.after_purge_monthly)} a month")
    notes = " ".join(line.notes)
    crossing = (" ▲ crosses the tier" if "crosses the" in notes else
                " ▼ falls below the tier" if "falls below" in notes else "")
    if compact:
        return (f"{line.name}: {line.billed_before}→{line.billed_after} users, "
                f"{_money(line.monthly_before)}→{_money(line.monthly_after)}/mo{purge}{crossing}")
    return (f"{line.name} ({line.account}): {line.billed_before} → {line.billed_after} billed users, "
            f"{_money(line.monthly_before)} → {_money(line.monthly_after)} a month from {line.next_cycle}, "
            f"rate {_money(line.rate_before)} → {_money(line.rate_after)}/user{purge}.{crossing}")


def cost_text(plan: Plan, *, compact: bool = False) -> str:
    """Every account of the plan: one line each (compact), or a heading and the engine's sentences."""
    if compact:
        return "\n".join(cost_line_text(line, compact=True) for line in plan.costs) or "No cost effect."
    lines: list[str] = []
    for line in plan.costs:
        lines.append(f"{line.name} ({line.account} account) · next cycle {line.next_cycle} · "
                     f"rate {_money(line.rate_before)} → {_money(line.rate_after)}/user")
        lines += [f"  {note}" for note in line.notes]
    return "\n".join(lines) or "No cost effect."


class PlanView(VerticalScroll, can_focus=True):
    """The whole plan, read before anything changes: what happens, who, cost, steps (dry run)."""

    DEFAULT_CSS = """
    PlanView {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    PlanView .heading {
        text-style: bold;
        margin: 1 0 0 0;
    }
    PlanView .warning {
        color: $text-warning;
    }
    PlanView #plan-cost-full {
        color: $text-accent;
    }
    """
    """Section headings and the warning colour (words carry the meaning)."""

    def __init__(self, plan: Plan, *, max_rows: int = 200, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan = plan
        self.max_rows = max_rows

    def compose(self) -> ComposeResult:
        """One section per part of the plan; long lists are cut at `max_rows`."""
        plan, cut = self.plan, self.max_rows
        manual = sum(1 for s in plan.steps if s.manual)
        yield Static(f"Planned {plan.planned_on} · {len(plan.steps)} steps ({len(plan.steps) - manual} "
                     f"automatic, {manual} manual) · dry run: nothing has been sent", markup=False)
        yield Static("What happens", classes="heading")
        yield Static("\n".join(f"• {line}" for line in plan.summary), markup=False)
        if plan.warnings:
            yield Static("Warnings", classes="heading")
            yield Static("\n".join(f"⚠ {w}" for w in plan.warnings), classes="warning", markup=False)
        yield Static("Cost, before → after, on every account", classes="heading")
        yield Static(cost_text(plan), id="plan-cost-full", markup=False)
        if plan.users:
            yield Static(f"Users ({len(plan.users)})", classes="heading")
            rows = [f"  {u['username']}, {u['devices']} device(s)"
                    + (f" → renamed {u['new_username']}" if u.get("new_username") else "")
                    for u in plan.users[:cut]]
            yield Static("\n".join(rows), markup=False)
        if plan.devices:
            yield Static(f"Devices ({len(plan.devices)})", classes="heading")
            rows = [f"  {d['hostname'] or d['name']} · {os_label(str(d['os']))} · {d['user']}"
                    for d in plan.devices[:cut]]
            yield Static("\n".join(rows), markup=False)
        yield Static("Steps (dry run: what would be sent, in order)", classes="heading")
        rows = [f"  {n:>3}. [{'manual' if s.manual else 'auto'}] {s.title}"
                for n, s in enumerate(plan.steps[:cut], start=1)]
        yield Static("\n".join(rows), markup=False)


class StepList(OptionList):
    """The run's steps, one row each: number, status (glyph and word), manual/auto, title."""

    DEFAULT_CSS = """
    StepList {
        height: 1fr;
        border: none;
        padding: 0;
        scrollbar-size-vertical: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StepList:focus {
        border: none;
    }
    """
    """One line per step (long titles end in "…"; the detail line under the list has them whole)."""

    def __init__(self, plan: Plan, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan = plan
        self.statuses: list[str] = ["pending"] * len(plan.steps)
        """Each step's status value, as last shown."""
        self.messages: list[str] = [""] * len(plan.steps)
        """Each step's last outcome message."""

    def on_mount(self) -> None:
        """Adds one row per step."""
        self.add_options([Option(self._prompt(i), id=f"step-{i}") for i in range(len(self.plan.steps))])
        if self.plan.steps:
            self.highlighted = 0

    def _prompt(self, index: int) -> Content:
        step, status = self.plan.steps[index], self.statuses[index]
        return Content.assemble(
            f"{index + 1:>3}. ",
            (f"{status_label(status):<{_LABEL_WIDTH}}", STATUS_STYLE.get(status, "")),
            f" {'manual' if step.manual else 'auto  '} {step.title}",
        )

    def show(self, index: int, status: str, message: str | None = None) -> None:
        """Shows step `index` at `status` (and keeps its message)."""
        self.statuses[index] = status
        if message is not None:
            self.messages[index] = message
        if self.option_count > index:
            self.replace_option_prompt_at_index(index, self._prompt(index))

    def show_all(self, statuses: Sequence[str], messages: Sequence[str]) -> None:
        """Shows every step (after reading the journal)."""
        for index, (status, message) in enumerate(zip(statuses, messages)):
            self.show(index, status, message)

    def first(self, *statuses: str) -> int | None:
        """The first step in one of `statuses`, or None."""
        return next((i for i, s in enumerate(self.statuses) if s in statuses), None)

