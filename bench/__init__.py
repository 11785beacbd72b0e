"""Benchmarks for roma-tui: `python -m bench.run` (see bench/README.md). Not part of the package."""
