"""`python -m roma_tui` is the same as the `roma-tui` command."""

from roma_tui.cli import main

raise SystemExit(main())
