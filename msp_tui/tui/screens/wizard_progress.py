"""Provides `WizardProgress`: the run stage of a wizard screen (steps, status, keys, the worker).

The `Executor` runs in an async worker; each `StepEvent` becomes a `StepChanged` message and
the handlers (never the worker) update the step list. Keys act on the highlighted step: `d`
marks a manual step done, `s` skips it with a reason, `r` retries (and checks device check-ins),
`R` rolls back after a confirmation, `e` exports the runbook or report, `c`/`S` copy (OSC 52)
or save the closure email. While only manual reinstalls are left, the target account is
checked every `CHECK_SECONDS`, so a device signing in there marks its step done by itself.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import OptionList, Static

from msp_tui.domain.wizards.machine import RunStatus
from msp_tui.domain.wizards.model import Plan, StepKind, StepStatus, WizardKind
from msp_tui.domain.wizards.render import STATUS_MARKS, render_plan, render_steps
from msp_tui.domain.wizards.runbook import render_runbook
from msp_tui.state.journal import RunRecord
from msp_tui.tui.screens.confirm import ConfirmScreen
from msp_tui.tui.screens.wizard_prompts import SkipReasonScreen, rollback_consequences
from msp_tui.tui.screens.wizard_views import StepList, cost_text, status_label
from msp_tui.wizards import Executor, RunReport, StepEvent
from msp_tui.wizards.planning import drafted_email, step_messages

RUN_WORDS = {
    "planned": f"{STATUS_MARKS['pending']} planned", "running": f"{STATUS_MARKS['running']} running",
    "waiting": f"{STATUS_MARKS['waiting']} waiting for a person",
    "failed": f"{STATUS_MARKS['failed']} failed", "interrupted": "‖ interrupted",
    "done": f"{STATUS_MARKS['done']} done",
    "rolling-back": f"{STATUS_MARKS['rolled-back']} rolling back",
    "rolled-back": f"{STATUS_MARKS['rolled-back']} rolled back",
}
"""Glyph and word per run status (the step glyphs of `STATUS_MARKS`, as in the CLI)."""

AUTO_RESUME = frozenset({RunStatus.PLANNED, RunStatus.RUNNING, RunStatus.INTERRUPTED, RunStatus.WAITING})
"""Runs that continue by themselves when opened (each step is checked on the server first)."""

_PROGRESS_ACTIONS = frozenset({"mark_done", "skip", "retry", "rollback", "copy_email", "save_email"})


class WizardProgress(ModalScreen["str | None"]):
    """The progress stage; `WizardRunScreen` adds the stages before it."""

    PROGRESS_BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "mark_done", "Done", id="wizard.done", tooltip="Mark the highlighted manual step done"),
        Binding("s", "skip", "Skip", id="wizard.skip", tooltip="Skip the highlighted step (asks why; recorded)"),
        Binding("r", "retry", "Retry", id="wizard.retry",
                tooltip="Run again: retry a failed step (checked on the server first), check device check-ins"),
        Binding("R", "rollback", "Roll back", id="wizard.rollback",
                tooltip="Undo what is reversible: reactivate and rename back (asks first)"),
        Binding("e", "export", "Export", id="wizard.export",
                tooltip="Save the plan, the runbook (migration) or the run's report to a file"),
        Binding("c", "copy_email", "Copy email", id="wizard.copy_email",
                tooltip="Copy the closure email (OSC 52: works over SSH when the terminal allows it)"),
        Binding("S", "save_email", "Save email", id="wizard.save_email", tooltip="Save the closure email"),
    ]
    """The keys of the run stage."""

    CHECK_SECONDS: ClassVar[float] = 30.0
    """How often the target account is checked for reinstalled devices while the run waits."""

    run_id: str | None
    plan: Plan | None
    read_only: bool
    kind: WizardKind | None
    stage: str
    journal: Any
    clients: Any

    class StepChanged(Message):
        """The executor moved a step (posted from the worker)."""

        def __init__(self, event: StepEvent) -> None:
            super().__init__()
            self.event = event

    class RunFinished(Message):
        """The executor stopped: done, waiting for a person, failed or rolled back."""

        def __init__(self, report: RunReport) -> None:
            super().__init__()
            self.report = report

    class RunProblem(Message):
        """The run could not be driven (sign-in, busy run, illegal move); `error` says why."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    _busy = False
    _blocked: str | None = None
    """Why this session cannot continue the run (read-only, profile missing), or None."""
    changed = False
    """True once the run changed something on a server (the dashboard refreshes on close)."""
    step_list: StepList | None = None
    _advice: dict[int, str] = {}
    _poll: Timer | None = None

    def say(self, text: str, *, error: bool = False) -> None:  # pragma: no cover - overridden
        """Shows one line to the user."""

    def _show_stage(self, stage: str | None = None) -> None:  # pragma: no cover - overridden
        """Shows a stage."""

    # ---------------------------------------------------------------- opening

    def open_run(self, run_id: str) -> None:
        """Shows a journaled run and, unless it failed or the session is read-only, continues it."""
        try:
            record: RunRecord = self.journal.run(run_id)
        except Exception as exc:  # an unknown id from an old offer: say so, keep the screen
            self.say(f"✗ {exc}", error=True)
            return
        self.run_id, self.plan, self.kind = record.id, record.plan, record.plan.kind
        try:
            self.read_only = any(self.clients.read_only(name) for name in record.plan.profiles.values())
            self._blocked = "read-only session: the run is shown, not continued" if self.read_only else None
        except Exception as exc:
            self._blocked = str(exc)
        self._start_progress(record.plan)
        self._show_record(record)
        if self._blocked:
            self.say(f"✗ {self._blocked[0].upper()}{self._blocked[1:]}.", error=True)
        elif record.status in AUTO_RESUME:
            self.say(f"Resuming run {record.id}: every step is checked on the server before it runs.")
            self.execute("run")
        else:
            self.say(f"Run {record.id} is {record.status.value}: r retries, s skips, R rolls back.")

    def _start_progress(self, plan: Plan) -> None:
        self.step_list = StepList(plan, id="step-list")
        self._advice: dict[int, str] = {}
        self.query_one("#progress").mount(self.step_list, before="#step-detail")
        self.query_one("#run-cost", Static).update(cost_text(plan, compact=True))
        self._poll = self.set_interval(self.CHECK_SECONDS, self._check_in, pause=True, name="wizard check-in")
        self._show_stage("progress")
        self.call_after_refresh(self.step_list.focus)

    def _show_record(self, record: RunRecord) -> None:
        assert self.step_list is not None
        self.step_list.show_all([r.status.value for r in record.steps], step_messages(record))
        self._advice = {r.idx: str(r.outcome.get("advice") or "") for r in record.steps}
        line = f"Run {record.id} · {RUN_WORDS.get(record.status.value, record.status.value)} · " \
               f"{record.machine().progress().line()}"
        self.query_one("#run-status", Static).update(line)
        self._show_detail(self.step_list.highlighted)
        if self._poll is not None:
            waiting_reinstall = any(s.kind is StepKind.REINSTALL_AGENT and r.status is StepStatus.WAITING
                                    for s, r in zip(record.plan.steps, record.steps))
            (self._poll.resume if waiting_reinstall and not self._blocked else self._poll.pause)()

    @on(OptionList.OptionHighlighted, "#step-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_detail(event.option_index)

    def _show_detail(self, index: int | None) -> None:
        if self.step_list is None or index is None or self.plan is None:
            return
        step, status = self.plan.steps[index], self.step_list.statuses[index]
        lines = [f"Step {index + 1} · {status_label(status)} · {self.step_list.messages[index] or step.title}"]
        advice = self._advice.get(index)
        if advice and status in ("failed", "unknown"):
            lines.append(f"What to do: {advice}")
        if status in ("failed", "unknown"):
            lines.append("r: retry (checked on the server first) · s: skip with a reason · R: roll back")
        elif step.manual and status not in ("done", "skipped", "rolled-back"):
            verified = " · checked automatically when the device signs in (r checks now)" \
                if step.kind is StepKind.REINSTALL_AGENT else ""
            lines.append(f"d: mark done · s: skip with a reason{verified}")
        self.query_one("#step-detail", Static).update("\n".join(lines))

    # ---------------------------------------------------------------- the worker

    def execute(self, op: str, ref: str | None = None, reason: str | None = None) -> None:
        """Drives the run: "run", "done" (a manual step), "skip" (with a reason) or "rollback"."""
        if self._busy:
            self.say("Busy: the run is being driven; wait for it to stop.", error=True)
            return
        if self._blocked:
            self.say(f"✗ Cannot continue: {self._blocked}.", error=True)
            return
        self._busy = True
        self._execute(op, ref, reason)

    def _post_step_event(self, event: Any) -> None:
        self.post_message(self.StepChanged(event))

    @work(exclusive=True, group="wizard-run", exit_on_error=False, description="Run the wizard")
    async def _execute(self, op: str, ref: str | None, reason: str | None) -> None:
        """Runs the executor; posts a message per step event and one when it stops."""
        app: Any = self.app
        plan, run_id = self.plan, self.run_id
        assert plan is not None and run_id is not None
        try:
            clients = await self.clients.for_roles(plan.profiles)
            executor = Executor(self.journal, run_id, clients, login=app.profiles[plan.profiles["source"]].username,
                                on_event=self._post_step_event,
                                rename_template=app.settings.app.rename_suffix)
            if op == "rollback":
                report = await executor.rollback()
            elif op == "done" and ref is not None:
                report = await executor.mark_done(ref)
            else:
                if op == "skip" and ref is not None:
                    executor.skip(ref, reason or "")
                report = await executor.run()
        except asyncio.CancelledError:
            self._journal_stopped(run_id)
            raise
        except Exception as exc:  # shown in the screen; the journal keeps the details
            self.post_message(self.RunProblem(str(exc).strip("'\"") or type(exc).__name__))
            return
        self.post_message(self.RunFinished(report))

    def _journal_stopped(self, run_id: str) -> None:
        """Records that the run was stopped from the screen (esc), so lists show it resumable."""
        try:
            status = self.journal.run(run_id).machine().run_status()
            if status.open:
                status = RunStatus.INTERRUPTED if status is RunStatus.RUNNING else status
                self.journal.set_run_status(run_id, status, "the wizard screen was closed; resume continues")
        except Exception:  # never fail while being cancelled; resume re-derives the status
            pass

    @on(StepChanged)
    def _step_changed(self, message: StepChanged) -> None:
        event = message.event
        if self.step_list is None:
            return
        self.step_list.show(event.index, event.status.value, event.message)
        self._advice[event.index] = event.advice
        if not event.step.manual and event.status in (StepStatus.DONE, StepStatus.ROLLED_BACK):
            self.changed = True
        if event.status in (StepStatus.RUNNING, StepStatus.FAILED):
            self.step_list.highlighted = event.index
        self._show_detail(self.step_list.highlighted)

    @on(RunFinished)
    def _run_finished(self, message: RunFinished) -> None:
        self._busy = False
        report = message.report
        record = self.journal.run(report.run_id)
        self._show_record(record)
        if self.step_list is not None:
            first = self.step_list.first("failed", "unknown", "waiting")
            if first is not None:
                self.step_list.highlighted = first
        if report.advice:
            self.say(f"What to do: {report.advice}", error=report.status is RunStatus.FAILED)
        elif report.status is RunStatus.WAITING:
            self.say("Manual steps wait for a person: d marks one done; reinstalls are also verified "
                     "when the device signs in to the new account. e saves the runbook.")
        else:
            self.say(report.message)
        self.refresh_bindings()

    @on(RunProblem)
    def _run_problem(self, message: RunProblem) -> None:
        self._busy = False
        self.say(f"✗ {message.error}", error=True)
        if self.run_id is not None:
            self._show_record(self.journal.run(self.run_id))

    def _check_in(self) -> None:
        if not self._busy and not self._blocked and self.stage == "progress":
            self.execute("run")

    def stop_run(self) -> bool:
        """Stops the worker (the step in flight is checked on the server on resume); True if the run is open."""
        self.workers.cancel_group(self, "wizard-run")
        if self.run_id is None:
            return False
        try:
            return bool(self._busy or self.journal.run(self.run_id).status.open)
        except Exception:
            return False

    # ---------------------------------------------------------------- keys

    def check_progress_action(self, action: str) -> bool | None:
        """Shows the run keys only at the run stage (email keys only for an account closure)."""
        if action not in _PROGRESS_ACTIONS:
            return True
        if self.stage != "progress":
            return False
        if action in ("copy_email", "save_email"):
            return self.kind is WizardKind.CLOSE_ACCOUNT
        return None if self._blocked else True

    def _highlighted_step(self) -> int | None:
        if self.step_list is None or self.step_list.highlighted is None:
            return None
        return self.step_list.highlighted

    def action_mark_done(self) -> None:
        """d: confirms the highlighted manual step by hand, then the run continues."""
        index = self._highlighted_step()
        if index is None or self.plan is None or self.step_list is None:
            return
        step = self.plan.steps[index]
        if not step.manual:
            self.say(f"Step {index + 1} is automatic: it is checked on the server (r retries it).", error=True)
        elif self.step_list.statuses[index] in ("done", "skipped", "rolled-back"):
            self.say(f"Step {index + 1} is already {self.step_list.statuses[index]}.")
        else:
            self.execute("done", ref=str(index + 1))

    def action_skip(self) -> None:
        """s: skips the highlighted step after asking why (the reason is journaled)."""
        index = self._highlighted_step()
        if index is None or self.plan is None or self.step_list is None or self._blocked:
            return
        if self.step_list.statuses[index] in ("done", "skipped", "rolled-back"):
            self.say(f"Step {index + 1} is already {self.step_list.statuses[index]}.")
            return

        def skip(reason: object) -> None:
            if isinstance(reason, str) and reason:
                self.execute("skip", ref=str(index + 1), reason=reason)

        self.app.push_screen(SkipReasonScreen(index + 1, self.plan.steps[index]), skip)

    def action_retry(self) -> None:
        """r: runs again (a failed step is checked on the server before it is retried)."""
        self.execute("run")

    def action_rollback(self) -> None:
        """R: after a confirmation, undoes the done reversible steps, last first."""
        if self.plan is None or self.run_id is None or self._blocked:
            return
        machine = self.journal.run(self.run_id).machine()
        if not any(s is StepStatus.DONE and step.reversible for s, step in zip(machine.statuses, self.plan.steps)):
            self.say("Nothing to roll back: no reversible step is done.")
            return
        self.app.push_screen(ConfirmScreen(rollback_consequences(self.plan)),
                             lambda ok: self.execute("rollback") if ok else None)

    def _email(self) -> str | None:
        email = drafted_email(self.journal.run(self.run_id)) if self.run_id else None
        if email is None:
            self.say("The closure email is drafted once every deactivation is done (its own step).", error=True)
        return email

    def action_copy_email(self) -> None:
        """c: copies the closure email to your terminal's clipboard (OSC 52)."""
        email = self._email()
        if email is not None:
            self.app.copy_to_clipboard(email)
            self.say("Closure email copied (OSC 52; in tmux `set-clipboard on`). Once sent, mark its step done with d.")

    def action_save_email(self) -> None:
        """S: saves the closure email to a file on the host running msp-tui."""
        email = self._email()
        if email is not None:
            self.write_file(f"closure-email-{self.run_id}.txt", email)

    def export_run(self) -> None:
        """Saves the runbook (migration) or the run's report (plan and progress)."""
        if self.run_id is None:
            return
        record = self.journal.run(self.run_id)
        if record.plan.kind is WizardKind.MIGRATE:
            text = render_runbook(record.plan, record.statuses_by_key(), run_id=record.id)
            self.write_file(f"runbook-{record.id}.md", text)
            return
        steps = render_steps(record.plan, [r.status.value for r in record.steps], step_messages(record))
        self.write_file(f"report-{record.id}.txt", render_plan(record.plan) + "\nProgress:\n" + "\n".join(steps) + "\n")

    def write_file(self, name: str, text: str) -> None:
        """Writes `text` into the App's export folder and says where."""
        folder = Path(getattr(self.app, "export_dir", None) or Path.cwd())
        path = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.say(f"✗ Could not save {path}: {exc.strerror or exc}", error=True)
            return
        self.say(f"Saved to {path} (on the host running msp-tui).")
