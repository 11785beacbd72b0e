"""Find a region's project id through IAM, the way the official SDK does.

`huaweicloudsdkcore/auth/credentials.py`, `BasicCredentials.process_auth_params`: without a
project id the SDK sends `GET {iam}/v3/projects?name={region}` (built by
`IamHelper.get_keystone_list_projects_request` in `auth/internal.py`), signed like any request
but without `X-Project-Id`; exactly one project in the answer is the project id, none or
several is an error. A token works the same way in `X-Auth-Token`. A password login needs no
lookup: `PasswordAuth` scopes its token by the project's name and reads the id from IAM's answer.

Must not import textual or anything above roma_tui.api.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import httpx

from roma_tui.api.auth import PasswordAuth
from roma_tui.api.client import DEFAULT_TIMEOUT, _reason, _ssl_verify, api_error
from roma_tui.api.errors import BadResponseError, ConfigError, TransportError
from roma_tui.api.regions import is_project_id
from roma_tui.clock import Clock

log = logging.getLogger("roma_tui.api.iam")

PROJECTS_PATH = "/v3/projects"


def _describe(iam_endpoint: str) -> str:
    return f"IAM at {urlsplit(iam_endpoint).netloc or iam_endpoint}"


async def lookup_project_id(
    auth: httpx.Auth,
    iam_endpoint: str,
    region: str,
    *,
    clock: Clock,
    verify: bool | str = True,
    transport: httpx.AsyncBaseTransport | None = None,
) -> str:
    """The id of the project named `region`, as IAM answers for these credentials.

    Raises ConfigError when IAM knows no such project or several (the person must pass
    --project-id), the API layer's errors otherwise (AuthError for rejected credentials,
    TransportError when IAM cannot be reached, BadResponseError for an answer of the wrong
    shape). Never retries: a rejected AK/SK signature counts towards the key's lockout.
    """
    where = _describe(iam_endpoint)
    async with httpx.AsyncClient(
        verify=_ssl_verify(verify),
        timeout=DEFAULT_TIMEOUT,
        transport=transport,
        follow_redirects=False,
        headers={"Accept": "application/json"},
    ) as http:
        if isinstance(auth, PasswordAuth):
            project_id = await auth.fetch_token(http)
            if project_id is None:
                raise BadResponseError(f"{where} issued a token without its project id")
            return project_id
        url = iam_endpoint.rstrip("/").removesuffix("/v3") + PROJECTS_PATH
        try:
            response = await http.get(url, params={"name": region}, auth=auth)
        except httpx.TimeoutException:
            raise TransportError(
                f"timed out asking {where} for the project id of {region}"
            ) from None
        except httpx.HTTPError as exc:
            raise TransportError(
                f"cannot reach {where} to look up the project id of {region}: "
                f"{_reason(exc) or type(exc).__name__}"
            ) from None
    if not response.is_success:
        error = api_error(response, auth_method=str(getattr(auth, "method", "none")), clock=clock)
        error.message = f"{where} refused the project lookup for {region}: {error.message}"
        raise error
    return _one_project(response, where, region)


def _one_project(response: httpx.Response, where: str, region: str) -> str:
    """The single project id in IAM's `{"projects": [{"id": ..., "name": ...}, ...]}`."""
    try:
        data = response.json()
        projects = data["projects"]
        ids = [str(project["id"]) for project in projects]
    except (ValueError, KeyError, TypeError):
        raise BadResponseError(
            f"{where} answered the project lookup with an unexpected body"
        ) from None
    if not ids:
        raise ConfigError(
            f"{where} knows no project named {region} for these credentials: check the region, "
            "or pass --project-id ID (the console lists it under My Credentials > Projects)"
        )
    if len(ids) > 1:
        raise ConfigError(
            f"{where} has {len(ids)} projects named {region} ({', '.join(ids)}): "
            "pass the one to use with --project-id ID"
        )
    project_id = ids[0].lower()
    if not is_project_id(project_id):
        raise BadResponseError(f"{where} answered a project id that is not 32 hex characters")
    log.debug("project id of %s found through IAM", region)
    return project_id
