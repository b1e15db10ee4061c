"""The headless engine of cnn-tui: everything the app shows, computed without a UI.

One package per area (arch, convlab, data, models, runs, training, cluster, explain, scratch,
exercises), layered as pyproject.toml's import-linter contract declares; the top level keeps
only what every area shares (errors, paths, assets, settings) and the worker's entry point,
`python -m core.worker RUN_DIR`. Nothing here imports textual, rich, `tui` or `screens`.
"""

__version__ = "0.1.0"
