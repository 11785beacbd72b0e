"""Baseline: a `watch`-style loop that clears the terminal and redraws everything once a
second: one instance's status line and its sub-service's text bar, moving by 1 % a second.

`python bench/apps/redraw.py NAME START`; runs until SIGTERM. Standard library only.
"""

import sys
import time
from datetime import UTC, datetime

WIDTH = 40


def frame(name: str, progress: int) -> str:
    filled = WIDTH * progress // 100
    bar = "█" * filled + "░" * (WIDTH - filled)
    clock = datetime.now(UTC).strftime("%a %b %d %H:%M:%S %Y")
    return "\r\n".join(
        [
            f"Every 1.0s: roma-tui status {name}{clock:>60}",
            "",
            "NAME          STATUS     PROGRESS",
            f"{name:<13} creating   {progress:>3}%",
            "",
            "SUB-SERVICE   STATUS     PROGRESS",
            f"mqs           creating   {bar} {progress:>3}%",
        ]
    )


def main(name: str, start: int) -> None:
    progress = start
    while True:
        sys.stdout.write("\x1b[H\x1b[2J" + frame(name, progress))
        sys.stdout.flush()
        progress = min(100, progress + 1)
        time.sleep(1.0)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
