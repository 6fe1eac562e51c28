"""Provides `WizardRunScreen`: one wizard, from choosing to the last step, as a modal.

Four stages in a `ContentSwitcher`: 1 choose (customer org, target account), 2 the plan (a dry
run: what happens, users, devices, cost before → after on every account, steps), 3 the typed
confirmation (the dashboard's `ConfirmScreen`), 4 progress (`WizardProgress`: the steps with
their status, the run driven by the `Executor` in a worker). Read-only sessions stop after the
plan. esc closes at any stage without losing anything: the journal holds the run, and the
chooser (or the offer at start-up) resumes it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import ContentSwitcher, Label, Select, Static

from msp_tui.api import ApiError
from msp_tui.domain.wizards.model import Plan, WizardKind
from msp_tui.domain.wizards.render import render_plan
from msp_tui.tui.screens.confirm import ConfirmScreen
from msp_tui.tui.screens.wizard_progress import WizardProgress
from msp_tui.tui.screens.wizard_prompts import start_consequences
from msp_tui.tui.screens.wizard_views import PlanView, cost_text
from msp_tui.tui.wizard_session import WizardClients, journal_for
from msp_tui.wizards.planning import (
    PlanError,
    build_plan,
    fetch_retention,
    record_confirmed_run,
    roles_for,
)
from msp_tui.tui.widgets.key_bar import KeyBar

KIND_TITLES = {
    WizardKind.MIGRATE: "Migrate a customer to another partner account",
    WizardKind.OFFBOARD: "Offboard a customer",
    WizardKind.CLOSE_ACCOUNT: "Close this partner account",
}
"""What each wizard is called in the chooser and the title line."""

STAGES = (("choose", "Choose"), ("plan", "Plan"), ("confirm", "Confirm"), ("progress", "Run"))
"""The stages in order: (id, word)."""


class WizardRunScreen(WizardProgress):
    """A wizard: choose, plan (dry run), confirm by typing the name, run with progress."""

    DEFAULT_CSS = """
    WizardRunScreen {
        align: center middle;
    }
    WizardRunScreen > #dialog {
        width: 120;
        max-width: 100%;
        height: 40;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    WizardRunScreen #wiz-title {
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    WizardRunScreen #wiz-body, WizardRunScreen #wiz-body > Vertical {
        height: 1fr;
    }
    WizardRunScreen .field-label {
        margin: 1 0 0 0;
    }
    WizardRunScreen #plan-cost, WizardRunScreen #run-cost {
        color: $text-accent;
        height: auto;
        max-height: 3;
    }
    WizardRunScreen #plan-banner, WizardRunScreen #wiz-message {
        height: auto;
        max-height: 2;
    }
    WizardRunScreen #plan-banner.-refused, WizardRunScreen #wiz-message.-error {
        color: $text-error;
        text-style: bold;
    }
    WizardRunScreen #run-status {
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    WizardRunScreen #step-detail {
        height: 3;
        color: $text-muted;
    }
    """
    """A full-height dialog (all of 80x24); lists scroll; theme variables only."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="wizard.close",
                tooltip="Close; the journal keeps the run, which can be resumed later"),
        Binding("ctrl+n", "next", "Next", id="wizard.next", priority=True,
                tooltip="Plan (from the choices), then confirm and run (from the plan)"),
        *WizardProgress.PROGRESS_BINDINGS,
    ]
    """esc closes (nothing lost), ctrl+n goes on; the progress keys are in `WizardProgress`."""

    AUTO_FOCUS = "#org-select, #plan-view, #step-list"

    class PlanReady(Message):
        """The plan worker built a plan."""

        def __init__(self, plan: Plan, read_only: bool) -> None:
            super().__init__()
            self.plan = plan
            self.read_only = read_only

    class PlanFailed(Message):
        """The plan could not be built; `error` says why."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, kind: WizardKind | str | None = None, *, org_name: str | None = None,
                 run_id: str | None = None) -> None:
        """Opens a new wizard of `kind` (org preselected) or, with `run_id`, a journaled run."""
        super().__init__()
        self.kind = WizardKind(kind) if kind is not None else None
        self.org_name = org_name
        self.run_id = run_id
        """The journaled run (None until confirmed)."""
        self.plan: Plan | None = None
        self.read_only = False
        """True when some account of the plan is read-only: planning and dry run only."""
        self.stage = "progress" if run_id else "plan" if self.kind is WizardKind.CLOSE_ACCOUNT else "choose"
        self._clients: WizardClients | None = None

    # ---------------------------------------------------------------- plumbing

    @property
    def clients(self) -> WizardClients:
        """The clients of this wizard's accounts."""
        if self._clients is None:
            self._clients = WizardClients(self.app)
        return self._clients

    @property
    def journal(self) -> Any:
        """The App's wizard journal."""
        return journal_for(self.app)

    def say(self, text: str, *, error: bool = False) -> None:
        """Shows one line under the body (an outcome, or what went wrong)."""
        line = self.query_one("#wiz-message", Static)
        line.update(text)
        line.set_class(error, "-error")

    # ---------------------------------------------------------------- layout

    def _org_choices(self) -> list[str]:
        dataset = getattr(self.app, "dataset", None)
        if dataset is None:
            return []
        return [o.org_name for o in dataset.tree.customers if o.is_active]

    def _target_choices(self) -> list[str]:
        app: Any = self.app
        return [name for name in app.profiles if name != app.store.profile]

    def compose(self) -> ComposeResult:
        """Title, stage trail, the four stages, a message line and the keys."""
        orgs, targets = self._org_choices(), self._target_choices()
        org = self.org_name if self.org_name in orgs else (orgs[0] if orgs else None)
        with Vertical(id="dialog"):
            yield Static(id="wiz-title", markup=False)
            yield Static(id="wiz-trail")
            with ContentSwitcher(initial=self.stage, id="wiz-body"):
                with Vertical(id="choose"):
                    yield Static(id="choose-hint", markup=False)
                    yield Label("Customer org", classes="field-label")
                    yield Select([(o, o) for o in orgs], value=org or Select.NULL, allow_blank=not orgs,
                                 id="org-select", compact=True)
                    yield Label("Target partner account (profile)", classes="field-label", id="target-label")
                    yield Select([(t, t) for t in targets], value=targets[0] if targets else Select.NULL,
                                 allow_blank=not targets, id="target-select", compact=True)
                with Vertical(id="plan"):
                    yield Static("Fetching the accounts and planning…", id="plan-cost", markup=False)
                    yield Static(id="plan-banner", markup=False)
                with Vertical(id="progress"):
                    yield Static(id="run-status", markup=False)
                    yield Static(id="step-detail", markup=False)
                    yield Static(id="run-cost", markup=False)
            yield Static(id="wiz-message", markup=False)
            yield KeyBar()

    def on_mount(self) -> None:
        """Fills the first stage: the choices, the plan (account closure) or a journaled run."""
        migrate = self.kind is WizardKind.MIGRATE
        self.query_one("#target-select").display = migrate
        self.query_one("#target-label").display = migrate
        hint = "Choose, then ctrl+n to see the plan (nothing is sent before you confirm)."
        if not self._org_choices():
            hint = "No customer org to choose (no data yet, or none active)."
        elif migrate and not self._target_choices():
            hint = "A migration needs a second partner account: add another profile first."
        self.query_one("#choose-hint", Static).update(hint)
        if self.run_id is not None:
            self.open_run(self.run_id)
        elif self.stage == "plan":
            self._plan(None, None)
        self._show_stage()

    def _show_stage(self, stage: str | None = None) -> None:
        self.stage = stage or self.stage
        if self.stage != "confirm":
            self.query_one(ContentSwitcher).current = self.stage
        kind = self.kind or (WizardKind(self.plan.kind) if self.plan else None)
        title = self.plan.title if self.plan else KIND_TITLES.get(kind, "Wizard") if kind else "Wizard"
        self.query_one("#wiz-title", Static).update(f"Wizard · {title}")
        ids = [s for s, _ in STAGES]
        current = ids.index(self.stage)
        parts: list[Content | str] = []
        for n, (_stage, word) in enumerate(STAGES):
            if n:
                parts.append(" › ")
            mark, style = ("✓", "$text-success") if n < current else ("▶", "bold") if n == current else ("·", "$text-muted")
            parts.append((f"{mark} {n + 1} {word}", style))  # type: ignore[arg-type]
        self.query_one("#wiz-trail", Static).update(Content.assemble(*parts))
        self.refresh_bindings()

    # ---------------------------------------------------------------- stages 1-3

    def action_next(self) -> None:
        """ctrl+n: plan from the choices; from the plan, ask for the typed confirmation."""
        if self.stage == "choose":
            org = self.query_one("#org-select", Select).value
            target = self.query_one("#target-select", Select).value
            if org is Select.NULL or (self.kind is WizardKind.MIGRATE and target is Select.NULL):
                self.say("Choose a customer org" + (" and a target account" if self.kind is WizardKind.MIGRATE
                                                    else "") + " first.", error=True)
                return
            self._show_stage("plan")
            self._plan(str(org), None if target is Select.NULL else str(target))
        elif self.stage == "plan" and self.plan is not None:
            if self.read_only:
                self.say("Read-only session: planning and dry runs only; nothing can be started.", error=True)
                return
            self._show_stage("confirm")
            self.app.push_screen(ConfirmScreen(start_consequences(self.plan)), self._confirmed)

    @work(exclusive=True, group="wizard-plan", exit_on_error=False, description="Plan the wizard")
    async def _plan(self, org: str | None, target: str | None) -> None:
        """Fetches every account involved and builds the plan from the live data."""
        app: Any = self.app
        assert self.kind is not None
        source = app.store.profile
        profiles = {"source": source, **({"target": target} if target else {})}
        profiles = {role: profiles[role] for role in roles_for(self.kind) if role in profiles}
        try:
            snapshots = await self.clients.snapshots(profiles)
            retention = await fetch_retention(self.kind, snapshots["source"], await self.clients.client(source), org)
            plan = build_plan(self.kind, snapshots, settings=app.settings, today=app.clock().date(),
                              profiles=profiles, org_name=org, own_usernames=[app.profiles[source].username],
                              retention=retention, demo=app.profiles[source].is_demo)
            read_only = any(self.clients.read_only(name) for name in profiles.values())
        except (ApiError, PlanError, KeyError) as exc:
            self.post_message(self.PlanFailed(str(exc).strip("'\"")))
            return
        except Exception as exc:  # a network or data problem: say it here, not as a crash
            self.post_message(self.PlanFailed(f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.PlanReady(plan, read_only))

    @on(PlanReady)
    async def _show_plan(self, message: PlanReady) -> None:
        self.plan, self.read_only = message.plan, message.read_only
        box = self.query_one("#plan", Vertical)
        await box.query(PlanView).remove()
        view = PlanView(message.plan, id="plan-view")
        await box.mount(view, before="#plan-banner")
        self.query_one("#plan-cost", Static).update(cost_text(message.plan, compact=True))
        banner = self.query_one("#plan-banner", Static)
        if self.read_only:
            banner.update("✗ Read-only session: this is the plan and its dry run; nothing can be changed. "
                          "esc closes.")
        else:
            banner.update(f"ctrl+n: confirm (type {message.plan.confirm_name}) and run · e: save this plan · "
                          "esc: close, nothing sent")
        banner.set_class(self.read_only, "-refused")
        view.focus()
        self._show_stage()

    @on(PlanFailed)
    def _plan_failed(self, message: PlanFailed) -> None:
        self.query_one("#plan-cost", Static).update(f"✗ Cannot plan: {message.error}")
        self.say(f"✗ Cannot plan: {message.error}", error=True)
        if self.kind is not WizardKind.CLOSE_ACCOUNT:
            self._show_stage("choose")

    def _confirmed(self, confirmed: bool | None) -> None:
        if not confirmed or self.plan is None:
            self._show_stage("plan")
            self.say("Not confirmed: nothing was sent.")
            return
        self.run_id = record_confirmed_run(self.journal, self.plan)
        self.say(f"Run {self.run_id} recorded in the journal; esc never loses it (resume from W).")
        self._start_progress(self.plan)
        self.execute("run")

    def action_export(self) -> None:
        """e: saves the plan (the dry run), or the run's runbook/report, to a file."""
        if self.stage == "plan" and self.plan is not None:
            slug = (self.plan.org_name or self.plan.accounts.get("source", "account")).replace(" ", "-")
            self.write_file(f"plan-{self.plan.kind.value}-{slug}.txt", render_plan(self.plan))
        elif self.stage == "progress":
            self.export_run()

    # ---------------------------------------------------------------- keys and closing

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Shows each key only in the stage where it does something."""
        if action == "next":
            return self.stage in ("choose", "plan")
        if action == "export":
            return self.stage in ("plan", "progress")
        return self.check_progress_action(action)

    def action_close(self) -> None:
        """esc: closes; a run in progress stops between requests and stays resumable."""
        self.workers.cancel_group(self, "wizard-plan")
        open_run = self.stop_run()
        if open_run:
            self.app.notify(f"Run {self.run_id} is kept in the journal: W → resume continues it.")
        self.dismiss(self.run_id)

    async def on_unmount(self) -> None:
        """Closes the clients this wizard opened."""
        if self._clients is not None:
            await self._clients.aclose()
