"""Provides the plain-text views of a plan and of a run's steps (CLI output, runbook exports)."""

from __future__ import annotations

from collections.abc import Sequence

from msp_tui.domain.pricing import format_money
from decimal import Decimal

from msp_tui.domain.wizards.model import Plan
from msp_tui.domain.wizards.plans import os_label

STATUS_MARKS = {
    "pending": "·", "running": "▶", "done": "✓", "skipped": "↷", "failed": "✗",
    "unknown": "?", "waiting": "⏸", "rolled-back": "↺",
}
"""One glyph per step status, shared by the CLI and the TUI; always shown next to the word."""


def _money(text: str | None) -> str:
    return format_money(Decimal(text)) if text is not None else "?"


def render_plan(plan: Plan, *, max_rows: int = 200) -> str:
    """Returns the whole plan as text: what happens, who, what it costs, and the steps."""
    manual = sum(1 for s in plan.steps if s.manual)
    out = [plan.title, f"Planned {plan.planned_on} · {len(plan.steps)} steps "
                       f"({len(plan.steps) - manual} automatic, {manual} manual)", "", "What happens:"]
    out += [f"  - {line}" for line in plan.summary]
    if plan.users:
        out += ["", f"Users ({len(plan.users)}):"]
        for u in plan.users[:max_rows]:
            extra = f" → renamed {u['new_username']}" if u.get("new_username") else ""
            name = f" ({u['name']})" if u.get("name") else ""
            out.append(f"  {u['username']}{name}, {u['devices']} device(s){extra}")
    if plan.devices:
        out += ["", f"Devices ({len(plan.devices)}):"]
        for d in plan.devices[:max_rows]:
            out.append(f"  {d['hostname'] or d['name']:<28} {os_label(str(d['os'])):<8} {d['user']}")
    if plan.costs:
        out += ["", "Cost (next billing cycle, from the billing engine):"]
        for c in plan.costs:
            out.append(f"  {c.name} ({c.account}), rate {_money(c.rate_before)} → {_money(c.rate_after)}:")
            out += [f"    {note}" for note in c.notes]
    if plan.warnings:
        out += ["", "Warnings:"] + [f"  ! {w}" for w in plan.warnings]
    out += ["", "Steps:"]
    out += render_steps(plan, ["pending"] * len(plan.steps), show_status=False)
    return "\n".join(out) + "\n"


def render_steps(plan: Plan, statuses: Sequence[str], messages: Sequence[str] | None = None,
                 *, show_status: bool = True) -> list[str]:
    """Returns one line per step (number, manual/auto, status, title) and the last message."""
    lines = []
    for number, (step, status) in enumerate(zip(plan.steps, statuses), start=1):
        kind = "manual" if step.manual else "auto"
        state = f"{STATUS_MARKS.get(status, ' ')} {status:<11} " if show_status else ""
        lines.append(f"  {number:>3}. {state}[{kind:<6}] {step.title}")
        if messages and messages[number - 1] and status not in ("pending",):
            lines.append(f"          {messages[number - 1]}")
    return lines
