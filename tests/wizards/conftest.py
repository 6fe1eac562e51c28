"""Fixtures for the wizard tests (helpers in `wizard_support`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from wizard_support import FIXED_NOW, Demo

from msp_tui.simulator import DemoAuthority


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    return Demo(DemoAuthority(None, now=lambda: FIXED_NOW), tmp_path)


@pytest.fixture
def make_demo(tmp_path: Path) -> Callable[[str], Demo]:
    def make(name: str) -> Demo:
        path = tmp_path / name
        path.mkdir()
        return Demo(DemoAuthority(None, now=lambda: FIXED_NOW), path)
    return make
