"""Pilot tests of what a partner sees at a glance: which table columns fit at 80x24 and 120x40,
horizontal scrolling by keyboard, the findings detail, the cost pane rows, tree labels, header
badges, start-up notices and the footer's key order."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from msp_tui.domain.checks import Finding, Severity
from msp_tui.domain.health import Health
from msp_tui.domain.wizards.render import STATUS_MARKS
from msp_tui.tui.commands import palette_entries
from msp_tui.tui.screens.all_devices import FindingsScreen
from msp_tui.tui.screens.help import HelpScreen
from msp_tui.tui.screens.wizard_views import STATUS_LABELS
from msp_tui.tui.widgets.findings_view import finding_detail
from msp_tui.tui.widgets.org_tree import org_label
from msp_tui.tui.widgets.virtual_table import Column, VirtualTable
from msp_tui.tui.widgets.virtual_table_model import fit_widths


def visible_header(table: VirtualTable) -> str:
    """The header line as seen in the table's width (scrolled)."""
    return table.render_line(0).text


def labels(text: str) -> list[str]:
    return text.split()


# -- column fitting (pure) ----------------------------------------------------------------------

COLUMNS = (
    Column("a", "A", min_width=5, max_width=20),
    Column("b", "B", min_width=4, max_width=10),
    Column("c", "C", width=6),
    Column("d", "D", min_width=8),
)


def test_fit_widths_keeps_natural_widths_when_the_core_fits() -> None:
    # 1 + 20 + 10 + 6 + 3 = 40 cells for the three core columns; the last one fills the rest.
    assert fit_widths(COLUMNS, [20, 10, 6, 12], 60, core=3) == [20, 10, 6, 60 - 1 - 36 - 4]


def test_fit_widths_shrinks_the_widest_auto_columns_to_fit_the_core() -> None:
    widths = fit_widths(COLUMNS, [20, 10, 6, 12], 35, core=3)
    assert 1 + sum(widths[:3]) + 3 <= 35
    assert widths[2] == 6  # fixed columns never shrink
    assert widths[0] >= 5 and widths[1] >= 4
    assert widths[3] == 12  # the last column keeps its natural width, off to the right


def test_fit_widths_fits_fewer_columns_when_the_core_cannot_fit() -> None:
    # Even at their minimums the three core columns need 1 + 5 + 4 + 6 + 3 = 19 cells.
    widths = fit_widths(COLUMNS, [20, 10, 6, 12], 15, core=3)
    assert 1 + sum(widths[:2]) + 2 <= 15  # the first two fit whole
    assert widths[2] == 6


# -- customer tables -----------------------------------------------------------------------------


