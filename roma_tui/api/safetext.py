"""Terminal-safe text: what a server sends can be shown, never obeyed.

An error body, an IAM message, an HTML page or a reason phrase ends up in a message printed on
stderr or in the TUI. Such text must not be able to act on the terminal: retitle it (OSC 0),
write the clipboard (OSC 52), move the cursor (CSI), or reorder what the reader sees (bidi
overrides such as U+202E). `terminal_safe` removes escape sequences whole (introducer,
parameters, payload and terminator, in their 7-bit and 8-bit forms), turns line breaks and
other whitespace controls into a space, and drops every other control and format character
(Unicode categories Cc, Cf, Cs: C0/C1 controls, bidi embeddings, overrides, isolates and
marks, zero-width characters, lone surrogates).

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
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def terminal_safe(text: str) -> str:
    """`text` without escape sequences, control or format characters (whitespace ones: a space).

    Printable text comes back unchanged (and fast: one `isprintable` check).
    """
    if text.isprintable():
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    return "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
