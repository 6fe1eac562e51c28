"""Fixtures for the reliability tests (helpers live in faultkit.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from faultkit import make_authority

from msp_tui.simulator import DemoAuthority


@pytest.fixture
def authority_factory() -> Iterator[Callable[..., DemoAuthority]]:
    """Builds faulty authorities (closed after the test)."""
    made: list[DemoAuthority] = []

    def build(spec: str = "", seed: int = 1) -> DemoAuthority:
        made.append(make_authority(spec, seed))
        return made[-1]

    yield build
    for authority in made:
        authority.close()

