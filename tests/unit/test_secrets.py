"""Tests for the secret store: environment first, 0600 file, never in config.toml."""

from __future__ import annotations

import os
import stat

import pytest

from msp_tui import paths
from msp_tui.secrets import SecretsError, SecretStore, env_name


def test_environment_wins_over_file(monkeypatch):
    store = SecretStore()
    store.put("acme", "from-file")
    assert store.get("acme") == "from-file"
    monkeypatch.setenv(env_name("acme"), "from-env")
    assert store.get("acme") == "from-env"


def test_env_name_is_a_valid_variable():
    assert env_name("acme-west.2") == "MSP_TUI_SECRET_ACME_WEST_2"


def test_secrets_file_is_0600():
    store = SecretStore()
    store.put("acme", "s3cret")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_looser_permissions_are_refused():
    store = SecretStore()
    store.put("acme", "s3cret")
    os.chmod(store.path, 0o644)
    with pytest.raises(SecretsError, match="chmod 600"):
        store.get("acme")


def test_remove_forgets_the_secret():
    store = SecretStore()
    store.put("acme", "s3cret")
    assert store.remove("acme") is True
    assert store.get("acme") is None
    assert store.remove("acme") is False


def test_profile_add_never_writes_the_secret_to_config(monkeypatch, capsys):
    from msp_tui.cli.main import main

    monkeypatch.setenv(env_name("acme"), "TopSecret-123")
    code = main(["profile", "add", "acme", "--url", "https://console.us1.crashplan.com",
                 "--username", "admin@acme.example", "--store-secret"])
    assert code == 0
    assert "TopSecret-123" not in paths.config_file().read_text()
    assert "TopSecret-123" not in capsys.readouterr().out
    monkeypatch.delenv(env_name("acme"))
    assert SecretStore().get("acme") == "TopSecret-123"
    assert stat.S_IMODE(paths.secrets_file().stat().st_mode) == 0o600
