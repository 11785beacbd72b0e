"""Scenarios: which instances exist and how their creation plays out, as data.

A scenario is a TOML file (see `scenarios/default.toml`) loaded into frozen dataclasses. Every
time is in simulated seconds. An instance is created at `created` seconds relative to the
simulator's anchor (negative: before the simulator started) or at a fixed `created_at_ms`;
each sub-service starts `start` seconds after the instance was created and takes `duration`
seconds, reporting progress in multiples of `step`; one with `fail_after` fails that many
seconds after it started, with its `error_code` / `error_msg`, and the whole creation stops there.
Progress grows evenly over the duration unless a `curve` says otherwise: points
(time fraction, progress fraction) between (0, 0) and (1, 1), joined by straight lines, so a
flat stretch is a stall and a steep one a jump (real progress does both).
An instance with `deleted_after` is deleted that many seconds after its creation: it shows
DELETING for the last DELETING_SECONDS, then it is gone (absent from the list, 404 for its
progress). `churn_scenario` generates a project where instances come and go for days.

The state of an instance is a pure function of the simulated time (`evaluate`): no background
tasks. Imports nothing from roma_tui.
"""

from __future__ import annotations

import itertools
import random
import tomllib
import uuid
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

InstanceType = Literal["basic", "professional", "enterprise", "platinum"]
INSTANCE_TYPES: tuple[InstanceType, ...] = ("basic", "professional", "enterprise", "platinum")
StatusStyle = Literal["upper", "lower", "title"]
Phase = Literal["creating", "running", "failed"]
ItemPhase = Literal["waiting", "creating", "done", "failed"]
# What a created instance becomes after its creation (the list's and the detail's words; the
# creation progress keeps saying `running`, as a stale document would).
Lifecycle = Literal[
    "error", "frozen", "updating", "deleting", "deleted", "soft_deleted", "delete_failed"
]
LIFECYCLES: tuple[Lifecycle, ...] = (
    "error",
    "frozen",
    "updating",
    "deleting",
    "deleted",
    "soft_deleted",
    "delete_failed",
)
# How a failed creation is reported: every status says so (`status`), or only the embedded
# instance's `errorMessage` does while every status still says creating (`message`).
FailReport = Literal["status", "message"]

# Plausible sub-services per type: (name, start s, duration s). Used when a scenario instance
# lists none, and by `large_scenario`.
DEFAULT_SUB_SERVICES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "basic": (("lvs", 0, 420), ("mqs", 240, 900)),
    "professional": (("lvs", 0, 420), ("mqs", 240, 1080), ("apic", 600, 720), ("fdi", 900, 600)),
    "enterprise": (
        ("lvs", 0, 480),
        ("mqs", 300, 1200),
        ("apic", 600, 900),
        ("fdi", 900, 780),
        ("link", 1200, 600),
    ),
    "platinum": (
        ("lvs", 0, 480),
        ("mqs", 300, 1320),
        ("apic", 660, 960),
        ("fdi", 960, 900),
        ("link", 1260, 720),
        ("mgr", 1680, 420),
    ),
}


DELETING_SECONDS = 120.0  # an instance being deleted shows DELETING this long, then is gone


class ScenarioError(ValueError):
    """A scenario file that cannot be loaded: the message says which file and what is wrong."""


@dataclass(frozen=True)
class SubServiceSpec:
    name: str
    start: float  # seconds after the instance was created
    duration: float  # seconds
    step: int = 1  # progress is reported in multiples of this
    fail_after: float | None = None  # seconds after its start; None: it succeeds
    error_code: str = ""
    error_msg: str = ""
    report_end: bool = True  # False: `end_time` stays 0 once it ended, only `taken_time` tells
    # (time fraction, progress fraction) points; () is a straight line from (0, 0) to (1, 1)
    curve: tuple[tuple[float, float], ...] = ()

    def fraction(self, elapsed: float) -> float:
        """How much of it is done (0..1) once `elapsed` of its `duration` has passed (0..1)."""
        points = ((0.0, 0.0), *self.curve, (1.0, 1.0))
        for (t0, p0), (t1, p1) in itertools.pairwise(points):
            if elapsed <= t1:
                return p0 if t1 <= t0 else p0 + (p1 - p0) * (elapsed - t0) / (t1 - t0)
        return 1.0


