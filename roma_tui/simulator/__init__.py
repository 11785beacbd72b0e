"""A faithful fake of the ROMA Connect API (ASGI), for --demo, tests and screenshots.

It writes its JSON by hand from scenario data. May import roma_tui.clock and
roma_tui.api.signing only: never roma_tui.api.models, roma_tui.api.client, monitor, tui or
scripting (import-linter enforces it).
"""

from roma_tui.simulator.app import SimulatorApp, create_app
from roma_tui.simulator.credentials import SimCredentials
from roma_tui.simulator.faults import Faults
from roma_tui.simulator.scenario import (
    Scenario,
    ScenarioError,
    default_scenario,
    large_scenario,
    load_scenario,
    scenario_from_spec,
    varied_scenario,
)

__all__ = [
    "Faults",
    "Scenario",
    "ScenarioError",
    "SimCredentials",
    "SimulatorApp",
    "create_app",
    "default_scenario",
    "large_scenario",
    "load_scenario",
    "scenario_from_spec",
    "varied_scenario",
]
