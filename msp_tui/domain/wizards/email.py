"""Provides the account-closure email to msp-billing, drafted from what the run deactivated."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from msp_tui.domain.wizards.model import Plan
from msp_tui.domain.wizards.plans import MSP_BILLING, PAYMENT_SUPPORT


@dataclass(frozen=True)
class Deactivated:
    """One thing the run deactivated, and when (ISO UTC)."""

    what: str
    """"org" or "user"."""
    name: str
    at: str


@dataclass(frozen=True)
class Email:
    """A drafted email."""

    to: str
    subject: str
    body: str

    def as_text(self) -> str:
        """Returns the email with To/Subject headers, ready to paste or save."""
        return f"To: {self.to}\nSubject: {self.subject}\n\n{self.body}"


def closure_email(plan: Plan, deactivated: Sequence[Deactivated], *, login: str | None = None,
                  sender: str | None = None) -> Email:
    """Drafts the email asking msp-billing to close the partner account of `plan`."""
    account = plan.accounts.get("source", "")
    orgs = [d for d in deactivated if d.what == "org"]
    users = [d for d in deactivated if d.what == "user"]
    dates = sorted(d.at[:10] for d in deactivated)
    when = (f"on {dates[0]}" if dates and dates[0] == dates[-1] else
            f"between {dates[0]} and {dates[-1]}" if dates else "")
    lines = [
        "Hello Code42 MSP billing team,",
        "",
        f"Please close our Code42 MSP partner account \"{account}\""
        + (f" (console login {login})" if login else "") + ".",
        "",
        f"As the MSP program FAQ asks, we have deactivated our customer organizations and user "
        f"accounts {when}:".replace("  ", " "),
        "",
        f"Customer organizations deactivated ({len(orgs)}):",
        *[f"  - {d.name} (deactivated {d.at})" for d in orgs],
        "",
        f"User accounts deactivated ({len(users)}):",
        *[f"  - {d.name} (deactivated {d.at})" for d in users],
        "",
        "Please confirm the closure, the date of the final invoice, and when the archives left in "
        "cold storage will be purged.",
        "",
        f"For any payment-method question we will contact 2Checkout support at {PAYMENT_SUPPORT}.",
        "",
        "Thank you,",
        sender or account,
    ]
    return Email(MSP_BILLING, plan.email.get("subject") or f"Please close our Code42 MSP partner account {account}",
                 "\n".join(lines) + "\n")
