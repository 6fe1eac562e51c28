"""Tests for the wire models on real-shaped payloads (examples from the API reference)."""

from __future__ import annotations

from datetime import timezone

from msp_tui.models import ColdStorageRow, Device, Org, User

DEVICE = {
    "computerId": 139527, "name": "testname", "osHostname": "testhostname", "guid": "954143368874689941",
    "type": "COMPUTER", "status": "Active", "active": True, "blocked": False, "alertState": 0,
    "alertStates": ["OK"], "userId": 203988, "userUid": "938960273869958201", "orgId": 3099,
    "orgUid": "915323705751579872", "computerExtRef": None, "notes": None, "parentComputerId": None,
    "lastConnected": "2020-10-12T16:55:40.632Z", "osName": "win", "osVersion": "10.0.18362",
    "osArch": "amd64", "address": "172.16.208.140:4242", "remoteAddress": "72.50.201.186",
    "javaVersion": "11.0.4", "modelInfo": None, "timeZone": "America/Chicago", "version": 1525200006822,
    "productVersion": "8.2.2", "buildVersion": 26, "creationDate": "2020-05-14T13:03:20.302Z",
    "modificationDate": "2020-10-12T16:55:40.632Z", "loginDate": "2020-10-12T12:54:45.132Z",
    "service": "CrashPlan",
}
USAGE = {
    "targetComputerParentId": None, "targetComputerGuid": "43", "targetComputerName": "PROe Cloud, US",
    "targetComputerOsName": None, "targetComputerType": "SERVER", "selectedFiles": 1599,
    "selectedBytes": 1529420143, "todoFiles": 0, "todoBytes": 0, "archiveBytes": 56848550,
    "billableBytes": 1529420143, "lastBackup": "2019-12-02T09:34:28.364-06:00",
    "lastCompletedBackup": "2019-12-02T09:34:28.364-06:00", "lastConnected": "2019-12-02T11:02:36.108-06:00",
    "using": True, "alertState": 16, "alertStates": ["CriticalBackupAlert"], "percentComplete": 100.0,
    "archiveGuid": "92077743916530001", "archiveFormat": "ARCHIVE_V1",
    "activity": {"connected": False, "backingUp": False},
}


def test_device_from_reference_fixture():
    device = Device.model_validate(DEVICE)
    assert device.computer_id == 139527 and device.os_name == "win"
    assert device.last_connected is not None and device.last_connected.tzinfo == timezone.utc
    assert device.backup_usage == []
    assert device.is_active and not device.is_deauthorized and not device.is_blocked


def test_device_with_two_destinations_and_offsets():
    second = {**USAGE, "targetComputerGuid": "632540230984925185", "targetComputerName": "PROe Cloud, US - West",
              "lastCompletedBackup": None, "lastBackup": None}
    device = Device.model_validate({**DEVICE, "backupUsage": [USAGE, second]})
    assert [u.target_computer_name for u in device.backup_usage] == ["PROe Cloud, US", "PROe Cloud, US - West"]
    first = device.backup_usage[0].last_completed_backup
    assert first is not None and first.utcoffset().total_seconds() == -6 * 3600
    assert device.backup_usage[1].last_completed_backup is None


def test_status_strings():
    deauth = Device.model_validate({"computerId": 1, "status": "Active, Deauthorized", "active": True})
    assert deauth.is_active and deauth.is_deauthorized
    gone = Device.model_validate({"computerId": 2, "status": "Deactivated", "active": False})
    assert not gone.is_active
    no_flag = Device.model_validate({"computerId": 3, "status": "Deactivated"})
    assert not no_flag.is_active
    blocked = User.model_validate({"userId": 4, "status": "Active, Blocked"})
    assert blocked.is_active and blocked.is_blocked


def test_nulls_and_unknown_fields_are_tolerated():
    device = Device.model_validate({"computerId": 5, "alertStates": None, "backupUsage": None, "brandNew": {"x": 1}})
    assert device.alert_states == [] and device.backup_usage == []
    org = Org.model_validate({"orgId": 87, "orgUid": "648896576949463729", "orgName": "Lehner-Stokes",
                              "status": "Active", "active": True, "parentOrgId": None,
                              "settings": {"maxSeats": None}, "creationDate": "2014-08-08T12:48:19.797-05:00"})
    assert org.is_top_level and org.is_active
    user = User.model_validate({"userId": 12345, "userUid": "1004210042", "status": "Active",
                                "username": "test@code42.com", "email": "test@code42.com",
                                "firstName": "test", "lastName": None, "quotaInBytes": -1})
    assert user.full_name == "test"


def test_cold_storage_row_and_round_trip_to_wire():
    row = ColdStorageRow.model_validate({"archiveGuid": "9", "archiveHoldExpireDate": "2027-01-01T00:00:00.000Z",
                                         "sourceUserUid": "77", "unknown": True})
    assert row.archive_hold_expire_date is not None
    device = Device.model_validate({**DEVICE, "backupUsage": [USAGE]})
    again = Device.model_validate(device.to_wire())
    assert again == device


def test_records_of_one_shape_share_their_field_set_and_copies_stay_independent():
    a = User.model_validate({"userId": 1, "username": "a@x.example", "active": True})
    b = User.model_validate({"userId": 2, "username": "b@x.example", "active": False})
    other = User.model_validate({"userId": 3, "username": "c@x.example"})  # another shape
    assert a.model_fields_set is b.model_fields_set  # one set for the shape, not one per record
    assert other.model_fields_set == {"user_id", "username"}
    assert other.model_fields_set is not a.model_fields_set
    c = User.model_validate({"userId": 4, "username": "d@x.example", "active": True})
    assert c.model_fields_set is a.model_fields_set  # back to the first shape
    changed = a.model_copy(update={"email": "a@y.example"})
    assert "email" in changed.model_fields_set and "email" not in b.model_fields_set
