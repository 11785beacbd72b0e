"""The one clean shape of instances, sub-services and creation progress.

Wire models (roma_tui.api.models) are mapped here, once, whatever their casing; the UI and
the scripting commands only ever see these frozen dataclasses. Times are aware datetimes
(UTC) or None when the API said "not set" (0, "#", null, missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    CREATING = "creating"
    RUNNING = "running"
    FAILED = "failed"
    DELETING = "deleting"
    OTHER = "other"  # known to the API but not part of creation (Frozen, Updating, ...)
    UNKNOWN = "unknown"  # missing, or a spelling nobody has seen yet

    @property
    def finished(self) -> bool:
        """Creation is over, one way or the other."""
        return self in (Status.RUNNING, Status.FAILED)


def _squash(raw: str) -> str:
    return "".join(ch for ch in raw.lower() if ch.isalnum())


_SPELLINGS: dict[str, Status] = {
    # creation in progress
    "creating": Status.CREATING,
    "initing": Status.CREATING,
    "registering": Status.CREATING,
    "installing": Status.CREATING,
    "starting": Status.CREATING,
    "pending": Status.CREATING,
    "waiting": Status.CREATING,
    # done
    "running": Status.RUNNING,
    "createsuccess": Status.RUNNING,
    "success": Status.RUNNING,
    "succeeded": Status.RUNNING,
    "finished": Status.RUNNING,
    "completed": Status.RUNNING,
    # failed
    "createfailed": Status.FAILED,
    "createfail": Status.FAILED,
    "createtimeout": Status.FAILED,
    "initingfailed": Status.FAILED,
    "inittimeout": Status.FAILED,
    "registerfailed": Status.FAILED,
    "registertimeout": Status.FAILED,
    "installfailed": Status.FAILED,
    "installtimeout": Status.FAILED,
    "failed": Status.FAILED,
    "fail": Status.FAILED,
    "error": Status.FAILED,
    # going away
    "deleting": Status.DELETING,
    "unregistering": Status.DELETING,
    # everything else the API documents
    "deletefailed": Status.OTHER,
    "deletefalied": Status.OTHER,  # sic: the list API's own spelling
    "deletetimeout": Status.OTHER,
    "unregisterfailed": Status.OTHER,
    "unregistertimeout": Status.OTHER,
    "updating": Status.OTHER,
    "updatefailed": Status.OTHER,
    "updatetimeout": Status.OTHER,
    "rollbacking": Status.OTHER,
    "rollbacksuccess": Status.OTHER,
    "rollbackfailed": Status.OTHER,
    "rollbacktimeout": Status.OTHER,
    "freezing": Status.OTHER,
    "frozen": Status.OTHER,
    "restarting": Status.OTHER,
    "restartfail": Status.OTHER,
    "restarttimeout": Status.OTHER,
    "unhealthy": Status.OTHER,
}


def normalise_status(raw: str | None) -> Status:
    """Map any spelling (`CREATE_FAILED`, `CreateFail`, `creating`, ...) to a `Status`."""
    if not raw:
        return Status.UNKNOWN
    return _SPELLINGS.get(_squash(raw), Status.UNKNOWN)


@dataclass(frozen=True, slots=True)
class SubService:
    """One `item[]` of the creation progress: `mqs`, `lvs`, ..."""

    name: str
    status: Status
    status_raw: str  # as the API spelled it, for display
    progress: int  # 0..100, clamped
    started: datetime | None
    finished: datetime | None
    error_code: str | None  # None when empty
    error_msg: str | None


@dataclass(frozen=True, slots=True)
class Instance:
    """An instance as the list (or detail) endpoint describes it."""

    id: str
    name: str
    status: Status
    status_raw: str
    type: str | None = None  # basic | professional | enterprise | platinum, when known
    spec: str | None = None  # flavor / spec code
    created: datetime | None = None
    updated: datetime | None = None
    available_zones: tuple[str, ...] = ()
    connect_address: str | None = None
    vpc_id: str | None = None
    subnet_id: str | None = None
    security_group_id: str | None = None
    charging: str | None = None  # "on demand" | "yearly/monthly" | raw value
    maintain_begin: str | None = None
    maintain_end: str | None = None
    cpu_arch: str | None = None
    description: str | None = None
    error_code: str | None = None
    error_msg: str | None = None
    public_address: str | None = None  # EIP / public IP, when there is one


@dataclass(frozen=True, slots=True)
class CreationProgress:
    """The creation-progress endpoint's answer for one instance, in domain shape."""

    instance_id: str
    name: str
    status: Status
    status_raw: str
    progress: int  # 0..100, clamped
    started: datetime | None
    finished: datetime | None
    server_time: datetime | None  # `currentTime`: the server's clock when it answered
    sub_services: tuple[SubService, ...]
    instance: Instance | None  # the embedded camelCase `instance` object, mapped
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def failed_sub_services(self) -> tuple[SubService, ...]:
        return tuple(s for s in self.sub_services if s.status is Status.FAILED or s.error_code)
