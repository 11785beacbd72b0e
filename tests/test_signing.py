"""SDK-HMAC-SHA256 signing: the documented test vector, and the official SDK as an oracle."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials  # type: ignore[import-untyped]
from huaweicloudsdkcore.sdk_request import SdkRequest  # type: ignore[import-untyped]
from pydantic import SecretStr

from roma_tui.api import signing
from roma_tui.api.auth import AkSkAuth
from roma_tui.clock import FakeClock

AK = "HPUAEXAMPLEAK0000001"
SK = "exampleSecretKey0123456789abcdefghijklmn"
PROJECT = "0123456789abcdef0123456789abcdef"
WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
SDK_DATE = "20240102T030405Z"
HOST = "roma.cn-north-4.myhuaweicloud.com"
VECTOR_SIGNATURE = "c5c18609ecb81086a2f1e25873ee4c8bff9932f59fcdee3aa9074a98b5674724"
VECTOR_SIGNED = ["content-type", "host", "user-agent", "x-project-id", "x-sdk-date"]
VECTOR_HEADERS = {"User-Agent": "huaweicloud-usdk-python/3.0", "Content-Type": "application/json"}
INSTANCES = f"/v2/{PROJECT}/instances"


def test_vector_with_the_pure_functions() -> None:
    headers = {**VECTOR_HEADERS, "Host": HOST, "X-Project-Id": PROJECT, "X-Sdk-Date": SDK_DATE}
    names = signing.signed_header_names(headers)
    assert names == VECTOR_SIGNED
    query = [("offset", "0"), ("limit", "10")]
    canonical = signing.canonical_request("GET", INSTANCES, query, headers, names, b"")
    assert canonical.splitlines()[1:3] == [INSTANCES + "/", "limit=10&offset=0"]
    signature = signing.compute_signature(canonical, SDK_DATE, SK)
    assert signature == VECTOR_SIGNATURE
    value = signing.authorization_header(AK, names, signature)
    assert value == (
        f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders={';'.join(VECTOR_SIGNED)}, "
        f"Signature={VECTOR_SIGNATURE}"
    )
    assert signing.parse_authorization(value) == (AK, VECTOR_SIGNED, VECTOR_SIGNATURE)


def sign_with_auth(
    request: httpx.Request, security_token: str | None = None
) -> tuple[httpx.Request, int]:
    """Drive AkSkAuth's flow as httpx does; return the request it would send, and the yields."""
    auth = AkSkAuth(
        AK,
        SecretStr(SK),
        PROJECT,
        security_token=SecretStr(security_token) if security_token else None,
        clock=FakeClock(WHEN),
    )
    sent = list(auth.sync_auth_flow(request))
    return sent[-1], len(sent)


def test_vector_through_the_auth() -> None:
    url = f"https://{HOST}{INSTANCES}?limit=10&offset=0"
    sent, _ = sign_with_auth(httpx.Request("GET", url, headers=VECTOR_HEADERS))
    assert sent.headers["X-Sdk-Date"] == SDK_DATE
    assert sent.headers["X-Project-Id"] == PROJECT
    assert sent.headers["Host"] == HOST
    assert signing.parse_authorization(sent.headers["Authorization"]) == (
        AK,
        VECTOR_SIGNED,
        VECTOR_SIGNATURE,
    )


def test_parse_authorization_rejects_garbage() -> None:
    assert signing.parse_authorization("Bearer abc") is None
    assert signing.parse_authorization("SDK-HMAC-SHA256 Access=a, Signature=00") is None


@dataclass
class Case:
    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    host: str = HOST
    security_token: str | None = None
    raw_query: bool = False  # put the query into the URL as written instead of params=


UA = {"User-Agent": "roma-tui/0.1.0"}
JSON = {**UA, "Content-Type": "application/json"}
CASES = {
    "list": Case("GET", INSTANCES, [("offset", "0"), ("limit", "100"), ("status", "CREATING")], UA),
    "odd-query": Case(
        "GET",
        INSTANCES,
        [
            ("name", "a b+c/d=e&f"),
            ("mark", "~!*'()%;:@$,?#[]"),
            ("ü", "ünïcødé 漢字"),
            ("tag", "b"),
            ("tag", "a"),
            ("Tag", "z"),
            ("empty", ""),
        ],
        UA,
    ),
    "raw-query-unsorted": Case("GET", INSTANCES, [("b", "2"), ("a", "1")], UA, raw_query=True),
    "trailing-slash": Case("GET", INSTANCES + "/", [("limit", "10")], UA),
    "root": Case("GET", "/", [], UA),
    "encoded-segment": Case("GET", f"/v2/{PROJECT}/instances/inst 1:ä(x)", [], UA),
    "post-json": Case("POST", "/v3/auth/tokens", [], JSON, body=b'{"auth": {"x": "\xc3\xa9 1"}}'),
    "post-text-unsigned-payload": Case(
        "POST", INSTANCES, [], {**UA, "Content-Type": "text/plain"}, body=b"hello"
    ),
    "extra-headers": Case(
        "GET",
        INSTANCES,
        [("limit", "1")],
        {**JSON, "X-Language": "  en-us  ", "X_Not_Signed": "x"},
        host="127.0.0.1:8443",
    ),
    "temporary-credentials": Case("GET", INSTANCES, [], UA, security_token="sts-token/+=="),
}


def sign_with_sdk(case: Case) -> SdkRequest:
    credentials = BasicCredentials(AK, SK, PROJECT)
    if case.security_token:
        credentials.with_security_token(case.security_token)
    request = SdkRequest(
        method=case.method,
        schema="https",
        host=case.host,
        resource_path=case.path,
        query_params=list(case.query),
        header_params={**case.headers, "X-Sdk-Date": SDK_DATE},
        body=case.body or None,
    )
    return credentials.sign_request(request)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_authorization_equals_the_official_sdk(case: Case) -> None:
    url = f"https://{case.host}{case.path}"
    if case.raw_query:
        url += "?" + "&".join(f"{k}={v}" for k, v in case.query)
    request = httpx.Request(
        case.method,
        url,
        params=None if case.raw_query else tuple(case.query),
        headers=case.headers,
        content=case.body or None,
    )
    sent, yields = sign_with_auth(request, case.security_token)
    expected = sign_with_sdk(case)

    assert yields == 1
    assert sent.headers["Authorization"] == expected.header_params["Authorization"]
    # The query actually sent is the canonical one the SDK sends (and signed).
    expected_query = expected.uri.partition("?")[2]
    assert sent.url.query.decode("ascii") == expected_query
    # Every signed header goes out with exactly the value that was signed.
    parsed = signing.parse_authorization(sent.headers["Authorization"])
    assert parsed is not None
    sdk_values = {k.lower(): v for k, v in expected.header_params.items()}
    for name in parsed[1]:
        assert sent.headers[name] == sdk_values[name]
