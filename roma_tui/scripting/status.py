"""`roma-tui status [ID ...] [--json] [--status S]`: a one-shot look, for people and scripts.

No ids: a table of the project's instances (creation progress fetched for the ones being
created or failed). With ids: each instance's sub-services with bars, times and errors.
`--json`: one document on stdout following `status.schema.json`; every message goes to `err`.

Exit codes: 0 ok; 1 an API failure (nothing or only part shown); 3 a bad `--status` value, or
a configuration or authentication error; 4 an instance id not found (the others still shown).
When several apply, the most serious wins: 3, then 1, then 4.

Imports roma_tui.api (errors, models types), roma_tui.monitor and rich; never textual or httpx.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Sequence
from typing import Protocol, TextIO

from roma_tui.api.errors import ApiError, AuthError, ConfigError, NotFoundError, RomaError
from roma_tui.api.models import CreationProgressResponse, InstanceListResponse
from roma_tui.clock import Clock
from roma_tui.monitor.domain import CreationProgress, Instance, Status, normalise_status
from roma_tui.monitor.eta import EtaEstimator
from roma_tui.monitor.mapping import instance_from_listed, progress_from_wire
from roma_tui.scripting.document import DocumentError, status_document
from roma_tui.scripting.render import (
    InstanceView,
    detail_renderable,
    instance_table,
    make_console,
    view_of,
    wants_plain,
)

__all__ = [
    "EXIT_API",
    "EXIT_AUTH",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_USAGE",
    "StatusClient",
    "parse_status_filter",
    "run_status",
]

EXIT_OK = 0
EXIT_API = 1
EXIT_USAGE = 3  # as for every usage error of the CLI: 2 is wait's timeout
EXIT_AUTH = 3
EXIT_NOT_FOUND = 4

MAX_CONCURRENCY = 4
# Creation progress is worth a request only while there is (or was) a creation to show.
_PROGRESS_WORTH_FETCHING = (Status.CREATING, Status.FAILED)


class StatusClient(Protocol):
    """The part of `RomaClient` that `status` uses."""

    async def list_instances(self, status: str | None = None) -> InstanceListResponse: ...

    async def get_creation_progress(self, instance_id: str) -> CreationProgressResponse: ...


def parse_status_filter(text: str) -> Status | None:
    """Any spelling (`creating`, `CREATE_FAILED`, `Running`, `other`) -> Status; None if unknown."""
    word = text.strip().lower()
    try:
        return Status(word)
    except ValueError:
        pass
    status = normalise_status(text)
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


def _say(err: TextIO, line: str) -> None:
    err.write(line + "\n")
    err.flush()


async def _fetch_progress(
    client: StatusClient, instance_id: str, gate: asyncio.Semaphore
) -> CreationProgress | RomaError:
    async with gate:
        try:
            return progress_from_wire(await client.get_creation_progress(instance_id))
        except RomaError as error:
            return error


async def run_status(
    client: StatusClient,
    clock: Clock,
    ids: list[str],
    *,
    as_json: bool,
    status: str | None,
    out: TextIO,
    err: TextIO,
    eta: EtaEstimator | None = None,
    is_tty: bool | None = None,
) -> int:
    """Print the status of the project's instances (no ids) or of the given ones.

    `status` filters the list by normalised status, whatever its spelling (ignored with ids).
    `is_tty` overrides terminal detection of `out` (plain output also when NO_COLOR is set).
    Returns the process exit code (see the module docstring). Ctrl-C is left to the caller:
    the CLI maps KeyboardInterrupt to 130 (`roma_tui.scripting.run_blocking`).
    """
    wanted: Status | None = None
    if status is not None and not ids:
        wanted = parse_status_filter(status)
        if wanted is None:
            choices = ", ".join(s.value for s in Status)
            _say(err, f"error: unknown status {status!r}; use one of: {choices}")
            return EXIT_USAGE
    gate = asyncio.Semaphore(MAX_CONCURRENCY)
    codes: list[int] = []
    errors: list[DocumentError] = []
    views: list[InstanceView] = []

    if not ids:
        try:
            listing = await client.list_instances()
        except RomaError as error:
            _say(err, f"error: cannot list instances: {error.message}")
            return EXIT_AUTH if is_auth_problem(error) else EXIT_API
        instances: list[Instance] = [instance_from_listed(m) for m in listing.instances]
        if wanted is not None:
            instances = [i for i in instances if i.status is wanted]
        targets = [i for i in instances if i.status in _PROGRESS_WORTH_FETCHING and i.id]
        fetched = await asyncio.gather(*(_fetch_progress(client, i.id, gate) for i in targets))
        progress: dict[str, CreationProgress] = {}
        for target, result in zip(targets, fetched, strict=True):
            if isinstance(result, CreationProgress):
                progress[target.id] = result
            elif not is_not_found(result):  # gone since the list was taken: keep listed data
                codes.append(EXIT_AUTH if is_auth_problem(result) else EXIT_API)
                errors.append(DocumentError("api_error", result.message, target.id))
                _say(err, f"warning: no creation progress for {target.id}: {result.message}")
        now = clock.now()
        views = [view_of(i, progress.get(i.id), now, eta) for i in instances]
        if not views and not as_json:
            what = f" with status {wanted.value}" if wanted is not None else ""
            _say(err, f"no instances{what} in this project")
    else:
        fetched = await asyncio.gather(*(_fetch_progress(client, i, gate) for i in ids))
        now = clock.now()
        for instance_id, result in zip(ids, fetched, strict=True):
            if isinstance(result, CreationProgress):
                views.append(view_of(None, result, now, eta))
                continue
            code = _code_for(result)
            codes.append(code)
            if code == EXIT_NOT_FOUND:
                errors.append(DocumentError("not_found", result.message, instance_id))
                _say(err, f"error: instance {instance_id} not found: {result.message}")
            else:
                errors.append(DocumentError("api_error", result.message, instance_id))
                _say(err, f"error: instance {instance_id}: {result.message}")
        if EXIT_AUTH in codes and not views:
            return EXIT_AUTH

    if as_json:
        document = status_document(views, now, errors)
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        out.flush()
        return _worst(codes)

    plain = wants_plain(out, is_tty)
    # Plain output is rendered into a buffer first, to drop Rich's trailing padding.
    sink: TextIO = io.StringIO() if plain else out
    console = make_console(sink, plain=plain)
    if not ids:
        if views:
            console.print(instance_table(views, plain=plain, width=console.width))
    else:
        for index, view in enumerate(views):
            if index:
                console.print()
            console.print(detail_renderable(view, now, plain=plain))
    if isinstance(sink, io.StringIO):
        out.writelines(line.rstrip() + "\n" for line in sink.getvalue().splitlines())
    out.flush()
    return _worst(codes)
