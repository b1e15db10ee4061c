"""CLI subcommands, one module each, discovered by `tui.cli`.

A command module defines NAME, HELP (one line), `configure(parser)` and `run(args) -> int`.
Modules import heavy libraries (torch) inside `run`, never at import time, so `--help` is fast.
"""
