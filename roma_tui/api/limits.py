"""Bounds on what a server (or a hostile proxy) can make roma-tui do or hold in memory.

One place for every limit applied to data from the wire: how long a `Retry-After` may make us
wait, how big a response body and how deep its JSON may be, how many instances one list may
hold, how long one text field may be. Imports the standard library only.
"""

from __future__ import annotations

import math

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_INSTANCES",
    "MAX_JSON_DEPTH",
    "MAX_RETRY_AFTER",
    "MAX_TEXT_CHARS",
    "cap_retry_after",
    "json_depth_exceeds",
]

#: Seconds: the longest a server's Retry-After may make anyone wait (client, monitor, `wait`).
#: A larger value (or an absurd one such as 10**14) is read as "15 minutes".
MAX_RETRY_AFTER = 900.0
#: Bytes: a response body larger than this is an error, read no further than this.
#: A full list page of 100 instances is about 150 KB; 32 MB leaves room for anything real.
MAX_BODY_BYTES = 32 * 1024 * 1024
#: Nesting of JSON objects/arrays in a response: real ones nest 4 deep.
MAX_JSON_DEPTH = 64
#: Instances one listing may hold: far above any real project's quota, low enough that a
#: server claiming `total=10**6` cannot make roma-tui page or hold without end.
MAX_INSTANCES = 5000
#: Characters of one text field (a name, a description, an error message) kept from the wire:
#: real ones are far shorter (names 64, descriptions a few hundred); a longer one is cut with
#: an ellipsis, so a server cannot fill the screen or the memory with one field.
MAX_TEXT_CHARS = 1000


def cap_retry_after(seconds: float | None) -> float | None:
    """A Retry-After in seconds, made sane: None stays None, NaN is None, the rest lands in
    [0, MAX_RETRY_AFTER]."""
    if seconds is None or math.isnan(seconds):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def json_depth_exceeds(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when decoded JSON nests objects/arrays deeper than `limit` (walked, not recursed)."""
    if not isinstance(value, dict | list):
        return False
    stack: list[tuple[dict[str, object] | list[object], int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
