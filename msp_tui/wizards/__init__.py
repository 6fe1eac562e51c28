"""Provides the wizard executor: runs a plan's steps against Code42 clients, journaled and resumable."""

from msp_tui.wizards.executor import Executor, RunReport, StepEvent

__all__ = ["Executor", "RunReport", "StepEvent"]
