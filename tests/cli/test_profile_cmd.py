"""Tests for `msp-tui profile list`: each profile's risky settings are flagged in words."""

from __future__ import annotations

from msp_tui.cli.main import main


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _add(capsys, name: str, *extra: str) -> None:
    code, _, err = run_cli(capsys, "profile", "add", name, "--url", "https://console.example",
                           "--username", "admin@example.com", *extra)
    assert code == 0, err


def test_profile_list_flags_tls_off_and_read_only(capsys):
    _add(capsys, "lab", "--no-verify-tls")
    _add(capsys, "audit", "--read-only")
    _add(capsys, "plain")
    code, out, err = run_cli(capsys, "profile", "list")
    assert code == 0, err
    lines = {line.split("\t")[0].split(" ")[0]: line for line in out.splitlines() if "\t" in line}
    assert lines["lab"].endswith("[tls-off]")
    assert lines["audit"].endswith("[read-only]")
    assert "[" not in lines["plain"]


def test_profile_list_flags_both_when_read_only_and_tls_off(capsys):
    _add(capsys, "both", "--read-only", "--no-verify-tls")
    code, out, _ = run_cli(capsys, "profile", "list")
    assert code == 0
    assert "[read-only, tls-off]" in out


def test_profile_list_without_profiles_shows_the_demo(capsys):
    code, out, _ = run_cli(capsys, "profile", "list")
    assert code == 0
    assert "demo" in out and "tls-off" not in out
