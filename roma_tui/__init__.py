"""roma-tui: a terminal monitor for Huawei Cloud ROMA Connect instance creation."""

__version__ = "0.1.0"
