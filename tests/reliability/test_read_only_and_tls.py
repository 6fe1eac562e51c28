"""Read-only sessions send zero mutating requests (counted on the authority's side); TLS
verification is on unless a profile turns it off, and turning it off prints a warning."""

from __future__ import annotations

import ssl

import pytest
from faultkit import make_authority, make_client, mutating_requests

from msp_tui import session
from msp_tui.api import errors
from msp_tui.cli.main import main
from msp_tui.config import Profile, Settings, load_settings
from msp_tui.simulator import DEMO_ACCOUNTS, DemoAuthority, start_in_thread

CUSTOMER = "BrightSmile Dental"


async def test_every_mutating_client_call_is_refused_in_a_read_only_session():
    authority = make_authority()
    audit = []
    try:
        async with make_client(authority, read_only=True, audit=audit.append) as client:
            orgs = await client.list_orgs()
            top = next(o for o in orgs if o.is_top_level)
            customer = next(o for o in orgs if not o.is_top_level)
            user = (await client.list_users())[0]
            device = (await client.list_devices())[0]
            calls = {
                "create_org": lambda: client.create_org("X", top.org_guid),
                "update_org": lambda: client.update_org(customer.org_guid, "Y"),
                "deactivate_org": lambda: client.deactivate_org(customer.org_guid),
                "activate_org": lambda: client.activate_org(customer.org_guid),
                "create_user": lambda: client.create_user(customer.org_uid, "new@example.com"),
                "update_user": lambda: client.update_user(user.user_uid, notes="n"),
                "deactivate_user": lambda: client.deactivate_user(user.user_uid),
                "activate_user": lambda: client.activate_user(user.user_uid),
                "block_user": lambda: client.block_user(user.user_uid),
                "unblock_user": lambda: client.unblock_user(user.user_uid),
                "move_user": lambda: client.move_user(user.user_uid, customer.org_id),
                "deactivate_device": lambda: client.deactivate_device(device.computer_id),
                "reactivate_device": lambda: client.reactivate_device(device.computer_id),
                "block_device": lambda: client.block_device(device.computer_id),
                "unblock_device": lambda: client.unblock_device(device.computer_id),
                "deauthorize_device": lambda: client.deauthorize_device(device.computer_id),
                "raw POST": lambda: client.request("POST", "/api/v3/orgs", json={}),
                "raw DELETE": lambda: client.request("DELETE", f"/api/v1/ComputerBlock/{device.computer_id}"),
            }
            for call in calls.values():
                with pytest.raises(errors.ReadOnlyError):
                    await call()
        # Every public mutating method of the client is in the list above.
        mutators = {n for n in dir(client) if n.split("_")[0] in
                    ("create", "update", "deactivate", "activate", "reactivate", "block", "unblock",
                     "move", "deauthorize", "delete", "purge")}
        assert mutators <= set(calls)
        assert mutating_requests(authority) == 0
        assert [e.outcome for e in audit] == ["refused"] * len(calls)
    finally:
        authority.close()


@pytest.fixture
def counted_demo():
    """The CLI's embedded demo authority, so requests can be counted on its side."""
    authority = DemoAuthority(None)
    session.set_demo_authority(authority)
    yield authority


@pytest.mark.parametrize(
    "argv",
    [
        ["--read-only", "offboard", "--demo", "--org", CUSTOMER, "--confirm", CUSTOMER],
        ["offboard", "--demo", "--read-only", "--org", CUSTOMER, "--confirm", CUSTOMER],
        ["--read-only", "close-account", "--demo", "--confirm", "Northwind MSP"],
        ["close-account", "--demo", "--read-only", "--confirm", "Northwind MSP"],
        ["--read-only", "migrate", "--demo", "--org", CUSTOMER, "--confirm", CUSTOMER],
        ["migrate", "--demo", "--read-only", "--org", CUSTOMER, "--confirm", CUSTOMER],
    ],
)
def test_read_only_wizard_commands_send_no_mutating_request(counted_demo, argv, capsys):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and "read-only" in err
    assert mutating_requests(counted_demo) == 0


def test_read_only_session_of_every_cli_command(counted_demo, capsys, tmp_path):
    sessions = [
        ["--read-only", "--demo", "export", "orgs"],
        ["--read-only", "--demo", "export", "users", "--format", "csv"],
        ["--read-only", "--demo", "cost"],
        ["--read-only", "--demo", "check"],
        ["--read-only", "--demo", "report", "billing"],
        ["--read-only", "offboard", "--demo", "--org", CUSTOMER, "--dry-run"],
        ["--read-only", "wizards", "list"],
    ]
    for argv in sessions:
        assert main(argv) in (0, 1), argv  # 1: check has findings
    capsys.readouterr()
    assert mutating_requests(counted_demo) == 0
    assert sum(counted_demo.requests_seen.values()) > 10  # it did talk to the authority


def test_profile_read_only_in_config_refuses_changes_over_http(monkeypatch, capsys, tmp_path):
    account = DEMO_ACCOUNTS[0]
    authority = DemoAuthority(tmp_path / "served.sqlite", reset=True)
    server = start_in_thread(authority)
    try:
        assert main(["profile", "add", "lab", "--url", server.base_url, "--username", account.username,
                     "--read-only"]) == 0
        monkeypatch.setenv("MSP_TUI_SECRET_LAB", account.password)
        code = main(["-p", "lab", "offboard", "--org", CUSTOMER, "--confirm", CUSTOMER])
        assert code == 2 and "read-only" in capsys.readouterr().err
        assert main(["-p", "lab", "export", "orgs"]) == 0
        assert mutating_requests(authority) == 0
        assert sum(authority.requests_seen.values()) > 0
    finally:
        server.stop()
        authority.close()


# -- TLS -------------------------------------------------------------------------------------

def _verify_mode(client) -> ssl.VerifyMode:
    return client._http._transport._pool._ssl_context.verify_mode  # noqa: SLF001


async def test_tls_verification_is_on_by_default():
    profile = Profile(name="lab", url="https://console.us1.crashplan.com", username="a@b.example")
    assert profile.verify_tls is True
    client = session.open_client(profile, Settings(), credentials=session.LocalAccount("a@b.example", "pw"))
    try:
        assert _verify_mode(client) == ssl.CERT_REQUIRED
    finally:
        await client.aclose()


async def test_tls_verification_off_only_when_the_profile_says_so():
    profile = Profile(name="lab", url="https://lab.example", username="a@b.example", verify_tls=False)
    client = session.open_client(profile, Settings(), credentials=session.LocalAccount("a@b.example", "pw"))
    try:
        assert _verify_mode(client) == ssl.CERT_NONE
    finally:
        await client.aclose()


def test_turning_tls_verification_off_prints_a_warning(capsys):
    assert main(["profile", "add", "lab", "--url", "https://lab.example", "--username", "a@b.example",
                 "--no-verify-tls"]) == 0
    assert "TLS verification is off" in capsys.readouterr().err
    assert load_settings().profiles["lab"].verify_tls is False
    assert main(["profile", "add", "prod", "--url", "https://console.us1.crashplan.com",
                 "--username", "a@b.example"]) == 0
    assert "TLS" not in capsys.readouterr().err
    assert load_settings().profiles["prod"].verify_tls is True
