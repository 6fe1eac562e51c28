"""Provides the plan and step model of the wizards, and its JSON form for the journal.

A plan is the whole wizard, decided before anything changes: who and what is involved, what it
costs, and an ordered list of steps. A step is either automatic (one API call on one account,
with a precondition the executor checks on the server first) or manual (something a person does
on a device, confirmed by hand or verified by watching the target account).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

PLAN_SCHEMA = "msp-tui.wizard-plan/1"
"""Tag of the plan JSON stored in the journal (wizard_runs.plan)."""


class WizardKind(str, Enum):
    """The three wizards."""

    MIGRATE = "migrate"
    OFFBOARD = "offboard"
    CLOSE_ACCOUNT = "close-account"


class StepKind(str, Enum):
    """What a step does."""

    RENAME_USER = "rename-user"
    DEACTIVATE_USER = "deactivate-user"
    CREATE_ORG = "create-org"
    CREATE_USER = "create-user"
    DEACTIVATE_ORG = "deactivate-org"
    DRAFT_EMAIL = "draft-email"
    UNINSTALL_AGENT = "uninstall-agent"
    REINSTALL_AGENT = "reinstall-agent"
    SEND_EMAIL = "send-email"

    @property
    def manual(self) -> bool:
        """True for steps a person performs."""
        return self in _MANUAL

    @property
    def reversible(self) -> bool:
        """True for steps a rollback can undo on the server."""
        return self in _REVERSIBLE


_MANUAL = frozenset({StepKind.UNINSTALL_AGENT, StepKind.REINSTALL_AGENT, StepKind.SEND_EMAIL})
_REVERSIBLE = frozenset({
    StepKind.RENAME_USER, StepKind.DEACTIVATE_USER, StepKind.CREATE_ORG, StepKind.CREATE_USER,
    StepKind.DEACTIVATE_ORG,
})


class StepStatus(str, Enum):
    """Where a step stands. Terminal: done, skipped, rolled-back."""

    PENDING = "pending"
    RUNNING = "running"
    """Journaled as started; if the process died here its outcome is checked on resume."""
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"
    UNKNOWN = "unknown"
    """The request was sent but its answer was lost; the server is checked before any retry."""
    WAITING = "waiting"
    """A manual step waiting for a person (or for the device to check in)."""
    ROLLED_BACK = "rolled-back"

    @property
    def finished(self) -> bool:
        """True when nothing more is to be done for the step."""
        return self in (StepStatus.DONE, StepStatus.SKIPPED, StepStatus.ROLLED_BACK)


@dataclass(frozen=True)
class Step:
    """One step of a plan."""

    key: str
    """Stable id within the plan, e.g. "deactivate-user:935252700352242253"."""
    kind: StepKind
    account: str
    """"source" or "target" (the profile role whose client runs it), or "local"."""
    title: str
    """One line for people: "Deactivate jane.doe@example.com in Northwind MSP"."""
    params: dict[str, Any] = field(default_factory=dict)
    """What the step needs (ids, names); JSON-compatible."""

    @property
    def manual(self) -> bool:
        """True for steps a person performs."""
        return self.kind.manual

    @property
    def reversible(self) -> bool:
        """True when a rollback can undo it."""
        return self.kind.reversible

    def to_json(self) -> dict[str, Any]:
        """Returns the JSON form."""
        return {"key": self.key, "kind": self.kind.value, "account": self.account,
                "title": self.title, "params": self.params}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        """Reads the JSON form."""
        return cls(data["key"], StepKind(data["kind"]), data["account"], data["title"],
                   dict(data.get("params") or {}))


@dataclass(frozen=True)
class CostLine:
    """One account's bill before and after the plan (money as strings, e.g. "381.99")."""

    account: str
    """Role: "source" or "target"."""
    name: str
    """The account's top-level org name."""
    billed_before: int
    billed_after: int
    monthly_before: str
    monthly_after: str
    rate_before: str
    rate_after: str
    next_cycle: str
    """ISO date the change takes effect (the tier changes at the next cycle)."""
    after_purge_billed: int | None = None
    """Billed users once the cold storage this plan leaves behind is purged (None: n/a)."""
    after_purge_monthly: str | None = None
    notes: tuple[str, ...] = ()
    """Sentences for people, tier crossings first, with the numbers."""


