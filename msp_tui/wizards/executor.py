"""Provides the executor: runs a journaled plan step by step against Code42 clients.

For each automatic step it journals "running", checks the step against the server (reads), acts
only when the check says it has not happened, and journals the outcome. A lost answer to a
mutating request (UnknownOutcomeError) is resolved by checking the server again before anything
else; a failure stops the run with a reason and what to do (resume to retry, skip with a reason,
or roll back). Manual steps wait for a person, or are verified by watching the target account for
a device of that user checking in. Any interruption (Ctrl-C, kill -9, a dropped link) leaves the
journal consistent, and `run()` on a fresh executor continues where it stopped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from msp_tui.api import Code42Client
from msp_tui.api import errors as api_errors
from msp_tui.domain.wizards.email import Deactivated, closure_email
from msp_tui.domain.wizards.machine import RunStatus, TransitionError, WizardMachine
from msp_tui.domain.wizards.model import Plan, Step, StepKind, StepStatus
from msp_tui.domain.wizards.rename import DEFAULT_SUFFIX
from msp_tui.state.journal import Journal, RunRecord
from msp_tui.wizards.handlers import HANDLERS, StepConflict

S = StepStatus


@dataclass(frozen=True)
class StepEvent:
    """A progress notice for a UI: step `index` moved to `status`."""

    index: int
    step: Step
    status: StepStatus
    message: str
    advice: str = ""


@dataclass(frozen=True)
class RunReport:
    """How a call to the executor ended."""

    run_id: str
    status: RunStatus
    progress_line: str
    message: str = ""
    failed_step: int | None = None
    advice: str = ""
    waiting: tuple[int, ...] = ()
    events: tuple[StepEvent, ...] = field(default_factory=tuple)


class StopRequested(Exception):
    """Raised inside the executor when `max_steps` is reached (tests, step-by-step UIs)."""


class Executor:
    """Runs one journaled run.

    Args:
        journal: The journal holding the run.
        run_id: The run to execute.
        clients: A signed-in-able client per account role ("source", "target").
        email_out: Where the closure email draft is saved (account closure).
        login: The console login, quoted in the closure email.
        on_event: Called for every step status change (progress views).
        max_steps: Stop after this many steps changed state in this call (None: no limit).
    """

    def __init__(
        self,
        journal: Journal,
        run_id: str,
        clients: Mapping[str, Code42Client],
        *,
        email_out: Path | None = None,
        login: str | None = None,
        on_event: Callable[[StepEvent], None] | None = None,
        max_steps: int | None = None,
        rename_template: str = DEFAULT_SUFFIX,
    ) -> None:
        self.journal = journal
        self.run_id = journal.resolve(run_id)
        self.clients = dict(clients)
        self.email_out = email_out
        self.login = login
        self.on_event = on_event
        self.max_steps = max_steps
        self._rename_template = rename_template
        self._changes = 0
        self._events: list[StepEvent] = []
        self._record: RunRecord = journal.run(self.run_id)
        self._outputs: dict[str, dict[str, Any]] = {}
        self._reload()

    # -- StepContext ------------------------------------------------------------------------

    def client(self, account: str) -> Code42Client:
        """The client of an account role."""
        if account not in self.clients:
            raise StepConflict(f"no client for the {account} account", "Resume with both profiles available.")
        return self.clients[account]

    def outputs(self, key: str) -> dict[str, Any]:
        """Outputs journaled by the step `key`."""
        return self._outputs.get(key, {})

    @property
    def planned_on(self) -> date:
        """The plan's date (the date in the rename suffix)."""
        return date.fromisoformat(self.plan.planned_on)

    @property
    def rename_template(self) -> str:
        """The rename suffix template."""
        return self._rename_template

    @property
    def plan(self) -> Plan:
        """The run's plan."""
        return self._record.plan

    # -- internals --------------------------------------------------------------------------

    def _reload(self) -> WizardMachine:
        self._record = self.journal.run(self.run_id)
        self._outputs = {s.key: r.outputs for s, r in zip(self.plan.steps, self._record.steps)}
        return self._record.machine()

    def _emit(self, index: int, status: StepStatus, message: str, advice: str = "") -> None:
        event = StepEvent(index, self.plan.steps[index], status, message, advice)
        self._events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def _finish(self, machine: WizardMachine, index: int, status: StepStatus, message: str, *,
                count: bool = True, **extra: Any) -> None:
        machine.advance(index, status)
        self.journal.finish_step(self.run_id, index, status, message, **extra)
        if extra.get("outputs"):
            self._outputs.setdefault(self.plan.steps[index].key, {}).update(extra["outputs"])
        self._emit(index, status, message, extra.get("advice") or "")
        if count and status.finished:
            self._changes += 1

    def _budget_left(self) -> bool:
        return self.max_steps is None or self._changes < self.max_steps

    def _report(self, machine: WizardMachine, message: str = "", *, failed: int | None = None,
                advice: str = "") -> RunReport:
        status = machine.run_status()
        if status is RunStatus.RUNNING and failed is None:
            status = RunStatus.INTERRUPTED
        self.journal.set_run_status(self.run_id, status, message if status is not RunStatus.RUNNING else "")
        waiting = tuple(i for i, s in enumerate(machine.statuses) if s is S.WAITING)
        if not message:
            message = {
                RunStatus.DONE: "All steps are done.",
                RunStatus.WAITING: f"Waiting for {len(waiting)} manual step(s).",
                RunStatus.INTERRUPTED: "Stopped; `wizards resume` continues.",
                RunStatus.ROLLED_BACK: "Rolled back.",
            }.get(status, "")
        return RunReport(self.run_id, status, machine.progress().line(), message, failed, advice, waiting,
                         tuple(self._events))

    # -- running ----------------------------------------------------------------------------

    async def run(self) -> RunReport:
        """Runs (or resumes) the run until it is done, waits for a person, fails or is stopped."""
        self.journal.claim(self.run_id)
        try:
            machine = self._reload()
            if machine.rolling_back:
                return await self._rollback(machine)
            self.journal.set_run_status(self.run_id, RunStatus.RUNNING)
            while True:
                progressed = False
                for index in machine.actionable():
                    if not self._budget_left():
                        return self._report(machine, "Stopped after the requested number of steps.")
                    step = self.plan.steps[index]
                    before = machine.statuses[index]
                    if step.manual:
                        await self._check_manual(machine, index)
                    else:
                        failure = await self._run_auto(machine, index)
                        if failure is not None:
                            return self._report(machine, failure[0], failed=index, advice=failure[1])
                    progressed = progressed or machine.statuses[index] is not before
                if not progressed:
                    return self._report(machine)
        finally:
            self.journal.release(self.run_id)

    async def _run_auto(self, machine: WizardMachine, index: int) -> tuple[str, str] | None:
        """Runs one automatic step; returns (reason, advice) when it failed."""
        step = self.plan.steps[index]
        machine.advance(index, S.RUNNING)
        self.journal.start_step(self.run_id, index, step.title)
        self._emit(index, S.RUNNING, step.title)
        if step.kind is StepKind.DRAFT_EMAIL:
            outputs = self._draft_email()
            where = f"; saved to {outputs['saved_to']}" if outputs.get("saved_to") else ""
            self._finish(machine, index, S.DONE, f"Email to {step.params['to']} drafted{where}", outputs=outputs)
            return None
        handler = HANDLERS[step.kind]
        try:
            check = await handler.check(self, step)
            if check.done:
                self._finish(machine, index, S.DONE, f"Already done on the server ({check.note}); not repeated",
                             outputs=check.outputs)
                return None
            try:
                outputs = await handler.act(self, step)
            except api_errors.UnknownOutcomeError as lost:
                return await self._resolve_unknown(machine, index, lost)
            self._finish(machine, index, S.DONE, "Done", outputs=outputs)
            return None
        except StepConflict as exc:
            self._finish(machine, index, S.FAILED, str(exc), error=str(exc), advice=exc.advice)
            return str(exc), exc.advice
        except api_errors.ApiError as exc:
            advice = handler.advice(step, exc)
            self._finish(machine, index, S.FAILED, f"Failed: {exc}", error=str(exc), advice=advice)
            return f"Step {index + 1} ({step.key}) failed: {exc}", advice

    async def _resolve_unknown(self, machine: WizardMachine, index: int, lost: Exception) -> tuple[str, str] | None:
        """The answer was lost: look at the server before anything else."""
        step = self.plan.steps[index]
        handler = HANDLERS[step.kind]
        self.journal.add_event(self.run_id, index, "answer-lost", str(lost))
        try:
            check = await handler.check(self, step)
        except (api_errors.ApiError, StepConflict) as exc:
            advice = "Resume when the server answers again: the step is checked on the server before any retry."
            self._finish(machine, index, S.UNKNOWN, f"Outcome unknown: {lost}; the check failed too ({exc})",
                         error=str(lost), advice=advice)
            return f"Step {index + 1} ({step.key}): the outcome is unknown", advice
        if check.done:
            self._finish(machine, index, S.DONE, "The answer was lost, but the server shows it done",
                         outputs=check.outputs)
            return None
        advice = "The server shows it was not done; `wizards resume` tries it again."
        self._finish(machine, index, S.FAILED, f"No answer ({lost}), and the server shows it was not done",
                     error=str(lost), advice=advice)
        return f"Step {index + 1} ({step.key}) got no answer and did not happen", advice

    # -- manual steps -----------------------------------------------------------------------

    async def _check_manual(self, machine: WizardMachine, index: int) -> None:
        step = self.plan.steps[index]
        status = machine.statuses[index]
        if step.kind is StepKind.REINSTALL_AGENT:
            try:
                found = await self._device_checked_in(step)
            except api_errors.ApiError as exc:
                found = None
                note = f"could not check the target account ({exc})"
            else:
                note = ""
            if found is not None:
                message = f"Verified: device {found} of {step.params['username']} checked in to {step.params['account_name']}"
                self._finish(machine, index, S.DONE, message, outputs={"device": found}, by="check-in")
                self._imply_uninstall(machine, index)
                return
            waiting = f"Waiting: reinstall the agent on {step.params['hostname']} and sign in as {step.params['username']}"
            if note:
                waiting += f" ({note})"
        elif step.kind is StepKind.UNINSTALL_AGENT:
            waiting = f"Waiting: completely uninstall the agent on {step.params['hostname']}"
        else:
            waiting = f"Waiting: {step.title}"
        if status is not S.WAITING:
            machine.advance(index, S.WAITING)
            self.journal.finish_step(self.run_id, index, S.WAITING, waiting)
            self._emit(index, S.WAITING, waiting)

    async def _device_checked_in(self, step: Step) -> str | None:
        """Returns the name of a target-account device of the step's user, if one checked in."""
        client = self.client("target")
        user = await client.find_user(step.params["username"])
        if user is None or not user.is_active:
            return None
        devices = [d for d in await client.list_devices(user_uid=user.user_uid, backup_usage=False) if d.is_active]
        host = (step.params.get("hostname") or "").casefold()
        for device in devices:
            if host and (device.os_hostname or device.name or "").casefold() == host:
                return device.display_name
        if len(devices) >= int(step.params.get("index", 1)):
            ordered = sorted(devices, key=lambda d: d.computer_id)
            return ordered[int(step.params.get("index", 1)) - 1].display_name
        return None

    def _imply_uninstall(self, machine: WizardMachine, reinstall_index: int) -> None:
        key = self.plan.steps[reinstall_index].key
        for i, step in enumerate(self.plan.steps):
            if step.kind is StepKind.UNINSTALL_AGENT and step.params.get("reinstall_step") == key \
                    and not machine.statuses[i].finished:
                self._finish(machine, i, S.DONE, f"Implied by step {reinstall_index + 1}: the reinstalled agent "
                             "signed in to the new account", by="implied")

    async def mark_done(self, ref: str, *, by: str = "hand") -> RunReport:
        """Confirms a manual step by hand (`wizards resume ID --done STEP`), then continues."""
        self.journal.claim(self.run_id)
        try:
            machine = self._reload()
            index, step = self.plan.step(ref)
            if not step.manual:
                raise TransitionError(
                    f"step {index + 1} ({step.key}) is automatic: it is checked on the server when the run "
                    "resumes, so work done in the console is detected without --done"
                )
            if not machine.statuses[index].finished:
                machine.check(index, S.DONE)
                self._finish(machine, index, S.DONE, "Confirmed done by a person", by=by, event="marked-done")
                if step.kind is StepKind.REINSTALL_AGENT:
                    self._imply_uninstall(machine, index)
        except BaseException:
            self.journal.release(self.run_id)
            raise
        return await self.run()

    def skip(self, ref: str, reason: str) -> None:
        """Skips a step with a recorded reason (`wizards resume ID --skip STEP --reason TEXT`)."""
        if not reason.strip():
            raise TransitionError("a reason is required to skip a step")
        self.journal.claim(self.run_id)
        try:
            machine = self._reload()
            index, step = self.plan.step(ref)
            machine.check(index, S.SKIPPED)
            self._finish(machine, index, S.SKIPPED, "Skipped", reason=reason.strip(), event="skipped")
        finally:
            self.journal.release(self.run_id)

    # -- closure email ----------------------------------------------------------------------

    def _draft_email(self) -> dict[str, Any]:
        record = self.journal.run(self.run_id)
        items = []
        for step, rec in zip(record.plan.steps, record.steps):
            if rec.status is S.DONE and step.kind in (StepKind.DEACTIVATE_ORG, StepKind.DEACTIVATE_USER):
                what = "org" if step.kind is StepKind.DEACTIVATE_ORG else "user"
                name = step.params.get("name") or step.params.get("username")
                items.append(Deactivated(what, str(name), rec.ended_at or ""))
        email = closure_email(record.plan, items, login=self.login)
        outputs: dict[str, Any] = {"to": email.to, "subject": email.subject, "email": email.as_text()}
        if self.email_out is not None:
            path = Path(self.email_out)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(email.as_text(), encoding="utf-8")
            os.replace(tmp, path)
            outputs["saved_to"] = str(path)
        return outputs

    # -- rollback ---------------------------------------------------------------------------

    async def rollback(self) -> RunReport:
        """Undoes the done, reversible steps in reverse order (reactivate, un-rename...)."""
        self.journal.claim(self.run_id)
        try:
            machine = self._reload()
            if not machine.rolling_back:
                await self._settle_unknown(machine)
                machine.start_rollback()
                self.journal.set_run_status(self.run_id, RunStatus.ROLLING_BACK, "rollback asked")
            return await self._rollback(machine)
        finally:
            self.journal.release(self.run_id)

    async def _settle_unknown(self, machine: WizardMachine) -> None:
        """Before a rollback, finds out whether steps with an unknown outcome happened."""
        for index, status in enumerate(machine.statuses):
            step = self.plan.steps[index]
            if status in (S.RUNNING, S.UNKNOWN, S.FAILED) and step.kind in HANDLERS:
                try:
                    check = await HANDLERS[step.kind].check(self, step)
                except (api_errors.ApiError, StepConflict):
                    continue
                if check.done:
                    self._finish(machine, index, S.DONE, "Found done on the server before the rollback",
                                 outputs=check.outputs, count=False)

    async def _rollback(self, machine: WizardMachine) -> RunReport:
        for index in machine.rollback_order():
            step = self.plan.steps[index]
            handler = HANDLERS.get(step.kind)
            if handler is None:
                continue
            self.journal.add_event(self.run_id, index, "undo-started", step.title)
            try:
                check = await handler.check_undo(self, step)
                if not check.done:
                    try:
                        await handler.undo(self, step)
                    except api_errors.UnknownOutcomeError:
                        check = await handler.check_undo(self, step)
                        if not check.done:
                            raise
            except (api_errors.ApiError, StepConflict) as exc:
                advice = "Fix the cause, then `wizards resume ID --rollback` continues the rollback."
                self.journal.add_event(self.run_id, index, "undo-failed", str(exc))
                self._emit(index, machine.statuses[index], f"Undo failed: {exc}", advice)
                return self._report(machine, f"Undoing step {index + 1} ({step.key}) failed: {exc}",
                                    failed=index, advice=advice)
            self._finish(machine, index, S.ROLLED_BACK, f"Undone: {step.title}", event="rolled-back")
        manual = sum(1 for s, st in zip(self.plan.steps, machine.statuses) if s.manual and st is S.DONE)
        note = (f" {manual} manual step(s) already done are not undone by the wizard." if manual else "")
        undone = sum(1 for st in machine.statuses if st is S.ROLLED_BACK)
        return self._report(machine, f"Rolled back: {undone} step(s) undone (reactivated, renamed back, "
                                     "created users renamed and deactivated)." + note)
