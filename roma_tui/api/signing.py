"""Huawei Cloud's SDK-HMAC-SHA256 request signing (AK/SK), as pure functions.

Mirrors `huaweicloudsdkcore/signer/signer.py` (`Signer`) byte for byte, so the client (via
`roma_tui.api.auth.AkSkAuth`) and the simulator (to verify signatures) share one implementation.
Standard library only: must not import httpx, pydantic or anything from roma_tui.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote, unquote

SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
CONTENT_SHA256_HEADER = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()

_AUTHORIZATION_RE = re.compile(
    rf"^{ALGORITHM}\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$"
)


def _encode(value: str) -> str:
    return quote(value, safe="~")


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signed_header_names(headers: Mapping[str, str]) -> list[str]:
    """Every header name without "_", lower-cased, sorted (the SDK's rule)."""
    return sorted({name.lower() for name in headers if "_" not in name})


def canonical_uri(path: str) -> str:
    """Each segment of the (unquoted) path percent-encoded, with a "/" appended for signing."""
    uri = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(query: Sequence[tuple[str, str]]) -> str:
    """The (key, value) pairs sorted, each `quote(k, safe="~")=quote(v, safe="~")`, joined by &.

    The SDK sends exactly this string as the URL's query, so a signed request must too.
    """
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query))


def canonical_request(
    method: str,
    path: str,
    query: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    body: bytes,
) -> str:
    """The SDK's CanonicalRequest.

    `path` is the URL path as sent (percent-encoded or not: it is unquoted first, as the SDK does);
    `query` holds the decoded pairs. A signed header missing from `headers` counts as empty (so a
    verifier fails the signature rather than crashing).
    """
    values = {name.lower(): str(value).strip() for name, value in headers.items()}
    canonical_headers = "".join(f"{name}:{values.get(name, '')}\n" for name in signed_headers)
    if not body:
        payload_hash = EMPTY_BODY_SHA256
    else:
        payload_hash = values.get(CONTENT_SHA256_HEADER.lower()) or _sha256_hex(body)
    return "\n".join(
        (
            method.upper(),
            canonical_uri(path),
            canonical_query(query),
            canonical_headers,
            ";".join(signed_headers),
            payload_hash,
        )
    )


def string_to_sign(canonical: str, sdk_date: str) -> str:
    return f"{ALGORITHM}\n{sdk_date}\n{_sha256_hex(canonical.encode('utf-8'))}"


def compute_signature(canonical: str, sdk_date: str, sk: str) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed with the SK itself (no key derivation)."""
    message = string_to_sign(canonical, sdk_date).encode("utf-8")
    return hmac.new(sk.encode("utf-8"), message, hashlib.sha256).hexdigest()


def authorization_header(ak: str, signed_headers: Sequence[str], signature: str) -> str:
    names = ";".join(signed_headers)
    return f"{ALGORITHM} Access={ak}, SignedHeaders={names}, Signature={signature}"


def parse_authorization(value: str) -> tuple[str, list[str], str] | None:
    """(access key, signed header names, signature) from an Authorization value, or None."""
    match = _AUTHORIZATION_RE.match(value.strip())
    if match is None:
        return None
    ak, names, signature = match.groups()
    return ak, names.split(";"), signature