@dataclass(frozen=True)
class InstanceSpec:
    id: str
    name: str
    type: InstanceType
    sub_services: tuple[SubServiceSpec, ...]
    created: float = 0.0  # seconds relative to the anchor
    created_at_ms: int | None = None  # a fixed creation time instead (ms epoch)
    description: str | None = None
    spec_code: str | None = None  # default roma.<type>.001
    product_id: str = "00300-30101-0--0"
    cpu_arch: str = "x86_64"
    vpc_id: str = "f33728c1-e774-4a9b-a0bb-30b840645628"
    subnet_id: str = "f65009c8-7009-403c-abdf-3100f9817762"
    security_group_id: str = "272338c9-b3ee-41ae-a2b6-3942f31030da"
    available_zones: tuple[str, ...] = ("az0.dc0",)
    charge_type: str = "postPaid"  # postPaid (on demand) | prePaid (yearly/monthly)
    maintain_begin: str = "22:00:00"
    maintain_end: str = "02:00:00"
    enterprise_project_id: str = "0"
    connect_address: str = "192.168.0.10"  # shown once running
    job_id: str = ""  # the embedded `errorCode` while creating (the API puts a job id there)
    update_lag_ms: int = 1500  # `updatedAt` = creation + this, until creation ends
    status_style: StatusStyle | None = None  # force one spelling of the status everywhere
    extra: dict[str, Any] = field(default_factory=dict)  # embedded camelCase fields, verbatim
    lifecycle: Lifecycle | None = None  # what it becomes `lifecycle_after` s after creation
    lifecycle_after: float = 0.0
    fail_report: FailReport = "status"
    report_end: bool = True  # False: the progress's `end_time` stays 0 once creation ended
    progress_lag: float = 0.0  # the creation progress shows the state this many s ago
    top_status: str | None = None  # the progress's top-level `status`, verbatim (a new word)
    deleted_after: float | None = None  # seconds after its creation it is gone (None: never)

    @property
    def spec(self) -> str:
        return self.spec_code or f"roma.{self.type}.001"


@dataclass(frozen=True)
class Scenario:
    name: str
    instances: tuple[InstanceSpec, ...]
    description: str = ""
    page_cap: int | None = None  # the list returns at most this many per page, whatever `limit`

    def find(self, instance_id: str) -> InstanceSpec | None:
        return self._by_id.get(instance_id)

    @cached_property
    def _by_id(self) -> dict[str, InstanceSpec]:
        return {spec.id: spec for spec in self.instances}


# ---------------------------------------------------------------------------------------------
# Evaluation: state at a moment of simulated time


@dataclass(frozen=True)
class SubServiceState:
    name: str
    phase: ItemPhase
    start_ms: int  # 0 = not started
    end_ms: int  # 0 = not finished
    progress: int
    taken_min: int
    error_code: str
    error_msg: str


@dataclass(frozen=True)
class InstanceState:
    spec: InstanceSpec
    phase: Phase  # of the creation
    lifecycle: Lifecycle | None  # what it is now, once created (None: running)
    created_ms: int
    end_ms: int  # 0 = not finished
    updated_ms: int
    progress: int
    taken_min: int
    items: tuple[SubServiceState, ...]
    error_code: str
    error_msg: str


