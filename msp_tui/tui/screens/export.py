"""Provides ExportScreen: write the current view's rows to a CSV or JSON file.

The rows are plain dicts (the shell passes the rows and field names of the table in view); the
file is written with the CLI's renderers (`msp_tui.cli.output.to_csv` / `to_json`), so a
dashboard export and `msp-tui export` produce the same bytes. The file lands on the host
running msp-tui.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from msp_tui.cli.output import to_csv, to_json
from msp_tui.tui.screens.dialog import DialogScreen


def render_rows(rows: Sequence[dict[str, Any]], fields: Sequence[str], fmt: str) -> str:
    """Returns the rows as CSV or JSON text (JSON: a list of objects with only `fields`)."""
    if fmt == "csv":
        return to_csv(rows, fields)
    return to_json([{field: row.get(field) for field in fields} for row in rows])


def write_export(path: Path, rows: Sequence[dict[str, Any]], fields: Sequence[str],
                 fmt: str) -> Path:
    """Writes the rows to `path` (parent folders created) and returns the absolute path.

    Raises:
        OSError: The file cannot be written.
    """
    text = render_rows(rows, fields, fmt)
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    # CSV carries its own CRLF line ends; no newline translation on any OS.
    path.write_text(text, encoding="utf-8", newline="")
    return path.resolve()


class ExportScreen(DialogScreen[Path | None]):
    """Chooses the format and the file, writes it, and dismisses with the path written."""

    DEFAULT_CSS = """
    ExportScreen > #dialog {
        width: 76;
    }
    ExportScreen RadioSet {
        layout: horizontal;
        border: none;
        height: auto;
    }
    ExportScreen .row {
        height: 1;
        margin: 1 0 0 0;
    }
    ExportScreen .row Label {
        width: 6;
    }
    ExportScreen #path {
        width: 1fr;
        background: $boost;
    }
    ExportScreen #problem {
        color: $text-error;
        height: auto;
    }
    ExportScreen #buttons {
        height: 1;
        margin: 1 0 0 0;
        align-horizontal: right;
    }
    ExportScreen #buttons Button {
        margin: 0 0 0 1;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "write", "Write file", id="export.write", priority=True),
    ]
    """esc cancels; ctrl+s (or enter in the path) writes."""

    AUTO_FOCUS = "#path"

    def __init__(
        self,
        rows: Sequence[dict[str, Any]],
        fields: Sequence[str],
        *,
        view: str = "export",
        folder: Path | None = None,
    ) -> None:
        """Builds the dialog.

        Args:
            rows: The rows of the current view (after its filter).
            fields: The columns to write, in order.
            view: The view's name, used in the default file name ("devices").
            folder: Default folder; the working directory when None.
        """
        super().__init__()
        self.rows = list(rows)
        self.fields = list(fields)
        self.view = view
        self.folder = folder or Path.cwd()

    def compose(self) -> ComposeResult:
        """Lays out the format choice, the path and the buttons."""
        with Vertical(id="dialog"):
            yield Static(f"Export {len(self.rows)} {self.view} rows", id="title", markup=False)
            with RadioSet(id="format"):
                yield RadioButton("CSV", value=True, id="csv")
                yield RadioButton("JSON", id="json")
            with Horizontal(classes="row"):
                yield Label("File")
                field = Input(str(self.folder / f"{self.view}.csv"), id="path", compact=True)
                field.cursor_blink = False
                yield field
            yield Static(id="problem", markup=False)
            yield Static("Written on the host running msp-tui.", classes="hint")
            with Horizontal(id="buttons"):
                yield Button("Cancel (esc)", id="cancel", compact=True)
                yield Button("Write (ctrl+s)", variant="primary", id="write", compact=True)

    @property
    def fmt(self) -> str:
        """"csv" or "json", from the radio buttons."""
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.id if pressed is not None and pressed.id else "csv"

    @on(RadioSet.Changed)
    def match_suffix(self) -> None:
        """Switches the file's extension with the format."""
        field = self.query_one("#path", Input)
        path = Path(field.value)
        if path.suffix.lower() in (".csv", ".json", ""):
            field.value = str(path.with_suffix(f".{self.fmt}"))

    @on(Input.Submitted)
    @on(Button.Pressed, "#write")
    def action_write(self) -> None:
        """Writes the file and dismisses with its path; shows the problem otherwise."""
        text = self.query_one("#path", Input).value.strip()
        problem = self.query_one("#problem", Static)
        if not text:
            problem.update("✗ Enter a file path.")
            return
        try:
            written = write_export(Path(text), self.rows, self.fields, self.fmt)
        except OSError as exc:
            problem.update(f"✗ Cannot write {text}: {exc.strerror or exc}.")
            return
        self.notify(f"Exported {len(self.rows)} rows to {written}.")
        self.dismiss(written)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Dismisses with None."""
        self.dismiss(None)
