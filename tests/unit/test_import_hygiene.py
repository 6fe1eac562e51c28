"""The layers below the UI must not import Textual (STYLE.md: models ← domain ← api ← tui)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS_MODULES = [
    "msp_tui.models",
    "msp_tui.domain.pricing",
    "msp_tui.domain.projection",
    "msp_tui.domain.checks",
    "msp_tui.domain.whatif",
    "msp_tui.domain.chargeback",
    "msp_tui.domain.inventory",
    "msp_tui.domain.filtering",
    "msp_tui.api",
    "msp_tui.config",
    "msp_tui.session",
    "msp_tui.simulator",
    "msp_tui.state.cache",
    "msp_tui.state.audit",
    "msp_tui.cli.export_cmd",
    "msp_tui.cli.billing_cmd",
]


@pytest.mark.parametrize("module", HEADLESS_MODULES)
def test_headless_layers_do_not_import_textual(module):
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'));"
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"{module} pulls in textual: {result.stdout}{result.stderr}"
