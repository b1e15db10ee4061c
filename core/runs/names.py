"""Display names of runs: `lenet5 12:05` for run `20261121-120501-lenet5`, unique in a set.

A run id is `YYYYmmdd-HHMMSS-<name>`; the display name keeps the name and the minute. Where two
runs of one set would read the same (the same preset twice in a minute, or on two days), they
get the seconds, then the date, then their full ids: every name in a set is unique.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_RUN_ID = re.compile(r"^(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)-(.+)$")
LEVELS = 4  # minute, seconds, date + seconds, full id


def display_name(run_id: str, level: int = 0) -> str:
    """`name HH:MM` (level 0), `name HH:MM:SS` (1), `name YYYY-MM-DD HH:MM:SS` (2), else the
    id itself (ids of another shape are always used as they are)."""
    match = _RUN_ID.match(run_id)
    if not match or level >= LEVELS - 1:
        return run_id
    year, month, day, hours, minutes, seconds, name = match.groups()
    if level == 0:
        return f"{name} {hours}:{minutes}"
    if level == 1:
        return f"{name} {hours}:{minutes}:{seconds}"
    return f"{name} {year}-{month}-{day} {hours}:{minutes}:{seconds}"


def display_names(run_ids: Iterable[str]) -> dict[str, str]:
    """Run id → a display name unique among `run_ids`, as short as the others allow."""
    ids = list(dict.fromkeys(run_ids))
    levels = dict.fromkeys(ids, 0)
    for _ in range(LEVELS):
        names = {rid: display_name(rid, levels[rid]) for rid in ids}
        counts = Counter(names.values())
        clashing = [rid for rid in ids if counts[names[rid]] > 1]
        if not clashing:
            return names
        for rid in clashing:
            levels[rid] += 1
    return {rid: rid for rid in ids}


def folder_name(run_id: str) -> str:
    """A display name with the seconds that is also a folder name: `lenet5_12-05-01`."""
    return display_name(run_id, 1).replace(" ", "_").replace(":", "-")
