"""KeyBar: the one-widget key hints line (layout, which bindings show, clicks press the key)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding

from msp_tui.tui.widgets.key_bar import KeyBar, KeyHint, key_hints, render_hints

STYLES = {"key-bar--key": "bold", "key-bar--disabled": "dim"}


def _active(*bindings: Binding, enabled: bool = True) -> list[tuple[object, Binding, bool, str]]:
    return [(None, b, enabled, "") for b in bindings]


def test_hidden_and_repeated_actions_are_left_out() -> None:
    active = _active(
        Binding("enter", "open", "Open"),
        Binding("o", "open", "Open again"),  # same action: the first binding wins
        Binding("x", "secret", "Hidden", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("ctrl+p", "command_palette", "palette"),
        Binding("question_mark", "help", "Help"),
    )
    hints, pinned = key_hints(active, lambda b: b.key.upper(), pinned=("question_mark", "ctrl+p"))
    assert [h.description for h in hints] == ["Open", "Filter"]
    assert [(h.key, h.key_display) for h in pinned] == [("question_mark", "QUESTION_MARK"),
                                                         ("ctrl+p", "CTRL+P")]  # pinned order
    _, none_pinned = key_hints(active, lambda b: b.key, pinned=(None, "f9"))
    assert none_pinned == []  # keys not bound are left out


def test_layout_keeps_what_fits_and_pins_help_and_palette_at_the_right_end() -> None:
    hints = [KeyHint("a", "All devices", "a", True), KeyHint("f", "Findings", "f", True),
             KeyHint("n", "New org", "n", True)]
    pinned = [KeyHint("?", "Help", "question_mark", True), KeyHint("^p", "palette", "ctrl+p", True)]
    line = render_hints(hints, pinned, 52, STYLES)
    text = line.content.plain
    assert len(text) == 52
    assert text.startswith(" a All devices  f Findings ")
    assert "New org" not in text  # would overlap the pinned hints
    assert text.endswith("│ ? Help  ^p palette ")
    assert line.key_at(1) == "a" and line.key_at(16) == "f"
    assert line.key_at(text.index("?")) == "question_mark"
    assert line.key_at(text.index("^p")) == "ctrl+p"
    assert text[27:31] == "    " and line.key_at(29) is None  # the gap before the pinned hints
    narrow = render_hints(hints, pinned, 30, STYLES).content.plain
    assert narrow.endswith("│ ? Help  ^p palette ") and "All devices" not in narrow


def test_disabled_hints_are_dimmed() -> None:
    line = render_hints([KeyHint("x", "Deactivate", "x", False)], [], 30, STYLES)
    assert {str(span.style) for span in line.content.spans} == {"dim"}


class _Keys(App[None]):
    BINDINGS = [Binding("z", "zap", "Zap"), Binding("y", "yell", "Yell")]

    def __init__(self) -> None:
        super().__init__()
        self.done: list[str] = []

    def compose(self) -> ComposeResult:
        yield KeyBar()

    def action_zap(self) -> None:
        self.done.append("zap")

    def action_yell(self) -> None:
        self.done.append("yell")


async def test_a_click_on_a_hint_presses_its_key() -> None:
    app = _Keys()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        text = bar.render().plain
        assert " z Zap " in text and " y Yell " in text
        await pilot.click(KeyBar, offset=(text.index("Yell"), 0))
        await pilot.pause()
        await pilot.click(KeyBar, offset=(text.index("Zap"), 0))
        await pilot.pause()
        assert app.done == ["yell", "zap"]
