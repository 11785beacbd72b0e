"""The scenarios the benchmarks serve: TOML files under bench/scenarios/ for the small ones,
and TOML generated into a temporary directory for the large ones (2000 instances with 500
creating; a week of creations for the memory run). The simulator loads them like any other
scenario file (`roma-tui simulate --scenario PATH`).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
BAR = SCENARIOS / "bar.toml"  # one creation, its one bar moving 1 % a second
BAR_NAME = "roma-bar"
BAR_START = 10  # % at the simulator's start
FINISHED = SCENARIOS / "finished.toml"  # a dozen instances, all finished long ago
FINISHED_NAME = "roma-done-01"
DEFAULT_NAME = "roma-2222"  # the first row of the default (demo) scenario, sorted by name
SCALE_PREFIX = "roma-scale-"
CHURN_PREFIX = "roma-base-"
WAVE_PREFIX = "roma-wave-"
TYPES = ("basic", "professional", "enterprise", "platinum")
DAY = 86400.0


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _head(name: str, description: str) -> list[str]:
    return ["[scenario]", f'name = "{name}"', f'description = "{description}"', ""]


def _instance(instance_id: str, name: str, type_: str, created: float) -> list[str]:
    return [
        "[[instances]]",
        f'id = "{instance_id}"',
        f'name = "{name}"',
        f'type = "{type_}"',
        f"created = {created:.3f}",
        f'job_id = "JOB-{instance_id}"',
    ]


def _sub_service(name: str, duration: float, step: int = 5) -> list[str]:
    return [
        "[[instances.sub_services]]",
        f'name = "{name}"',
        "start = 0",
        f"duration = {duration:.3f}",
        f"step = {step}",
    ]


def scale(directory: Path, instances: int, creating: int, seed: int = 2000) -> Path:
    """`instances` instances, `creating` of them creating (started 30 s to 10 min before the
    simulator, each taking at least 19 minutes: still creating for 9 minutes at least), 2 %
    failed long ago, the rest running for days. Sub-services are the usual ones per type."""
    rng = random.Random(seed)
    lines = _head(f"bench-scale-{instances}", f"{instances} instances, {creating} creating")
    failed = instances // 50
    for i in range(instances):
        type_ = TYPES[rng.randrange(len(TYPES))]
        name = f"{SCALE_PREFIX}{i:05d}"
        if i < creating:
            lines += _instance(_uuid(rng), name, type_, -rng.uniform(30, 600))
        elif i < creating + failed:
            lines += _instance(_uuid(rng), name, type_, -rng.uniform(DAY, 30 * DAY))
            lines += [*_sub_service("lvs", 480), "fail_after = 300"]
            lines += ['error_code = "ROMA.00110500"', 'error_msg = "Insufficient resources."']
        else:
            lines += _instance(_uuid(rng), name, type_, -rng.uniform(3 * 3600, 180 * DAY))
        lines.append("")
    path = directory / f"scale-{instances}-{creating}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@dataclass(frozen=True, slots=True)
class Wave:
    """`ids` all finish creating `ends` seconds after the simulator started (speed 1)."""

    path: Path
    ids: tuple[str, ...]
    ends: float


def wave(directory: Path, ending: int, ends: float, base: int = 50) -> Wave:
    """`ending` creations started 10 minutes before the simulator that all end together,
    `ends` seconds after it started, among `base` instances running for days."""
    rng = random.Random(245)
    lines = _head("bench-wave", f"{ending} creations ending together")
    ids = []
    for i in range(ending):
        ids.append(_uuid(rng))
        lines += _instance(ids[-1], f"{WAVE_PREFIX}{i:03d}", TYPES[i % 4], -600)
        lines += [*_sub_service("mqs", 600 + ends), ""]
    for i in range(base):
        lines += _instance(
            _uuid(rng), f"{CHURN_PREFIX}{i:03d}", TYPES[i % 4], -rng.uniform(DAY, 90 * DAY)
        )
        lines.append("")
    path = directory / f"wave-{ending}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return Wave(path, tuple(ids), ends)


@dataclass(frozen=True, slots=True)
class Churn:
    """A simulated stretch of days with creations all along, played `speed` times faster."""

    path: Path
    speed: float
    days: float
    creations: int


def churn(
    directory: Path,
    seconds: float,
    days: float = 7.0,
    every: float = 1.5,
    lasting: float = 4.0,
    base: int = 50,
    max_speed: float = 100_000.0,
) -> Churn:
    """`days` simulated days played in `seconds` real seconds: `base` instances running all
    along, and a new creation every `every` real seconds, each lasting `lasting` real seconds
    (long enough to be seen creating by a list polled every second)."""
    days = min(days, seconds * max_speed / DAY)
    speed = days * DAY / seconds
    rng = random.Random(7)
    lines = _head("bench-churn", f"{days:g} days of creations")
    for i in range(base):
        lines += _instance(
            _uuid(rng), f"{CHURN_PREFIX}{i:03d}", TYPES[i % 4], -rng.uniform(DAY, 90 * DAY)
        )
        lines.append("")
    creations = int(seconds / every)
    for i in range(creations):
        created = (i + 1) * every * speed
        lines += _instance(_uuid(rng), f"roma-churn-{i:05d}", TYPES[i % 4], created)
        lines += [*_sub_service("mqs", lasting * speed), ""]
    path = directory / "churn.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return Churn(path, speed, days, creations)
