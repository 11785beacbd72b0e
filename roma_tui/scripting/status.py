"""`roma-tui status [ID ...] [--json] [--status S]`: a one-shot look, for people and scripts.

No ids: a table of the project's instances (creation progress fetched for the ones being
created or failed). With ids: each instance's sub-services with bars, times and errors.
`--json`: one document on stdout following `status.schema.json`; every message goes to `err`.

Exit codes: 0 ok; 1 an API failure (nothing or only part shown); 3 a bad `--status` value, or
a configuration or authentication error; 4 an instance id not found (the others still shown).
When several apply, the most serious wins: 3, then 1, then 4.

Requests: the list, then the creation progress within the request budget and concurrency limit
the TUI uses (roma_tui.monitor.budget: a burst, then a steady rate), never all at once.

Imports roma_tui.api (errors, models types), roma_tui.monitor and rich; never textual or httpx.
Rich (roma_tui.scripting.render) is imported only to print for people: `--json` starts faster
and smaller without it.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Protocol, TextIO

from roma_tui.api.errors import ApiError, AuthError, ConfigError, NotFoundError, RomaError
from roma_tui.api.models import CreationProgressResponse, InstanceListResponse
from roma_tui.clock import Clock
from roma_tui.monitor.budget import MAX_CONCURRENCY, ONE_SHOT_BURST, ONE_SHOT_RATE, RequestBudget
from roma_tui.monitor.domain import CreationProgress, Instance, Place, Status, lookup
from roma_tui.monitor.eta import Typical
from roma_tui.monitor.mapping import instance_from_listed, progress_from_wire
from roma_tui.monitor.present import SHORT_ID, duration, first_of, printable
from roma_tui.monitor.snapshot import one_shot
from roma_tui.monitor.view import InstanceView, instance_view, instance_views
from roma_tui.scripting.document import DocumentError, status_document

__all__ = [
    "EXIT_API",
    "EXIT_AUTH",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_USAGE",
    "IdError",
    "StatusClient",
    "is_auth_problem",
    "is_not_found",
    "parse_status_filter",
    "resolve_id",
    "run_status",
    "say",
]

EXIT_OK = 0
EXIT_API = 1
EXIT_USAGE = 3  # as for every usage error of the CLI: 2 is wait's timeout
EXIT_AUTH = 3
EXIT_NOT_FOUND = 4

LONG_WAIT = 10.0  # seconds: a wait for the request budget longer than this is announced
# Creation progress is worth a request while there is (or was) a creation to show, or when the
# list's word is one we do not know (the progress may know better).
_PROGRESS_WORTH_FETCHING = (Status.CREATING, Status.FAILED, Status.UNKNOWN)


class StatusClient(Protocol):
    """The part of `RomaClient` that `status` and `wait` use."""

    endpoint: str
    project_id: str

    async def list_instances(self, status: str | None = None) -> InstanceListResponse: ...

    async def get_creation_progress(self, instance_id: str) -> CreationProgressResponse: ...


def parse_status_filter(text: str) -> Status | None:
    """Any spelling (`creating`, `CREATE_FAILED`, `Running`, `frozen`) -> Status; None if
    unknown."""
    word = text.strip().lower()
    try:
        return Status(word)
    except ValueError:
        pass
    status = lookup(text).status
    return None if status is Status.UNKNOWN else status


def is_auth_problem(error: RomaError) -> bool:
    return isinstance(error, AuthError | ConfigError) or (
        isinstance(error, ApiError) and error.auth_failed
    )


def is_not_found(error: RomaError) -> bool:
    return isinstance(error, NotFoundError) or (isinstance(error, ApiError) and error.not_found)


def _worst(codes: Sequence[int]) -> int:
    for code in (EXIT_AUTH, EXIT_API, EXIT_NOT_FOUND):
        if code in codes:
            return code
    return EXIT_OK


def _code_for(error: RomaError) -> int:
    if is_auth_problem(error):
        return EXIT_AUTH
    if is_not_found(error):
        return EXIT_NOT_FOUND
    return EXIT_API


def _kind(code: int) -> str:
    return {EXIT_AUTH: "auth_error", EXIT_NOT_FOUND: "not_found"}.get(code, "api_error")


def say(err: TextIO, line: str) -> None:
    """One line on `err`, with nothing in it that could act on a terminal."""
    err.write(printable(line) + "\n")
    err.flush()


async def _fetch_progress(
    client: StatusClient, clock: Clock, ids: Sequence[str], err: TextIO
) -> list[CreationProgress | RomaError]:
    """The creation progress of each id (or why not), within the request budget the TUI
    shares (roma_tui.monitor.budget): a burst, then a steady rate; a long wait is announced."""
    gate = asyncio.Semaphore(MAX_CONCURRENCY)
    budget = RequestBudget(ONE_SHOT_RATE, ONE_SHOT_BURST, at=clock.monotonic())
    wait = (len(ids) - ONE_SHOT_BURST) / ONE_SHOT_RATE
    if wait > LONG_WAIT:
        say(
            err,
            f"fetching the creation progress of {len(ids)} instances: about "
            f"{duration(timedelta(seconds=wait))} at {ONE_SHOT_RATE:g} requests a second "
            "(roma-tui's request budget)",
        )

    async def fetch(instance_id: str) -> CreationProgress | RomaError:
        async with gate:
            await budget.acquire(clock)
            try:
                return progress_from_wire(await client.get_creation_progress(instance_id))
            except RomaError as error:
                return error

    return list(await asyncio.gather(*(fetch(i) for i in ids)))


class IdError(ValueError):
    """An id argument that names no instance unambiguously (a usage error: exit 3)."""


def resolve_id(given: str, instances: Sequence[Instance]) -> str:
    """The id an argument means: itself when listed (or when it looks whole: the list may lag),
    else the one listed id it is a prefix of, at least SHORT_ID characters long (the TUI
    shows that many). IdError when it is shorter, or when several ids start with it."""
    text = given.strip()
    if any(inst.id == text for inst in instances):
        return text
    matches = [inst for inst in instances if inst.id.startswith(text)]
    if len(text) < SHORT_ID:
        raise IdError(
            f"{text!r} is too short to name an instance: give its id or its first "
            f"{SHORT_ID} characters"
        )
    if len(matches) > 1:
        found = ", ".join(f"{printable(m.id)} ({printable(m.name)})" for m in matches[:10])
        more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
        raise IdError(f"{text!r} is the start of several instance ids: {found}{more}")
    return matches[0].id if matches else text


def _listed(listing: InstanceListResponse) -> list[Instance]:
    instances: dict[str, Instance] = {}
    for item in listing.instances:
        inst = instance_from_listed(item)
        if inst.id and inst.id not in instances:
            instances[inst.id] = inst
    return list(instances.values())


async def run_status(
    client: StatusClient,
    clock: Clock,
    ids: list[str],
    *,
    as_json: bool,
    status: str | None,
    out: TextIO,
    err: TextIO,
    is_tty: bool | None = None,
    typical: Mapping[str, Typical] | None = None,
) -> int:
    """Print the status of the project's instances (no ids) or of the given ones.

    `typical` is what creations usually take here, by instance type (from the history).
    `status` filters the list by the status shown, whatever its spelling (ignored with ids).
    `is_tty` overrides terminal detection of `out` (plain output also when NO_COLOR is set).
    Returns the process exit code (see the module docstring). With `as_json` the document is
    printed whatever happened, its `errors` saying what went wrong. Ctrl-C is left to the
    caller: the CLI maps KeyboardInterrupt to 130 (`roma_tui.scripting.run_blocking`).
    """
    wanted: Status | None = None
    if status is not None and not ids:
        wanted = parse_status_filter(status)
        if wanted is None:
            choices = ", ".join(s.value for s in Status)
            say(err, f"error: unknown status {status!r}; use one of: {choices}")
            return EXIT_USAGE
    codes: list[int] = []
    errors: list[DocumentError] = []

    def failed(error: RomaError, instance_id: str | None, what: str) -> None:
        code = _code_for(error)
        codes.append(code)
        errors.append(DocumentError(_kind(code), error.message, instance_id))
        say(err, f"error: {what}: {error.message}")

    instances: list[Instance] = []
    total: int | None = None
    try:
        listing = await client.list_instances()
        instances, total = _listed(listing), listing.total
    except RomaError as error:
        failed(error, None, "cannot list instances")
    if EXIT_AUTH in codes or (codes and not ids):
        return _finish(
            [], clock, codes, errors, None, as_json=as_json, ids=ids, out=out, is_tty=is_tty
        )

    by_id = {inst.id: inst for inst in instances}
    if ids:
        try:
            targets = list(dict.fromkeys(resolve_id(i, instances) for i in ids))
        except IdError as error:
            say(err, f"error: {error}")
            return EXIT_USAGE
    else:
        targets = [i.id for i in instances if i.status in _PROGRESS_WORTH_FETCHING]
    fetched = await _fetch_progress(client, clock, targets, err)
    progress: dict[str, CreationProgress] = {}
    for instance_id, result in zip(targets, fetched, strict=True):
        if isinstance(result, CreationProgress):
            progress[instance_id] = result
        elif is_not_found(result):
            # listed, but gone since the list was taken: the list says what it is
            if instance_id not in by_id:
                failed(result, instance_id, f"instance {instance_id} not found")
        else:
            failed(result, instance_id, f"no creation progress for {instance_id}")
    now = clock.now()
    place = Place(client.endpoint, client.project_id)
    snapshot = one_shot(place, instances, progress, now, typical=typical, total=total)
    if snapshot.cut is not None and not ids:
        say(err, f"note: showing {first_of(*snapshot.cut)} instances (roma-tui's limit)")
    if ids:
        views = [v for v in (instance_view(snapshot, i, now) for i in targets) if v is not None]
    else:
        views = [
            v for v in instance_views(snapshot, now) if wanted is None or v.status.status is wanted
        ]
        if not views and not as_json:
            what = f" with status {wanted.value}" if wanted is not None else ""
            say(err, f"no instances{what} in this project")
    return _finish(
        views, clock, codes, errors, total, as_json=as_json, ids=ids, out=out, is_tty=is_tty
    )


def _finish(
    views: list[InstanceView],
    clock: Clock,
    codes: list[int],
    errors: list[DocumentError],
    total: int | None,
    *,
    as_json: bool,
    ids: list[str],
    out: TextIO,
    is_tty: bool | None,
) -> int:
    now = clock.now()
    if as_json:
        document = status_document(views, now, errors, total)
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        out.flush()
        return _worst(codes)
    from roma_tui.scripting.render import (
        detail_renderable,
        instance_lines,
        is_terminal,
        make_console,
        wants_plain,
    )

    plain = wants_plain(out, is_tty)
    # Plain output is rendered into a buffer first, to drop Rich's trailing padding.
    buffer = io.StringIO() if plain else None
    console = make_console(buffer or out, plain=plain)
    if not ids:
        terminal = is_tty if is_tty is not None else is_terminal(out)
        width = console.width if terminal else None
        for line in instance_lines(views, plain=plain, width=width) if views else ():
            console.print(line, soft_wrap=True)
    else:
        for index, view in enumerate(views):
            if index:
                console.print()
            console.print(detail_renderable(view, now, plain=plain))
    if buffer is not None:
        out.writelines(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
    out.flush()
    return _worst(codes)
