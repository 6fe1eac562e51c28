"""Provides `DetailScreen`: every field of one user or device, and each destination's backup usage.

Read from the dataset in memory (no request); `esc` goes back.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any, ClassVar

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from msp_tui.domain.health import device_health
from msp_tui.models import Device, User
from msp_tui.models.base import WireModel
from msp_tui.tui.dataset import (
    Dataset,
    device_status,
    health_label,
    size_text,
    stamp_text,
    user_status,
    when_text,
)
from msp_tui.tui.widgets.key_bar import KeyBar


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return stamp_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def field_table(title: str, rows: list[tuple[str, str]]) -> Table:
    """A two-column key/value table (no colour needed to read it)."""
    table = Table(title=title, title_justify="left", show_header=False, box=None, pad_edge=False,
                  expand=False, padding=(0, 2, 0, 0))
    table.add_column("field", no_wrap=True, style="bold")
    table.add_column("value", overflow="fold")
    for name, value in rows:
        table.add_row(name, value)
    return table


def model_fields(model: WireModel, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Every field of a wire model as (wire name, text)."""
    rows = []
    for name, info in type(model).model_fields.items():
        if name in skip:
            continue
        rows.append((info.alias or name, _value(getattr(model, name))))
    return rows


def device_detail(dataset: Dataset, device: Device) -> RenderableType:
    """Summary, every device field and one block per destination."""
    now = dataset.now
    h = device_health(device, dataset.policy.checks, now)
    user = dataset.user(device.user_id) if device.user_id is not None else None
    summary = [
        ("Health", health_label(h.health)),
        ("Last completed backup", f"{stamp_text(h.last_completed_backup)} ({when_text(h.last_completed_backup, now)})"),
        ("Last connected", f"{stamp_text(h.last_connected)} ({when_text(h.last_connected, now)})"),
        ("Status", device_status(device)),
        ("User", user.username if user else "—"),
        ("Org", dataset.tree.path_str(device.org_id, " › ") if device.org_id in dataset.tree.orgs else "—"),
        ("Archive size", size_text(h.archive_bytes)),
    ]
    parts: list[RenderableType] = [
        field_table(f"Device {device.display_name}", summary),
        Text(""),
        field_table("All fields", model_fields(device, skip=("backup_usage",))),
    ]
    for n, usage in enumerate(device.backup_usage, start=1):
        name = usage.target_computer_name or usage.target_computer_guid or "?"
        rows = [("Archive", size_text(usage.archive_bytes)),
                ("Selected", size_text(usage.selected_bytes)),
                ("To do", size_text(usage.todo_bytes))] + model_fields(usage)
        parts += [Text(""), field_table(f"Destination {n}: {name}", rows)]
    if not device.backup_usage:
        parts += [Text(""), Text("No backup destinations reported.")]
    return Group(*parts)


def user_detail(dataset: Dataset, user: User) -> RenderableType:
    """Summary, every user field and the user's devices."""
    devices = dataset.devices_of(user.user_id)
    cap = dataset.policy.prices.max_devices_per_user
    active = dataset.health.active_devices_by_user.get(user.user_id, 0)
    summary = [
        ("Status", user_status(user)),
        ("Org", dataset.tree.path_str(user.org_id, " › ") if user.org_id in dataset.tree.orgs else "—"),
        ("Devices backing up", f"{active}/{cap}" + (" — over the cap" if active > cap else "")),
    ]
    table = Table(title="Devices", title_justify="left", box=None, pad_edge=False, padding=(0, 2, 0, 0))
    for label in ("Device", "Health", "Last backup", "Status", "Archive"):
        table.add_column(label, no_wrap=True)
    for device in devices:
        h = device_health(device, dataset.policy.checks, dataset.now)
        table.add_row(device.display_name, health_label(h.health),
                      when_text(h.last_completed_backup, dataset.now), device_status(device),
                      size_text(h.archive_bytes))
    return Group(
        field_table(f"User {user.username}", summary), Text(""),
        field_table("All fields", model_fields(user)), Text(""),
        table if devices else Text("No devices."),
    )


class DetailScreen(Screen[None]):
    """One user or device in full."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.pop_screen", "Back", show=False),
    ]
    AUTO_FOCUS = "#detail-body"

    def __init__(self, dataset: Dataset, kind: str, key: int) -> None:
        super().__init__()
        self.dataset = dataset
        self.kind = kind
        """ "users" or "devices"."""
        self.key = key
        self.body: RenderableType = Text("")
        """What the screen shows (kept for exports and tests)."""

    def plain_text(self, width: int = 120) -> str:
        """The details as plain text."""
        console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
        console.print(self.body)
        return console.export_text()

    def compose(self) -> ComposeResult:
        body: RenderableType
        if self.kind == "devices" and (device := self.dataset.device(self.key)) is not None:
            body = device_detail(self.dataset, device)
        elif self.kind == "users" and (user := self.dataset.user(self.key)) is not None:
            body = user_detail(self.dataset, user)
        else:
            body = Text("This record is no longer in the data (it changed since).")
        self.body = body
        with VerticalScroll(id="detail-body"):
            yield Static(body, id="detail-content")
        yield KeyBar()
