"""Provides where profile secrets (passwords, client secrets) come from and are kept.

Order of lookup: the environment (`MSP_TUI_SECRET_<PROFILE>`, then `MSP_TUI_SECRET`), then
the secrets file, which exists only if the user asked to store a secret. That file is
written 0600 and refused when its permissions are looser. Secrets never go to config.toml.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from msp_tui import paths


class SecretsError(Exception):
    """The secrets file is unsafe or unreadable; the message says how to fix it."""


def env_name(profile: str) -> str:
    """Returns the environment variable that holds a profile's secret."""
    cleaned = "".join(c if c.isalnum() else "_" for c in profile.upper())
    return f"MSP_TUI_SECRET_{cleaned}"


class SecretStore:
    """Reads and writes profile secrets."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.secrets_file()

    def get(self, profile: str) -> str | None:
        """Returns the profile's secret from the environment or the file, or None."""
        value = os.environ.get(env_name(profile)) or os.environ.get("MSP_TUI_SECRET")
        if value:
            return value
        return self._read().get(profile)

    def put(self, profile: str, secret: str) -> None:
        """Stores a secret in the 0600 secrets file."""
        data = self._read()
        data[profile] = secret
        self._write(data)

    def remove(self, profile: str) -> bool:
        """Forgets a stored secret; returns whether one was stored."""
        data = self._read()
        if profile not in data:
            return False
        del data[profile]
        self._write(data)
        return True

    def check_permissions(self) -> None:
        """Raises SecretsError when the file can be read by anyone but its owner."""
        if not self.path.exists() or os.name != "posix":
            return
        mode = stat.S_IMODE(self.path.stat().st_mode)
        if mode & 0o077:
            raise SecretsError(
                f"{self.path} is readable by others (mode {mode:o}); "
                f"run `chmod 600 {self.path}` and try again."
            )

    def _read(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        self.check_permissions()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SecretsError(f"{self.path} cannot be read ({type(exc).__name__}).") from exc
        if not isinstance(data, dict):
            raise SecretsError(f"{self.path} does not hold a JSON object.")
        return {str(k): str(v) for k, v in data.items()}

    def _write(self, data: dict[str, str]) -> None:
        paths.ensure_private_dir(self.path.parent)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
