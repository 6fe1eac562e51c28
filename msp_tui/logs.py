"""Provides msp-tui's debug log (in the user log dir) with secrets masked.

Every secret the process learns (passwords, client secrets, tokens) is registered here,
and a filter replaces it in every record before anything is written.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from msp_tui import paths

_secrets: set[str] = set()
LOG_NAME = "msp-tui.log"


def register_secret(value: str | None) -> None:
    """Makes sure `value` never appears in a log record."""
    if value and len(value) >= 4:
        _secrets.add(value)


class RedactSecrets(logging.Filter):
    """Masks registered secrets and Authorization headers in log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = message
        for secret in _secrets:
            masked = masked.replace(secret, "***")
        if "Bearer " in masked:
            masked = _mask_after(masked, "Bearer ")
        if masked != message:
            record.msg, record.args = masked, None
        return True


def _mask_after(text: str, marker: str) -> str:
    out, rest = [], text
    while marker in rest:
        head, rest = rest.split(marker, 1)
        token_end = next((i for i, c in enumerate(rest) if c in " '\",;\n"), len(rest))
        out.append(head + marker + "***")
        rest = rest[token_end:]
    return "".join(out) + rest


def configure_logging(level: int = logging.INFO) -> Path:
    """Sends msp-tui's and httpx's records to the log file (0600); returns its path."""
    directory = paths.ensure_private_dir(paths.log_dir())
    path = directory / LOG_NAME
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_msp_tui", False)]:
        root.removeHandler(old)
        old.close()
    handler._msp_tui = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return path