@dataclass(frozen=True)
class Plan:
    """A wizard's plan: everything shown before anything changes, and the steps."""

    kind: WizardKind
    title: str
    profiles: dict[str, str]
    """Profile name per role ("source", "target")."""
    accounts: dict[str, str]
    """Top-level org name (the partner account) per role."""
    planned_on: str
    """ISO date the plan was built (and the date of the rename suffix)."""
    confirm_name: str
    """What the user types to confirm: the customer org name, or the account name."""
    steps: tuple[Step, ...]
    org_name: str | None = None
    demo: bool = False
    """The profiles are the embedded demo ones."""
    summary: tuple[str, ...] = ()
    """What will happen, in sentences (consequences, archives, licences)."""
    users: tuple[dict[str, Any], ...] = ()
    """The users involved: username, email, name, org, devices."""
    devices: tuple[dict[str, Any], ...] = ()
    """The devices involved: name, hostname, os, user."""
    costs: tuple[CostLine, ...] = ()
    warnings: tuple[str, ...] = ()
    email: dict[str, str] = field(default_factory=dict)
    """Account closure: to, cc, payment_support, subject."""

    def step(self, ref: str | int) -> tuple[int, Step]:
        """Returns (index, step) for a 1-based number or a key (or unique key prefix).

        Raises:
            KeyError: no such step, or an ambiguous prefix.
        """
        text = str(ref).strip()
        if text.isdigit():
            number = int(text)
            if 1 <= number <= len(self.steps):
                return number - 1, self.steps[number - 1]
            raise KeyError(f"no step {number} (the plan has {len(self.steps)} steps)")
        exact = [i for i, s in enumerate(self.steps) if s.key == text]
        found = exact or [i for i, s in enumerate(self.steps) if s.key.startswith(text)]
        if len(found) == 1:
            return found[0], self.steps[found[0]]
        if not found:
            raise KeyError(f"no step {text!r}")
        raise KeyError(f"step {text!r} is ambiguous ({len(found)} steps match)")

    def to_json(self) -> dict[str, Any]:
        """Returns the JSON form stored in the journal."""
        return {
            "schema": PLAN_SCHEMA,
            "kind": self.kind.value,
            "title": self.title,
            "profiles": self.profiles,
            "accounts": self.accounts,
            "planned_on": self.planned_on,
            "confirm_name": self.confirm_name,
            "org_name": self.org_name,
            "demo": self.demo,
            "summary": list(self.summary),
            "users": list(self.users),
            "devices": list(self.devices),
            "costs": [asdict(c) for c in self.costs],
            "warnings": list(self.warnings),
            "email": self.email,
            "steps": [s.to_json() for s in self.steps],
        }

    def dumps(self) -> str:
        """Returns the JSON text."""
        return json.dumps(self.to_json(), sort_keys=True)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        """Reads the JSON form."""
        if data.get("schema") != PLAN_SCHEMA:
            raise ValueError(f"not a wizard plan ({data.get('schema')!r})")
        return cls(
            kind=WizardKind(data["kind"]),
            title=data["title"],
            profiles=dict(data["profiles"]),
            accounts=dict(data["accounts"]),
            planned_on=data["planned_on"],
            confirm_name=data["confirm_name"],
            steps=tuple(Step.from_json(s) for s in data["steps"]),
            org_name=data.get("org_name"),
            demo=bool(data.get("demo")),
            summary=tuple(data.get("summary") or ()),
            users=tuple(data.get("users") or ()),
            devices=tuple(data.get("devices") or ()),
            costs=tuple(
                CostLine(**{**c, "notes": tuple(c.get("notes") or ())}) for c in data.get("costs") or ()
            ),
            warnings=tuple(data.get("warnings") or ()),
            email=dict(data.get("email") or {}),
        )

    @classmethod
    def loads(cls, text: str) -> Plan:
        """Reads the JSON text."""
        return cls.from_json(json.loads(text))
