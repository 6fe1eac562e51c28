"""Provides where msp-tui keeps its files.

Every location comes from platformdirs and can be overridden by an environment variable,
so tests and sandboxes never touch a real home directory. Paths are resolved when asked
for, never at import time, and directories are created only by code that writes.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "msp-tui"

ENV_CONFIG_FILE = "MSP_TUI_CONFIG"
"""Full path of config.toml."""
ENV_DATA_DIR = "MSP_TUI_DATA_DIR"
"""Directory for SQLite state (cache, journals, audit log, demo authority, secrets)."""
ENV_LOG_DIR = "MSP_TUI_LOG_DIR"
"""Directory for the debug log."""


def config_file() -> Path:
    """Returns the path of config.toml."""
    override = os.environ.get(ENV_CONFIG_FILE)
    if override:
        return Path(override)
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def data_dir() -> Path:
    """Returns the directory that holds msp-tui's SQLite files."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override)
    return platformdirs.user_data_path(APP_NAME)


def log_dir() -> Path:
    """Returns the directory for log files."""
    override = os.environ.get(ENV_LOG_DIR)
    if override:
        return Path(override)
    return platformdirs.user_log_path(APP_NAME)


def state_db() -> Path:
    """Returns the SQLite file for the snapshot cache, wizard journals and audit log."""
    return data_dir() / "state.sqlite"


def demo_db() -> Path:
    """Returns the SQLite file in which the embedded demo authority persists its state."""
    return data_dir() / "demo-authority.sqlite"


def secrets_file() -> Path:
    """Returns the 0600 file where secrets are stored when the user asks to keep them."""
    return data_dir() / "secrets.json"


def ensure_private_dir(path: Path) -> Path:
    """Creates `path` (and parents) with owner-only permissions and returns it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
