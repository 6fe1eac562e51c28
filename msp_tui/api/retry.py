"""Provides the retry policy: which failures are retried, and how long to wait.

Only requests that cannot do harm twice are retried: reads, and any request the server
provably did not process (429, or a connection that was never established). A mutating
request whose answer was lost is never re-sent blindly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
"""Statuses that mean "try again later"; 500 is excluded because Code42 uses it for validation."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential back-off with full jitter."""

    max_attempts: int = 4
    """Attempts in all, the first included."""
    base_delay: float = 0.25
    """Seconds before the first retry (before jitter)."""
    max_delay: float = 8.0
    """Upper bound for any single wait, Retry-After included."""
    seed: int | None = None
    """Seed for the jitter, so tests are deterministic."""

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Returns the wait before retry number `attempt` (1-based)."""
        if retry_after is not None:
            return min(self.max_delay, retry_after)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return rng.uniform(ceiling / 2, ceiling)
