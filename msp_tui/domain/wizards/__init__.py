"""Provides the pure side of the guided wizards: plans, steps, the state machine, costs, texts.

Nothing here does I/O or reads a clock: plans are built from AccountSnapshots, and the
executor (`msp_tui.wizards`) runs them against the API and records them in the journal.
"""

from msp_tui.domain.wizards.model import (
    Plan,
    Step,
    StepKind,
    StepStatus,
    WizardKind,
)
from msp_tui.domain.wizards.machine import WizardMachine
from msp_tui.domain.wizards.rename import deactivated_name, original_name

__all__ = [
    "Plan",
    "Step",
    "StepKind",
    "StepStatus",
    "WizardKind",
    "WizardMachine",
    "deactivated_name",
    "original_name",
]
