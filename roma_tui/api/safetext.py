"""Terminal-safe text: what a server (or anyone who can name an instance) sends can be shown,
never obeyed.

An instance name, a description, an error body, an IAM message or an HTML page ends up on the
screen, in a message on stderr or in a log line. Such text must not be able to act on the
terminal: retitle it (OSC 0), write the clipboard (OSC 52), move the cursor (CSI), or reorder
what the reader sees (bidi overrides such as U+202E). `terminal_safe` is the one function for
that, used by the API layer's errors, the mapping to the domain, the TUI and the scripts: it
removes escape sequences whole (introducer, parameters, payload and terminator, in their 7-bit
and 8-bit forms, so no "]0;title" is left behind), turns line breaks and other whitespace into
a space, and drops every other control, format, surrogate, private-use or unassigned character
(Unicode category C*: C0/C1 controls, bidi embeddings, overrides, isolates and marks,
zero-width characters). Markup is not its business: the TUI never parses text as markup and
the scripts print it literally.

Imports the standard library only.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["terminal_safe"]

_ESCAPE_SEQUENCE = re.compile(
    r"""
      (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?     # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])                   # OSC, DCS, SOS, PM, APC
      [^\x07\x1b\x9c]* (?:\x07|\x1b\\|\x9c)?                     # payload, BEL or ST
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                              # any other ESC sequence
    """,
    re.VERBOSE,
)


def terminal_safe(value: object, limit: int | None = None) -> str:
    """`value` (a `str`, or anything `str()` makes one of) as text that cannot act on a
    terminal: no escape sequence, no control or format character (whitespace ones: a space).
    Cut to `limit` characters, the last one an ellipsis, when longer.

    Printable text comes back unchanged (and fast: one `isprintable` check).
    """
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():
        text = _ESCAPE_SEQUENCE.sub("", text)
        text = "".join(
            " " if ch.isspace() else ch
            for ch in text
            if ch.isspace() or not unicodedata.category(ch).startswith("C")
        )
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text