async def test_users_table_shows_the_key_columns_at_120_columns(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        users = app.screen.query_one("#users-table", VirtualTable)
        assert labels(visible_header(users))[:6] == ["Username", "Name", "Status", "Dev", "Backup", "Storage"]
        assert [c.key for c in users.columns][-1] == "email"
        first = users.render_line(1).text
        assert "/4" in first and ("GB" in first or "TB" in first or " B" in first)


async def test_devices_table_shows_connected_archive_and_destinations_at_120(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter", "]")
        devices = app.screen.query_one("#devices-table", VirtualTable)
        shown = labels(visible_header(devices))
        assert shown[:6] == ["Device", "Backup", "User", "Seen", "Archive", "Destinations"]
        assert "PROe Cloud" in devices.render_line(1).text


async def test_80x24_shows_the_first_columns_whole_and_arrows_scroll_by_column(
        make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        users = app.screen.query_one("#users-table", VirtualTable)
        assert app.focused is users
        header = visible_header(users)
        assert labels(header)[:5] == ["Username", "Name", "Status", "Dev", "Backup"]
        assert users.max_scroll_x > 0  # storage and email are to the right
        await pilot.press("right")
        assert int(users.scroll_x) > 0
        assert visible_header(users).split()[0] == "Name"
        await pilot.press("end")  # the cursor keys still move rows, not columns
        await pilot.press("left")
        assert int(users.scroll_x) == 0


# -- findings ----------------------------------------------------------------------------------


def test_finding_detail_has_the_whole_message() -> None:
    message = "Device 'x' has not completed a backup for 9 days " * 4
    finding = Finding("backup.critical", Severity.CRITICAL, "Acme", "x", message, org_id=2)
    text = finding_detail(finding).plain
    assert text.splitlines()[0].startswith("✖ critical · backup.critical · Acme · x")
    assert text.endswith(message)


async def test_findings_view_shows_the_highlighted_message_in_full(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        findings = app.dataset.findings
        detail = app.screen.query_one("#finding-detail", Static)
        assert findings[0].message in str(detail.render())
        await pilot.press("down")
        await pilot.pause()
        assert findings[1].message in str(detail.render())
        assert detail.size.height >= 2  # the message wraps under its heading


# -- tree, header, notices -----------------------------------------------------------------------


def test_tree_labels_put_one_space_after_the_mark_and_flag_nested_orgs() -> None:
    for worst in (Health.OK, Health.CRITICAL, Health.WARNING, Health.NEVER, None):
        text, _ = org_label("Blue Heron", 3, 9, worst)
        assert text.plain[1:].startswith(" Blue Heron"), text.plain
    nested, data = org_label("Greenfield Engineering - Field Office", 1, 2, Health.OK, room=30, nested=True)
    assert nested.plain.startswith("✓ Greenfield")
    assert nested.plain.endswith(" ⚠ nested 1u 2d") and len(nested.plain) <= 30
    assert data.nested_at is not None and nested.plain[data.nested_at:].startswith("⚠ nested")


async def test_header_warns_when_tls_verification_is_off(make_app: Any, settle: Any) -> None:
    app = make_app()
    app.profile = app.profile.model_copy(update={"verify_tls": False})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "TLS OFF" in str(app.screen.query_one("#header-left", Static).render())
    plain = make_app()
    async with plain.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "TLS OFF" not in str(plain.screen.query_one("#header-left", Static).render())


async def test_state_repairs_are_notified_once(make_app: Any, settle: Any, authority: Any,
                                               monkeypatch: Any) -> None:
    pending = ["state file state.sqlite was damaged; moved aside and recreated"]
    monkeypatch.setattr("msp_tui.state.db.take_warnings", lambda: [pending.pop()] if pending else [])
    authority.warnings.append("demo authority state was unusable; reseeded")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert messages.count("state file state.sqlite was damaged; moved aside and recreated") == 1
        assert messages.count("demo authority state was unusable; reseeded") == 1


# -- keys: footer order, help, palette -----------------------------------------------------------


async def test_footer_lists_the_main_keys_first(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = [key for key, (_n, binding, _e, _t) in app.screen.active_bindings.items() if binding.show]
        assert shown[:11] == ["enter", "slash", "a", "f", "n", "u", "x", "w", "W", "question_mark", "q"]


async def test_help_lists_wizard_keys_and_each_app_key_once(make_app: Any, settle: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        entries = app.screen.entries
        assert ("Wizard", "R", "Roll back") in entries and ("Wizard", "d", "Done") in entries
        assert [e for e in entries if e[2] == "Quit"] == [("Dashboard", "q", "Quit")]
        assert len([e for e in entries if e[2] == "Help"]) == 1
        titles = [title for title, *_ in palette_entries(app.screen_stack[0], app)]
        assert titles.count("Help") == 1 and "Quit" not in titles


def test_wizard_step_glyphs_are_the_cli_glyphs() -> None:
    for status, label in STATUS_LABELS.items():
        assert label.split(" ")[0] == STATUS_MARKS[status]
    assert STATUS_MARKS["waiting"] == "⏸" and STATUS_MARKS["running"] == "▶"
