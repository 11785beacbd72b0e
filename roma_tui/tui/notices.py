"""What the app says when creations end: one summary per refresh, and desktop notifications.

A refresh in which 245 creations end is one toast ("244 finished, 1 failed: roma-billing —
EIP quota exceeded") and at most one bell, not 245 of each. The words come from the view
model (status words, reasons); this module only composes them. With `--notify` the same
summary goes to the desktop through the terminal's notification escape sequence (OSC 9 for
iTerm2, WezTerm, Windows Terminal; OSC 99 for kitty; OSC 777 for foot, urxvt, VTE
terminals), wrapped for tmux's passthrough when inside tmux.
Imports roma_tui.monitor only; never textual or httpx.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from roma_tui.monitor.domain import Status
from roma_tui.monitor.present import printable

if TYPE_CHECKING:
    from roma_tui.monitor.view import InstanceView

__all__ = ["Notice", "desktop_notifier", "desktop_sequence", "summarise", "terminal_kind"]

Severity = Literal["information", "warning", "error"]
Kind = Literal["osc9", "osc99", "osc777"]

NAME_CHARS = 40
REASON_CHARS = 120
NAMED = 3  # at most this many names in one line


@dataclass(frozen=True, slots=True)
class Notice:
    title: str
    message: str
    severity: Severity


def _names(views: Sequence[InstanceView]) -> str:
    shown = ", ".join(printable(v.name or v.id, NAME_CHARS) for v in views[:NAMED])
    return shown + (f" and {len(views) - NAMED} more" if len(views) > NAMED else "")


def summarise(ended: Sequence[InstanceView]) -> Notice | None:
    """One notice for every creation that ended in one refresh (their views, now)."""
    if not ended:
        return None
    failed = [v for v in ended if v.status.status is Status.FAILED]
    running = [v for v in ended if v.status.status is Status.RUNNING]
    other = [v for v in ended if v not in failed and v not in running]
    parts = []
    if running:
        parts.append(f"{len(running)} finished")
    if failed:
        parts.append(f"{len(failed)} failed")
    if other:
        words = sorted({v.status.word for v in other})
        parts.append(f"{len(other)} {'/'.join(words)}")
    head = ", ".join(parts)
    lines = []
    if len(failed) == 1:
        view = failed[0]
        reason = view.reason.text() if view.reason is not None else "the API gave no reason"
        lines.append(
            f"{printable(view.name or view.id, NAME_CHARS)} — {printable(reason, REASON_CHARS)}"
        )
    elif failed:
        lines.append(f"failed: {_names(failed)}" if other else _names(failed))
    if other:
        lines.append(f"{_names(other)}: {printable(other[0].status.meaning, REASON_CHARS)}")
    if running and not failed and not other:
        lines.append(_names(running))
    severity: Severity = "error" if failed else ("warning" if other else "information")
    title = "Creation failed" if failed else ("Creation ended" if other else "Creation finished")
    message = head + (": " + lines[0] if len(lines) == 1 else "\n" + "\n".join(lines))
    return Notice(title, message, severity)


def terminal_kind(environ: Mapping[str, str]) -> Kind:
    """Which notification sequence this terminal understands, from its environment."""
    program = environ.get("TERM_PROGRAM", "")
    if environ.get("KITTY_WINDOW_ID") or environ.get("TERM", "") == "xterm-kitty":
        return "osc99"
    if program in ("iTerm.app", "WezTerm", "vscode") or environ.get("WT_SESSION"):
        return "osc9"
    return "osc777"


def _field(text: str, limit: int) -> str:
    """Text safe inside an OSC string: printable, no `;` (the field separator)."""
    return printable(text, limit).replace(";", ",")


def desktop_sequence(notice: Notice, kind: Kind, *, tmux: bool = False) -> str:
    """The escape sequence that asks the terminal for a desktop notification."""
    title = _field(notice.title, 60)
    body = _field(" ".join(notice.message.split()), 240)
    if kind == "osc9":
        sequence = f"\x1b]9;{title}: {body}\x07"
    elif kind == "osc99":
        sequence = f"\x1b]99;i=roma:d=0;{title}\x1b\\\x1b]99;i=roma:p=body;{body}\x1b\\"
    else:
        sequence = f"\x1b]777;notify;{title};{body}\x07"
    if tmux:  # tmux passes a DCS-wrapped sequence through, every ESC doubled
        sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


def desktop_notifier(environ: Mapping[str, str] | None = None) -> Callable[[Notice], None] | None:
    """A function that shows a notice on the desktop through this terminal (the one Textual
    draws on, stderr), or None when stderr is not a terminal. One write per notice: an OSC
    sequence does not change the screen, so it may fall between two frames."""
    env = os.environ if environ is None else environ
    stream = sys.__stderr__
    if stream is None or not stream.isatty():
        return None
    kind, tmux = terminal_kind(env), bool(env.get("TMUX"))

    def send(notice: Notice) -> None:
        try:
            stream.write(desktop_sequence(notice, kind, tmux=tmux))
            stream.flush()
        except OSError:
            pass  # the terminal went away: the app ends on its own

    return send