def _minutes(ms: int) -> int:
    """Whole minutes, rounded up (the API's `taken_time`: 1 after 30 s)."""
    return -(-ms // 60_000) if ms > 0 else 0


def _quantised(sub: SubServiceSpec, elapsed_ms: int, duration_ms: int) -> int:
    if duration_ms <= 0:
        return 100
    if sub.curve:
        pct = min(100, int(sub.fraction(min(1.0, elapsed_ms / duration_ms)) * 100))
    else:
        pct = min(100, elapsed_ms * 100 // duration_ms)
    step = max(1, sub.step)
    return pct // step * step


def created_ms(spec: InstanceSpec, anchor_ms: int) -> int:
    if spec.created_at_ms is not None:
        return spec.created_at_ms
    return anchor_ms + round(spec.created * 1000)


def evaluate(spec: InstanceSpec, anchor_ms: int, now_ms: int) -> InstanceState | None:
    """The instance at simulated time `now_ms`, or None if it does not exist (not created
    yet, or deleted)."""
    created = created_ms(spec, anchor_ms)
    if now_ms < created:
        return None
    if spec.deleted_after is not None:
        gone = created + round(spec.deleted_after * 1000)
        if now_ms >= gone:
            return None
        if now_ms >= gone - round(DELETING_SECONDS * 1000):
            before = evaluate(replace(spec, deleted_after=None), anchor_ms, now_ms)
            return None if before is None else replace(before, lifecycle="deleting")
    fail_at: int | None = None
    for sub in spec.sub_services:
        if sub.fail_after is not None:
            moment = created + round((sub.start + sub.fail_after) * 1000)
            fail_at = moment if fail_at is None else min(fail_at, moment)
    failed = fail_at is not None and now_ms >= fail_at
    t = min(now_ms, fail_at) if failed and fail_at is not None else now_ms

    items: list[SubServiceState] = []
    for sub in spec.sub_services:
        start = created + round(sub.start * 1000)
        duration = round(sub.duration * 1000)
        if t < start:
            items.append(SubServiceState(sub.name, "waiting", 0, 0, 0, 0, "", ""))
            continue
        if (
            failed
            and sub.fail_after is not None
            and created + round((sub.start + sub.fail_after) * 1000) == t
        ):
            elapsed = t - start
            items.append(
                SubServiceState(
                    sub.name,
                    "failed",
                    start,
                    t,
                    min(99, _quantised(sub, elapsed, duration)),
                    _minutes(elapsed),
                    sub.error_code or "ROMA.00110500",
                    sub.error_msg or f"Failed to create {sub.name}.",
                )
            )
            continue
        if t >= start + duration:
            items.append(
                SubServiceState(
                    sub.name, "done", start, start + duration, 100, _minutes(duration), "", ""
                )
            )
            continue
        elapsed = t - start
        progress = min(99, _quantised(sub, elapsed, duration))
        items.append(
            SubServiceState(sub.name, "creating", start, 0, progress, _minutes(elapsed), "", "")
        )

    failed_items = [i for i in items if i.phase == "failed"]
    if failed and fail_at is not None:
        phase: Phase = "failed"
        end = fail_at
        progress = sum(i.progress for i in items) // max(1, len(items))
        error_code, error_msg = failed_items[0].error_code, failed_items[0].error_msg
    elif items and all(i.phase == "done" for i in items):
        phase, end, progress = "running", max(i.end_ms for i in items), 100
        error_code = error_msg = ""
    elif not items:
        phase, end, progress = "running", created, 100
        error_code = error_msg = ""
    else:
        phase, end = "creating", 0
        progress = min(99, sum(i.progress for i in items) // len(items))
        error_code = error_msg = ""
    taken = _minutes((end or now_ms) - created)
    updated = end if end else created + spec.update_lag_ms
    lifecycle: Lifecycle | None = None
    if phase == "running" and spec.lifecycle is not None:
        changed = end + round(spec.lifecycle_after * 1000)
        if now_ms >= changed:
            lifecycle, updated = spec.lifecycle, changed
    return InstanceState(
        spec,
        phase,
        lifecycle,
        created,
        end,
        updated,
        progress,
        taken,
        tuple(items),
        error_code,
        error_msg,
    )


# ---------------------------------------------------------------------------------------------
# Loading


def _sub_service(data: Any, where: str) -> SubServiceSpec:
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: a sub-service must be a table")
    try:
        fail_after = data.get("fail_after")
        curve = tuple((float(t), float(p)) for t, p in data.get("curve", ()))
        times = [t for t, _ in curve]
        if any(not 0 <= v <= 1 for point in curve for v in point) or times != sorted(times):
            raise ValueError("curve points are [time, progress] fractions from 0 to 1, in order")
        return SubServiceSpec(
            name=str(data["name"]),
            start=float(data.get("start", 0)),
            duration=float(data["duration"]),
            step=int(data.get("step", 1)),
            fail_after=None if fail_after is None else float(fail_after),
            error_code=str(data.get("error_code", "")),
            error_msg=str(data.get("error_msg", "")),
            report_end=bool(data.get("report_end", True)),
            curve=curve,
        )
    except KeyError as exc:
        raise ScenarioError(f"{where}: sub-service without {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise ScenarioError(f"{where}: {exc}") from None


_SIMPLE_FIELDS = (
    "description",
    "spec_code",
    "product_id",
    "cpu_arch",
    "vpc_id",
    "subnet_id",
    "security_group_id",
    "charge_type",
    "maintain_begin",
    "maintain_end",
    "enterprise_project_id",
    "connect_address",
    "job_id",
)


def _instance(data: Any, where: str) -> InstanceSpec:
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: an instance must be a table")
    try:
        type_ = data["type"]
        if type_ not in INSTANCE_TYPES:
            raise ScenarioError(f"{where}: type {type_!r} is not one of {INSTANCE_TYPES}")
        subs_raw = data.get("sub_services")
        if subs_raw is None:
            subs = tuple(SubServiceSpec(n, s, d) for n, s, d in DEFAULT_SUB_SERVICES[type_])
        else:
            subs = tuple(
                _sub_service(s, f"{where} sub-service {i}") for i, s in enumerate(subs_raw)
            )
        style = data.get("status_style")
        if style not in (None, "upper", "lower", "title"):
            raise ScenarioError(f"{where}: status_style must be upper, lower or title")
        lifecycle = data.get("lifecycle")
        if lifecycle is not None and lifecycle not in LIFECYCLES:
            raise ScenarioError(f"{where}: lifecycle must be one of {', '.join(LIFECYCLES)}")
        fail_report = data.get("fail_report", "status")
        if fail_report not in ("status", "message"):
            raise ScenarioError(f"{where}: fail_report must be status or message")
        kwargs: dict[str, Any] = {k: str(data[k]) for k in _SIMPLE_FIELDS if k in data}
        if "available_zones" in data:
            kwargs["available_zones"] = tuple(str(z) for z in data["available_zones"])
        if "update_lag_ms" in data:
            kwargs["update_lag_ms"] = int(data["update_lag_ms"])
        if "deleted_after" in data:
            kwargs["deleted_after"] = float(data["deleted_after"])
        created_at = data.get("created_at_ms")
        return InstanceSpec(
            id=str(data["id"]),
            name=str(data["name"]),
            type=type_,
            sub_services=subs,
            created=float(data.get("created", 0)),
            created_at_ms=None if created_at is None else int(created_at),
            status_style=style,
            extra=dict(data.get("extra", {})),
            lifecycle=lifecycle,
            lifecycle_after=float(data.get("lifecycle_after", 0)),
            fail_report=fail_report,
            report_end=bool(data.get("report_end", True)),
            progress_lag=float(data.get("progress_lag", 0)),
            top_status=None if data.get("top_status") is None else str(data["top_status"]),
            **kwargs,
        )
    except KeyError as exc:
        raise ScenarioError(f"{where}: missing {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError(f"{where}: {exc}") from None


def parse_scenario(data: dict[str, Any], source: str = "scenario") -> Scenario:
    head = data.get("scenario", {})
    if not isinstance(head, dict):
        raise ScenarioError(f"{source}: [scenario] must be a table")
    raw = data.get("instances")
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(f"{source}: no [[instances]]")
    instances = tuple(
        _instance(item, f"{source}: instance {i} ({item.get('name', '?')})")
        if isinstance(item, dict)
        else _instance(item, f"{source}: instance {i}")
        for i, item in enumerate(raw)
    )
    ids = [i.id for i in instances]
    if len(set(ids)) != len(ids):
        raise ScenarioError(f"{source}: two instances share an id")
    page_cap = head.get("page_cap")
    return Scenario(
        name=str(head.get("name", Path(source).stem)),
        description=str(head.get("description", "")),
        instances=instances,
        page_cap=None if page_cap is None else int(page_cap),
    )


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario TOML file; raises `ScenarioError` with a one-line message."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"scenario {path} is not valid TOML: {exc}") from None
    return parse_scenario(data, str(path))


_GENERATED = {"large": 2000, "varied": 40}


def scenario_from_spec(spec: str | Path | None) -> Scenario:
    """`None`/"default", "vocabulary" (every status the API has), "large" / "large:N" or
    "varied" / "varied:N" (generated), or the path of a TOML file."""
    text = "default" if spec is None else str(spec)
    if text in BUNDLED:
        return bundled_scenario(text)
    name, _, count = text.partition(":")
    if name in _GENERATED:
        try:
            n = int(count) if count else _GENERATED[name]
        except ValueError:
            n = 0
        if n <= 0:
            raise ScenarioError(
                f"'{text}': the {name} scenario takes a positive count, e.g. {name}:500"
            )
        return large_scenario(n) if name == "large" else varied_scenario(n)
    return load_scenario(text)


BUNDLED = ("default", "vocabulary")


def bundled_scenario(name: str) -> Scenario:
    """A scenario shipped with roma-tui: `default` (a dozen instances showing what an operator
    meets), `vocabulary` (every status and quirk the real API has, for the one-truth tests)."""
    text = resources.files(__package__).joinpath(f"scenarios/{name}.toml").read_text("utf-8")
    return parse_scenario(tomllib.loads(text), f"{name}.toml")


def default_scenario() -> Scenario:
    """The bundled default scenario."""
    return bundled_scenario("default")


def _uuid(rng: random.Random) -> str:
    """A version 4 UUID drawn from `rng` (deterministic, unlike uuid.uuid4)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _fail_one(subs: list[SubServiceSpec], rng: random.Random) -> None:
    """Make one of `subs` (drawn from `rng`) fail somewhere in its run, in place."""
    victim = rng.randrange(len(subs))
    sub = subs[victim]
    subs[victim] = replace(
        sub,
        fail_after=sub.duration * rng.uniform(0.1, 0.9),
        error_code="ROMA.00110500",
        error_msg=f"Failed to create {sub.name}: insufficient resources in the zone.",
    )


def large_scenario(n: int = 2000, *, seed: int = 2000) -> Scenario:
    """`n` instances for scale tests, generated deterministically (same n and seed, same data)."""
    rng = random.Random(seed)
    instances: list[InstanceSpec] = []
    for i in range(n):
        type_ = INSTANCE_TYPES[rng.randrange(len(INSTANCE_TYPES))]
        subs = [SubServiceSpec(name, s, d, step=5) for name, s, d in DEFAULT_SUB_SERVICES[type_]]
        roll = rng.random()
        if roll < 0.7:
            created = -rng.uniform(3 * 3600, 180 * 86400)  # long running
        elif roll < 0.95:
            created = -rng.uniform(0, 3000)  # creating now, or just finished
        else:
            created = -rng.uniform(0, 86400)
            _fail_one(subs, rng)
        instances.append(
            InstanceSpec(
                id=_uuid(rng),
                name=f"roma-{type_[:4]}-{i:05d}",
                type=type_,
                sub_services=tuple(subs),
                created=round(created, 3),
                cpu_arch="aarch64" if rng.random() < 0.2 else "x86_64",
                job_id=f"JOB-{_uuid(rng)}",
                connect_address=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
            )
        )
    return Scenario(
        name=f"large-{n}", description=f"{n} generated instances", instances=tuple(instances)
    )


# Failures of the varied scenario: (sub-service, error_code, error_msg).
VARIED_FAILURES: tuple[tuple[str, str, str], ...] = (
    ("fdi", "ROMA.00110016", "Failed to create the FDI cluster: insufficient ECS quota."),
    ("link", "ROMA.00110020", "Failed to bind an EIP to the LINK service: EIP quota used up."),
    ("mqs", "ROMA.00110500", "Failed to create mqs: internal error."),
    ("fdi", "ROMA.00110500", "Failed to create fdi: internal error."),
)
VARIED_SPACING = 36 * 3600.0  # seconds between two creations of the varied scenario


Curve = tuple[tuple[float, float], ...]


def _stall(rng: random.Random) -> tuple[Curve, float]:
    """A flat stretch of 15-40 % of the time somewhere in the middle, at the usual pace before
    and after; and how much longer the sub-service takes for it."""
    flat = rng.uniform(0.15, 0.4)
    at = rng.uniform(0.1, 0.7) * (1 - flat)
    level = at / (1 - flat)
    return ((at, level), (at + flat, level)), 1 / (1 - flat)


def _jump(rng: random.Random) -> tuple[Curve, float]:
    """A jump of 20-40 % at once somewhere in the middle, at the usual pace before and after;
    the sub-service takes as long as it would have without it."""
    jump = rng.uniform(0.2, 0.4)
    at = rng.uniform(0.15, 0.7)
    return ((at, at * (1 - jump)), (at + 0.005, at * (1 - jump) + jump)), 1.0


def varied_scenario(n: int = 40, *, seed: int = 13) -> Scenario:
    """`n` creations, one after another (one every VARIED_SPACING, the last one starting now),
    of every type in turn, with the spread real ones show: the whole creation 0.85-1.2x its
    usual pace and each sub-service 0.75-1.35x on top, one in six with a sub-service starting
    late, one in five with a stall, one in five with a jump, one in ten failing (with a code from
    VARIED_FAILURES). Deterministic: the same n and seed give the same creations. Progress is
    reported in multiples of 1, 5 or 10. The ETA benchmark (bench/eta.py) replays them, and
    the demo's history is made of them."""
    rng = random.Random(seed)
    instances: list[InstanceSpec] = []
    for i in range(n):
        type_ = INSTANCE_TYPES[i % len(INSTANCE_TYPES)]
        pace = rng.uniform(0.85, 1.2)
        step = rng.choice((1, 5, 5, 10))
        usual = DEFAULT_SUB_SERVICES[type_]
        late = rng.randrange(len(usual)) if rng.random() < 1 / 6 else None
        odd = rng.randrange(len(usual))
        roll = rng.random()
        curve, longer = _stall(rng) if roll < 0.2 else _jump(rng) if roll < 0.4 else ((), 1.0)
        failing = rng.choice(VARIED_FAILURES) if rng.random() < 0.1 else None
        subs: list[SubServiceSpec] = []
        for k, (name, start, duration) in enumerate(usual):
            took = duration * pace * rng.uniform(0.75, 1.35) * (longer if k == odd else 1.0)
            begin = start * pace + (rng.uniform(120, 600) if k == late else 0.0)
            fail = failing is not None and failing[0] == name
            subs.append(
                SubServiceSpec(
                    name,
                    round(begin, 1),
                    round(took, 1),
                    step=step,
                    fail_after=round(took * rng.uniform(0.2, 0.8), 1) if fail else None,
                    error_code=failing[1] if failing is not None and fail else "",
                    error_msg=failing[2] if failing is not None and fail else "",
                    curve=curve if k == odd else (),
                )
            )
        instances.append(
            InstanceSpec(
                id=_uuid(rng),
                name=f"roma-{type_}-{i:03d}",
                type=type_,
                sub_services=tuple(subs),
                created=-(n - 1 - i) * VARIED_SPACING,
                job_id=f"JOB-{_uuid(rng)}",
                connect_address=f"192.168.{i // 256 % 256}.{i % 256}",
            )
        )
    return Scenario(
        name=f"varied-{n}",
        description=f"{n} creations with late starts, stalls, jumps and failures",
        instances=tuple(instances),
    )


def churn_scenario(
    days: float = 7.0,
    *,
    every: float = 7200.0,
    lifetime: float = 86400.0,
    fail_rate: float = 0.2,
    seed: int = 7,
) -> Scenario:
    """A project where instances come and go for `days` simulated days: one ordered every
    `every` seconds (from `lifetime` before the start), a `fail_rate` share of them failing,
    each deleted `lifetime` seconds after its order; plus two that run all along. At any
    moment about `lifetime / every` exist (12 by default): what a week of a busy team's
    orders looks like to a monitor left open (bench/soak.py). Generated deterministically."""
    rng = random.Random(seed)
    instances: list[InstanceSpec] = [
        InstanceSpec(
            id=_uuid(rng),
            name=f"roma-prod-{n}",
            type="platinum",
            sub_services=tuple(
                SubServiceSpec(name, s, d) for name, s, d in DEFAULT_SUB_SERVICES["platinum"]
            ),
            created=-30 * 86400.0,
        )
        for n in (1, 2)
    ]
    count = int((days * 86400 + lifetime) // every) + 1
    for i in range(count):
        type_ = INSTANCE_TYPES[rng.randrange(len(INSTANCE_TYPES))]
        subs = [SubServiceSpec(name, s, d, step=5) for name, s, d in DEFAULT_SUB_SERVICES[type_]]
        if rng.random() < fail_rate:
            _fail_one(subs, rng)
        instances.append(
            InstanceSpec(
                id=_uuid(rng),
                name=f"roma-churn-{i:04d}",
                type=type_,
                sub_services=tuple(subs),
                created=round(i * every - lifetime, 3),
                deleted_after=lifetime,
            )
        )
    return Scenario(
        name=f"churn-{days:g}d",
        description=f"instances ordered every {every:g} s and deleted after {lifetime:g} s",
        instances=tuple(instances),
    )
