"""CLI subcommands, one module or package each, discovered by `tui.cli`.

A command module (or a package's `__init__`) defines NAME, HELP (one line), `configure(parser)`
and `run(args) -> int`; a package keeps the command's own renderers beside it (`explain/show.py`,
`explain/gallery.py`, `data/show.py`, `train/progress.py`). Names starting with `_` are helpers
shared by several commands (`_slurm_flags.py`), not commands. Modules import heavy libraries
(torch) inside `run`, never at import time, so `--help` is fast.
"""
