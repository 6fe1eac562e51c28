"""Provides the wizard state machine: which step may run next, and which transitions are legal.

Rules (every branch unit-tested without I/O):
- Automatic steps run one at a time, in plan order; one runs only when every step before it is
  finished (done, skipped, rolled back). A failed step stops everything after it; it is the
  next step offered again (a retry, after its check on the server) until it is done or skipped.
- Manual steps do not block each other: all unfinished manual steps whose earlier automatic
  steps are finished are "actionable" at once (a technician works on devices in any order);
  an automatic step after an unfinished manual step waits for it.
- A rollback undoes the done, reversible steps in reverse plan order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from msp_tui.domain.wizards.model import Plan, Step, StepStatus

S = StepStatus

_ALLOWED: dict[StepStatus, frozenset[StepStatus]] = {
    S.PENDING: frozenset({S.RUNNING, S.DONE, S.SKIPPED, S.WAITING}),
    S.RUNNING: frozenset({S.RUNNING, S.DONE, S.FAILED, S.UNKNOWN, S.WAITING, S.SKIPPED}),
    S.UNKNOWN: frozenset({S.RUNNING, S.DONE, S.FAILED, S.SKIPPED}),
    S.FAILED: frozenset({S.RUNNING, S.DONE, S.SKIPPED}),
    S.WAITING: frozenset({S.WAITING, S.RUNNING, S.DONE, S.SKIPPED}),
    S.DONE: frozenset({S.ROLLED_BACK}),
    S.SKIPPED: frozenset(),
    S.ROLLED_BACK: frozenset(),
}
"""Legal step transitions. A RUNNING step may be restarted (its process died)."""


class RunStatus(str, Enum):
    """Where a whole run stands."""

    PLANNED = "planned"
    RUNNING = "running"
    WAITING = "waiting"
    """Only manual steps are left, and none is confirmed or verified yet."""
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    """Stopped between or inside steps (crash, lost connection); resume continues it."""
    DONE = "done"
    ROLLING_BACK = "rolling-back"
    ROLLED_BACK = "rolled-back"

    @property
    def open(self) -> bool:
        """True while the run may still do something."""
        return self not in (RunStatus.DONE, RunStatus.ROLLED_BACK)


class TransitionError(ValueError):
    """A step cannot move to the asked status now; the message says why."""


@dataclass(frozen=True)
class Progress:
    """Counts of a run's steps by status, for progress views."""

    total: int
    done: int
    skipped: int
    waiting: int
    failed: int
    pending: int
    rolled_back: int

    def line(self) -> str:
        """One line: "12/20 done, 1 skipped, 3 waiting"."""
        parts = [f"{self.done}/{self.total} done"]
        for n, word in ((self.skipped, "skipped"), (self.waiting, "waiting"), (self.failed, "failed"),
                        (self.rolled_back, "rolled back")):
            if n:
                parts.append(f"{n} {word}")
        return ", ".join(parts)


class WizardMachine:
    """The state of one run of a plan: the status of each step and the legal moves."""

    def __init__(self, plan: Plan, statuses: Sequence[StepStatus] | None = None,
                 *, rolling_back: bool = False) -> None:
        self.plan = plan
        self.statuses: list[StepStatus] = list(statuses or [S.PENDING] * len(plan.steps))
        if len(self.statuses) != len(plan.steps):
            raise ValueError("one status per step is needed")
        self.rolling_back = rolling_back

    @property
    def steps(self) -> tuple[Step, ...]:
        """The plan's steps."""
        return self.plan.steps

    # -- what comes next -----------------------------------------------------------------------

    def actionable(self) -> list[int]:
        """Indices of the steps to act on now: unfinished reachable manual steps, then at most
        one automatic step (the first unfinished one, if nothing before it is open)."""
        if self.rolling_back:
            return []
        found: list[int] = []
        manual_open = False
        for i, (step, status) in enumerate(zip(self.steps, self.statuses)):
            if status.finished:
                continue
            if step.manual:
                found.append(i)
                manual_open = True
                continue
            if not manual_open:
                found.append(i)
            break
        return found

    @property
    def current(self) -> int | None:
        """The first unfinished step, or None when all are finished."""
        return next((i for i, s in enumerate(self.statuses) if not s.finished), None)

    def can_advance(self) -> bool:
        """True when some step can be acted on now."""
        return bool(self.actionable()) or bool(self.rollback_order())

    def blocked_by(self, index: int) -> int | None:
        """The earliest unfinished automatic step before `index` (which must finish first)."""
        for i in range(index):
            if not self.statuses[i].finished and not self.steps[i].manual:
                return i
        return None

    # -- moves ---------------------------------------------------------------------------------

    def check(self, index: int, new: StepStatus) -> None:
        """Raises TransitionError when step `index` cannot move to `new` now."""
        step, old = self.steps[index], self.statuses[index]
        if new not in _ALLOWED[old]:
            raise TransitionError(f"step {index + 1} ({step.key}) is {old.value}; it cannot become {new.value}")
        if new is S.ROLLED_BACK:
            if not step.reversible:
                raise TransitionError(f"step {index + 1} ({step.key}) cannot be rolled back")
            return
        if new is S.SKIPPED:
            return
        if self.rolling_back:
            raise TransitionError("the run is being rolled back")
        blocker = self.blocked_by(index)
        if blocker is not None:
            raise TransitionError(
                f"step {index + 1} ({step.key}) must wait for step {blocker + 1} ({self.steps[blocker].key})"
            )
        if new is S.RUNNING and not step.manual and index not in self.actionable():
            raise TransitionError(f"step {index + 1} ({step.key}) is not the next step to run")

    def advance(self, index: int, new: StepStatus) -> None:
        """Moves step `index` to `new` (raises TransitionError when illegal)."""
        self.check(index, new)
        self.statuses[index] = new

    def start_rollback(self) -> list[int]:
        """Switches to rolling back and returns the steps to undo, last done first."""
        self.rolling_back = True
        return self.rollback_order()

    def rollback_order(self) -> list[int]:
        """Done, reversible steps in reverse plan order (empty unless rolling back)."""
        if not self.rolling_back:
            return []
        return [i for i in range(len(self.steps) - 1, -1, -1)
                if self.statuses[i] is S.DONE and self.steps[i].reversible]

    # -- results -------------------------------------------------------------------------------

    def run_status(self) -> RunStatus:
        """The run's status as the step statuses imply it."""
        statuses = self.statuses
        if self.rolling_back:
            return RunStatus.ROLLING_BACK if self.rollback_order() else RunStatus.ROLLED_BACK
        if all(s.finished for s in statuses):
            return RunStatus.DONE
        if any(s is S.FAILED for s in statuses):
            return RunStatus.FAILED
        if any(s in (S.UNKNOWN, S.RUNNING) for s in statuses):
            return RunStatus.INTERRUPTED
        acts = self.actionable()
        if acts and all(self.steps[i].manual and statuses[i] is S.WAITING for i in acts):
            return RunStatus.WAITING
        if all(s is S.PENDING for s in statuses):
            return RunStatus.PLANNED
        return RunStatus.RUNNING

    def progress(self) -> Progress:
        """Counts by status."""
        count = self.statuses.count
        return Progress(
            total=len(self.statuses), done=count(S.DONE), skipped=count(S.SKIPPED),
            waiting=count(S.WAITING), failed=count(S.FAILED),
            pending=count(S.PENDING) + count(S.RUNNING) + count(S.UNKNOWN),
            rolled_back=count(S.ROLLED_BACK),
        )

    def result(self) -> tuple[RunStatus, Progress]:
        """The run's status and progress."""
        return self.run_status(), self.progress()
