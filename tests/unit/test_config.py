"""Tests for config.toml loading, saving and corruption handling."""

from __future__ import annotations

import stat
from decimal import Decimal

import pytest

from msp_tui import paths
from msp_tui.config import ConfigError, Profile, Settings, load_settings, save_settings


def test_missing_config_gives_defaults():
    settings = load_settings()
    assert settings.profiles == {}
    assert settings.pricing.base_rate == Decimal("9.99")
    assert settings.checks.warning_days == 3 and settings.checks.critical_days == 7


def test_round_trip_keeps_profiles_and_overrides():
    settings = Settings()
    settings.profiles["acme"] = Profile(name="acme", url="https://console.us1.crashplan.com", username="a@b.example")
    settings.pricing = settings.pricing.model_copy(update={"base_rate": Decimal("10.49")})
    path = save_settings(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_settings()
    assert loaded.profiles["acme"].url == "https://console.us1.crashplan.com"
    assert loaded.profiles["acme"].name == "acme"
    assert loaded.pricing.base_rate == Decimal("10.49")
    assert loaded.policy().prices.base_rate == Decimal("10.49")


def test_invalid_toml_is_moved_aside_not_deleted():
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text("[app\ntheme = ")
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        load_settings()
    kept = path.with_name("config.toml.corrupt-1")
    assert kept.read_text() == "[app\ntheme = "
    assert str(kept) in str(caught.value)
    assert load_settings().profiles == {}  # the next start works on defaults


def test_invalid_value_names_the_setting():
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text("[checks]\nwarning_days = -4\n")
    with pytest.raises(ConfigError, match=r"checks\.warning_days"):
        load_settings()


def test_unknown_key_is_reported():
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text("[app]\nthemes = 'x'\n")
    with pytest.raises(ConfigError, match="app.themes"):
        load_settings()


def test_bad_profile_name_is_refused():
    with pytest.raises(ValueError):
        Profile(name="bad name!", url="https://x")


def test_unknown_profile_lists_known_ones():
    settings = Settings(profiles={"a": Profile(name="a", url="https://x")})
    with pytest.raises(ConfigError, match="known: a"):
        settings.profile("b")
