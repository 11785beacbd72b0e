"""The one clean shape of instances, sub-services and creation progress, and the API's words.

Wire models (roma_tui.api.models) are mapped here, once, whatever their casing; the UI and
the scripting commands only ever see these frozen dataclasses, and only through the view
model (roma_tui.monitor.view), which decides what they mean. Times are aware datetimes (UTC)
or None when the API said "not set" (0, "#", null, missing).

The status vocabulary (`WORDS`) is every status the ROMA Connect API documents, each with the
`Status` it belongs to, the short word a person reads and what it means:
- the instance list, Huawei's CheckRomaInstanceListV2 / ListInstances reference (SDK
  `huaweicloudsdkroma/v2/model/roma_instance_check_list_resp_instances.py`, "实例运行状态"):
  CREATING, RUNNING, ERROR ("实例运行异常": running abnormally, NOT a failed creation),
  DELETING, DELETED, SOFT_DELETED, CREATE_FAILED, DELETE_FAILED (DELETE_FALIED is the v3
  list's misspelling);
- the creation progress, GetCreateInstanceProcessV2 (the seed page): CREATING | RUNNING |
  CREATE_FAILED, in any case;
- the `/apic/` detail, SDK `show_details_of_instance_v2_response.py` (`status` and its
  `instance_status` code 1..41): Creating, CreateSuccess, CreateFail, ..., Unhealthy ("实例异常").
Imports the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar, dataclass_transform

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True, eq_default=True)
def record(cls: type[_T]) -> type[_T]:
    """A frozen dataclass as far as the type checker is concerned (mypy rejects any
    assignment to a field), built at the cost of a plain one: a runtime-frozen dataclass sets
    each field through `object.__setattr__`, which makes mapping 2000 listed instances
    (21 fields each) cost more than parsing their JSON. Equal records hash equal."""
    return dataclass(slots=True, unsafe_hash=True)(cls)


class Status(StrEnum):
    """What an instance's (or sub-service's) status means, whatever the API's spelling."""

    CREATING = "creating"  # creation in progress (any creation phase)
    RUNNING = "running"  # created and running normally
    FAILED = "failed"  # creation failed or timed out
    ERROR = "error"  # exists, but something is wrong: running abnormally, an operation failed
    CHANGING = "changing"  # a maintenance operation in progress: updating, restarting, ...
    FROZEN = "frozen"  # frozen (usually an unpaid bill): not usable until unfrozen
    DELETING = "deleting"
    DELETED = "deleted"  # deleted, or soft-deleted (kept in the recycle bin)
    UNKNOWN = "unknown"  # missing, or a spelling nobody has seen yet

    @property
    def known(self) -> bool:
        return self is not Status.UNKNOWN

    @property
    def settled(self) -> bool:
        """No longer creating, and not on its way to anything else by itself."""
        return self not in (Status.CREATING, Status.CHANGING, Status.DELETING, Status.UNKNOWN)


class SubState(StrEnum):
    """Where a sub-service stands, as shown (the view model works it out: `SubServiceView`)."""

    WAITING = "waiting"  # not started yet
    CREATING = "creating"
    DONE = "done"
    FAILED = "failed"
    STOPPED = "stopped"  # the creation ended (failed, or left creation) before it finished
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Word:
    """One documented status spelling: what it means, and how a person reads it."""

    status: Status
    word: str  # short, lower case, at most 13 characters: "creating", "delete failed"
    meaning: str  # one sentence fragment: "creation failed", "running abnormally"


_C, _R, _F, _E = Status.CREATING, Status.RUNNING, Status.FAILED, Status.ERROR
_G, _Z, _D, _X = Status.CHANGING, Status.FROZEN, Status.DELETING, Status.DELETED

