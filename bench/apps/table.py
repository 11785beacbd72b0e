"""Baseline: a plain 2000-row `DataTable` of the project's instances, updated every 2 s.

`ROMA_TUI_TOKEN=... python bench/apps/table.py ENDPOINT PROJECT_ID`; `q` quits. It reads every
page of the instance list from the simulator once (httpx, `X-Auth-Token`, `json`), shows one
row per instance (keyed by id, cells as `rich.text.Text`), then every 2 s moves the progress
cell of every creating instance by one step with `update_cell`. Imports Textual and httpx only.
"""

import os
import sys
from typing import Any

import httpx
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer

COLUMNS = ("Name", "ID", "Type", "Status", "Progress", "Created", "Arch")
PAGE = 100
BAR = 10


def progress_cell(pct: int) -> Text:
    filled = BAR * pct // 100
    return Text("█" * filled + "░" * (BAR - filled) + f" {pct:>3}%")


class Table(App[None]):
    BINDINGS = [("q", "quit", "Quit")]  # noqa: RUF012

    def __init__(self, endpoint: str, project_id: str) -> None:
        super().__init__()
        self._endpoint = endpoint
        self._project_id = project_id
        self._creating: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")
        yield Footer()

    async def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        headers = {"X-Auth-Token": os.environ["ROMA_TUI_TOKEN"]}
        instances: list[dict[str, Any]] = []
        async with httpx.AsyncClient(base_url=self._endpoint, headers=headers) as http:
            while True:
                params = {"offset": len(instances), "limit": PAGE}
                page = await http.get(f"/v2/{self._project_id}/instances", params=params)
                page.raise_for_status()
                data = page.json()
                instances += data["instances"]
                if not data["instances"] or len(instances) >= data["total"]:
                    break
        for inst in instances:
            status = str(inst.get("status", ""))
            creating = status.upper() == "CREATING"
            pct = 30 if creating else 100
            if creating:
                self._creating[inst["id"]] = pct
            cells = (
                inst.get("name", ""),
                inst["id"][:8],
                inst.get("flavor_type", ""),
                status,
                progress_cell(pct),
                inst.get("create_time", ""),
                inst.get("cpu_arch", ""),
            )
            row = [c if isinstance(c, Text) else Text(str(c or "")) for c in cells]
            table.add_row(*row, key=inst["id"])
        self.set_interval(2.0, self.advance)

    def advance(self) -> None:
        table = self.query_one(DataTable)
        for instance_id, pct in self._creating.items():
            pct = self._creating[instance_id] = min(99, pct + 1)
            table.update_cell(instance_id, "Progress", progress_cell(pct))


if __name__ == "__main__":
    Table(sys.argv[1], sys.argv[2]).run()
