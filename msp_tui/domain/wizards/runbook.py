"""Provides the technician's runbook: per-OS uninstall/reinstall instructions per device.

A *complete* uninstall is needed when a device moves to another account: a standard uninstall
keeps the hidden identity file, and a reinstalled agent would then try to resume its old
identity in the old account. MSP installs are interactive (deployment policies are not
available to MSPs), so the reinstall is: download, install, sign in as the user.
Paths are those of current CrashPlan agents. Checked: the identity file paths (Windows
C:\\ProgramData\\CrashPlan\\.identity, macOS /Library/Application Support/CrashPlan/.identity)
against the vendor's "File and folder hierarchy" article, and the macOS uninstall.sh path and
"remove the folder for a complete uninstall" against a university's deployment notes. The
Linux steps are still our reading of the vendor's uninstall article: check them for the agent
version in use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from msp_tui.domain.wizards.model import Plan, StepKind
from msp_tui.domain.wizards.plans import os_label

UNINSTALL: dict[str, tuple[str, ...]] = {
    "win": (
        "Sign out every other Windows user of the computer.",
        "Control Panel > Programs > Uninstall a program: select CrashPlan (Code42) and Uninstall.",
        "Complete the uninstall: delete C:\\ProgramData\\CrashPlan (it holds the hidden .identity "
        "file) and, for a per-user install, %LOCALAPPDATA%\\CrashPlan.",
        "Restart the computer.",
    ),
    "mac": (
        "Quit the CrashPlan app.",
        "Agent 11.0 or later, and any agent on macOS Ventura or later: in Terminal run "
        "sudo \"/Library/Application Support/CrashPlan/Uninstall.app/Contents/Resources/uninstall.sh\" "
        "(per-user install: the same path under ~/Library).",
        "Older agents: open Uninstall.app in /Library/Application Support/CrashPlan (or ~/Library/...).",
        "Complete the uninstall: delete /Library/Application Support/CrashPlan (and "
        "~/Library/Application Support/CrashPlan), which hold the hidden .identity file.",
    ),
    "linux": (
        "From the directory of the CrashPlan installer package, run: sudo ./uninstall.sh -i /usr/local/crashplan "
        "(it reads the install.vars written at install time).",
        "Complete the uninstall: delete /var/lib/crashplan (the hidden .identity file) and any "
        "remaining /usr/local/crashplan.",
        "Confirm the service is gone: systemctl status crashplan (or ps aux | grep -i crashplan).",
    ),
}
"""Complete-uninstall steps per Code42 osName."""

REINSTALL: tuple[str, ...] = (
    "Download the CrashPlan installer for this OS from the {account} console (Downloads).",
    "Install it and start the app.",
    "Sign in as {username} — the user created in {account} — with the password or invitation "
    "that account sent. Do not sign in to the old account.",
    "Select the files to back up again (archives start over: the first backup is a full one).",
)
"""Reinstall steps; {account} and {username} are filled in."""


def instructions(os_name: str, *, username: str, account: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Returns (uninstall steps, reinstall steps) for a device of `os_name`."""
    key = (os_name or "").lower()
    uninstall = UNINSTALL.get(key, (
        "Uninstall the CrashPlan app with the OS's usual tools, then delete its data folder "
        "(with the hidden .identity file).",
    ))
    reinstall = tuple(s.format(account=account, username=username) for s in REINSTALL)
    return uninstall, reinstall


def render_runbook(plan: Plan, statuses: Mapping[str, str] | None = None, *, run_id: str = "ID") -> str:
    """Returns the runbook of a migration plan as plain text (Markdown-friendly).

    `statuses` maps step keys to their status, so a technician sees what is already done.
    """
    statuses = statuses or {}
    target = plan.accounts.get("target", "the new account")
    source = plan.accounts.get("source", "the old account")
    lines = [f"# Runbook: {plan.title}", "",
             f"Run {run_id}. Each device is moved by a complete uninstall of the agent and a",
             f"reinstall signed in to {target}. Its old archive stays in {source}'s cold storage;",
             "the new backup starts from scratch.", "",
             f"Mark a step done: msp-tui wizards resume {run_id} --done STEP", ""]
    by_device: dict[int, list] = {}
    for number, step in enumerate(plan.steps, start=1):
        if step.kind in (StepKind.UNINSTALL_AGENT, StepKind.REINSTALL_AGENT):
            by_device.setdefault(step.params["computer_id"], []).append((number, step))
    if not by_device:
        lines.append("No device needs a technician in this plan.")
    users: dict[str, list[Sequence]] = {}
    for pairs in by_device.values():
        users.setdefault(pairs[0][1].params["username"], []).append(pairs)
    for username in sorted(users, key=str.casefold):
        lines += [f"## {username}", ""]
        for device_steps in users[username]:
            params = device_steps[0][1].params
            uninstall, reinstall = instructions(params["os"], username=username, account=target)
            lines.append(f"### {params['hostname']} ({os_label(params['os'])}, device {params['device_name']})")
            lines.append("")
            for number, step in device_steps:
                mark = "x" if statuses.get(step.key) in ("done", "skipped") else " "
                what = "Complete uninstall" if step.kind is StepKind.UNINSTALL_AGENT else "Reinstall and sign in"
                lines.append(f"- [{mark}] Step {number} ({step.key}): {what}")
                for text in (uninstall if step.kind is StepKind.UNINSTALL_AGENT else reinstall):
                    lines.append(f"    - {text}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