# Keys are squashed spellings (lower case, letters and digits only): CREATE_FAILED, CreateFail
# and create-failed all meet here.
WORDS: dict[str, Word] = {
    # creation in progress
    "creating": Word(_C, "creating", "creation in progress"),
    "createsuccess": Word(_C, "created", "resources created; initialisation follows"),
    "initing": Word(_C, "initialising", "creation in progress: initialising"),
    "registering": Word(_C, "registering", "creation in progress: registering"),
    "installing": Word(_C, "installing", "creation in progress: installing"),
    # running
    "running": Word(_R, "running", "created and running"),
    "rollbacksuccess": Word(_R, "rolled back", "running; an update was rolled back"),
    # creation failed
    "createfailed": Word(_F, "failed", "creation failed"),
    "createfail": Word(_F, "failed", "creation failed"),
    "createtimeout": Word(_F, "timed out", "creation timed out"),
    "initingfailed": Word(_F, "init failed", "creation failed while initialising"),
    "inittimeout": Word(_F, "init timeout", "creation timed out while initialising"),
    "registerfailed": Word(_F, "reg. failed", "creation failed while registering"),
    "registertimeout": Word(_F, "reg. timeout", "creation timed out while registering"),
    "installfailed": Word(_F, "inst. failed", "creation failed while installing"),
    "installtimeout": Word(_F, "inst. timeout", "creation timed out while installing"),
    # exists, but something is wrong
    "error": Word(_E, "error", "running abnormally"),
    "unhealthy": Word(_E, "unhealthy", "running abnormally"),
    "deletefailed": Word(_E, "delete failed", "deletion failed: the instance still exists"),
    "deletefalied": Word(_E, "delete failed", "deletion failed: the instance still exists"),
    "deletetimeout": Word(_E, "delete t/o", "deletion timed out: the instance still exists"),
    "unregisterfailed": Word(_E, "unreg. failed", "unregistering failed"),
    "unregistertimeout": Word(_E, "unreg. t/o", "unregistering timed out"),
    "updatefailed": Word(_E, "update failed", "an update failed"),
    "updatetimeout": Word(_E, "update t/o", "an update timed out"),
    "rollbackfailed": Word(_E, "rollback fail", "a rollback failed"),
    "rollbacktimeout": Word(_E, "rollback t/o", "a rollback timed out"),
    "restartfail": Word(_E, "restart fail", "a restart failed"),
    "restarttimeout": Word(_E, "restart t/o", "a restart timed out"),
    # maintenance in progress
    "updating": Word(_G, "updating", "an update is in progress"),
    "rollbacking": Word(_G, "rolling back", "an update is being rolled back"),
    "restarting": Word(_G, "restarting", "restarting"),
    "starting": Word(_G, "starting", "starting (unfreezing)"),  # code 35, among Freezing/Frozen
    # frozen
    "freezing": Word(_Z, "freezing", "being frozen: it will not be usable until unfrozen"),
    "frozen": Word(_Z, "frozen", "frozen (usually an unpaid bill): not usable until unfrozen"),
    # going away
    "deleting": Word(_D, "deleting", "being deleted"),
    "unregistering": Word(_D, "unregistering", "being unregistered before deletion"),
    "deleted": Word(_X, "deleted", "deleted"),
    "softdeleted": Word(_X, "soft-deleted", "deleted; kept in the recycle bin"),
}

# Words seen for sub-services (`item[].status`, undocumented): the instance words above, plus
# generic ones. `running` on a sub-service means it is done (the instance's word for "created").
_SUB_WORDS: dict[str, Word] = {
    "waiting": Word(_C, "waiting", "not started yet"),
    "pending": Word(_C, "waiting", "not started yet"),
    "success": Word(_R, "done", "done"),
    "succeeded": Word(_R, "done", "done"),
    "finished": Word(_R, "done", "done"),
    "completed": Word(_R, "done", "done"),
    "done": Word(_R, "done", "done"),
    "failed": Word(_F, "failed", "creation failed"),
    "fail": Word(_F, "failed", "creation failed"),
}

UNKNOWN_WORD = Word(Status.UNKNOWN, "unknown", "status not reported")


def _squash(raw: str) -> str:
    return "".join(ch for ch in raw.lower() if ch.isalnum())


@lru_cache(maxsize=512)  # a few spellings, looked up for every view and schedule decision
def lookup(raw: str | None) -> Word:
    """The documented word for any spelling; for an unknown one, its own text as the word."""
    if not raw:
        return UNKNOWN_WORD
    key = _squash(raw)
    found = WORDS.get(key) or _SUB_WORDS.get(key)
    if found is not None:
        return found
    word = raw.strip().lower()[:13] or "unknown"
    return Word(Status.UNKNOWN, word, f"a status roma-tui does not know: {raw!r}")


def normalise_status(raw: str | None) -> Status:
    """Map any spelling (`CREATE_FAILED`, `CreateFail`, `creating`, ...) to a `Status`."""
    return lookup(raw).status


@dataclass(frozen=True, slots=True, order=True)
class Place:
    """Where instances live: one ROMA Connect endpoint (a region, or a private cloud) and one
    project. Two instances are the same instance only if their places are equal too."""

    endpoint: str
    project_id: str


@dataclass(frozen=True, slots=True, order=True)
class InstanceKey:
    """An instance, keyed by where it lives."""

    place: Place
    id: str

    def __str__(self) -> str:
        return f"{self.place.endpoint}/{self.place.project_id}/{self.id}"


@record
class SubService:
    """One `item[]` of the creation progress: `mqs`, `lvs`, ..."""

    name: str
    status: Status
    status_raw: str  # as the API spelled it
    progress: int  # 0..100, clamped
    started: datetime | None
    finished: datetime | None
    error_code: str | None  # None when empty
    error_msg: str | None
    taken_minutes: int | None = None  # `taken_time`, whole minutes (rounded up); None if 0


@record
class Instance:
    """An instance as the list (or detail, or the progress's embedded object) describes it."""

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


@record
class CreationProgress:
    """The creation-progress endpoint's answer for one instance, in domain shape.

    `status` is the top level's own word (UNKNOWN when missing or unrecognised); the embedded
    camelCase `instance` keeps its own. Which one wins is the view model's rule, not this one's.
    The JSON it came from is not kept here (about 12 KB each): the monitor keeps the selected
    instance's only, for the raw view.
    """

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
    taken_minutes: int | None = None  # `taken_time`: whole minutes, rounded up; None if 0
