"""The shape of every record a run folder holds, checked before any reader uses it.

Anything in a runs folder is untrusted: a line of events.jsonl or a JSON file may be valid JSON
of the wrong shape (`{"kind": "epoch"}` without its fields, a heartbeat that is a list, a `pid`
that is a string). Every reader goes through `event_problem` (one schema per event kind) and
`file_problem` (config.json, launch.json, heartbeat.json), so a bad record is skipped or a bad
run is reported, never raised from deep inside a reader.
"""

from __future__ import annotations

import math
from typing import Any

_INT = "an integer"
_NUMBER = "a number"
_TEXT = "a string"
_LIST = "a list"
_OBJECT = "an object"


def _fits(value: Any, expected: str, nullable: bool) -> bool:
    if value is None:
        return nullable
    if isinstance(value, bool):
        return False
    if expected == _INT:
        return isinstance(value, int)
    if expected == _NUMBER:
        return isinstance(value, (int, float)) and not (
            isinstance(value, float) and math.isinf(value)
        )
    if expected == _TEXT:
        return isinstance(value, str)
    if expected == _LIST:
        return isinstance(value, list)
    return isinstance(value, dict)


# kind → {field: (type, required, nullable)}; fields not listed are free (forward compatible).
_REQ, _OPT = True, False
EVENT_FIELDS: dict[str, dict[str, tuple[str, bool, bool]]] = {
    "start": {
        "parameters": (_INT, _OPT, True),
        "steps_per_epoch": (_INT, _OPT, True),
        "epochs": (_INT, _OPT, True),
        "classes": (_LIST, _OPT, True),
        "preset": (_TEXT, _OPT, True),
        "resumed_from_epoch": (_INT, _OPT, True),
    },
    "step": {
        "epoch": (_INT, _OPT, True),
        "step": (_INT, _OPT, True),
        "loss": (_NUMBER, _OPT, True),
        "global_step": (_INT, _OPT, True),
        "steps_per_epoch": (_INT, _OPT, True),
        "lr": (_NUMBER, _OPT, True),
        "images_per_s": (_NUMBER, _OPT, True),
    },
    "epoch": {
        "epoch": (_INT, _REQ, False),
        "train_loss": (_NUMBER, _OPT, True),
        "train_acc": (_NUMBER, _OPT, True),
        "test_loss": (_NUMBER, _OPT, True),
        "test_acc": (_NUMBER, _OPT, True),
        "val_loss": (_NUMBER, _OPT, True),
        "val_acc": (_NUMBER, _OPT, True),
        "step": (_INT, _OPT, True),
        "lr": (_NUMBER, _OPT, True),
        "seconds": (_NUMBER, _OPT, True),
        "images_per_s": (_NUMBER, _OPT, True),
        "per_class_acc": (_LIST, _OPT, True),
        "confusion": (_LIST, _OPT, True),
        "per_class_split": (_TEXT, _OPT, True),
    },
    "eval": {
        "epoch": (_INT, _OPT, True),
        "step": (_INT, _OPT, True),
        "split": (_TEXT, _OPT, True),
    },
    "end": {"status": (_TEXT, _OPT, False), "message": (_TEXT, _OPT, True)},
    "requeue": {"count": (_INT, _OPT, True), "epoch": (_INT, _OPT, True)},
    "checkpoint": {"epoch": (_INT, _OPT, True), "files": (_LIST, _OPT, True)},
    "system": {},
}
"""Known event kinds and the type of each field they may carry (null allowed: the writer turns a
NaN into null); an epoch event must say which epoch. A field's absence is the reader's to handle
(`.get`); a field of the wrong type is a bad record. An unknown kind is kept (a newer worker)
and ignored by the readers."""

END_STATES = ("finished", "stopped", "failed")
MAX_EPOCH = 1_000_000  # far beyond any run's epochs (training allows 100,000)


def _fields_problem(record: dict[str, Any], fields: dict[str, tuple[str, bool, bool]]) -> str:
    for name, (expected, required, nullable) in fields.items():
        if name not in record:
            if required:
                return f"no {name!r}"
            continue
        if not _fits(record[name], expected, nullable):
            return f"{name!r} is not {expected}"
    return ""


def event_problem(record: Any) -> str:
    """Why `record` (one parsed line of events.jsonl) is not a usable event; "" when it is."""
    if not isinstance(record, dict):
        return f"not a JSON object but {type(record).__name__}"
    kind = record.get("kind")
    if not isinstance(kind, str):
        return "no 'kind'"
    for name, expected in (("seq", _INT), ("time", _NUMBER)):
        if name in record and not _fits(record[name], expected, False):
            return f"{kind} event: {name!r} is not {expected}"
    problem = _fields_problem(record, EVENT_FIELDS.get(kind, {}))
    if not problem and kind == "epoch" and not 1 <= record["epoch"] <= MAX_EPOCH:
        problem = f"'epoch' is not from 1 to {MAX_EPOCH:,}"
    if not problem and kind == "end" and record.get("status", "failed") not in END_STATES:
        problem = f"'status' is not one of {', '.join(END_STATES)}"
    return f"{kind} event: {problem}" if problem else ""


FILE_FIELDS: dict[str, dict[str, tuple[str, bool, bool]]] = {
    "config.json": {
        "epochs": (_INT, _OPT, True),
        "preset": (_TEXT, _OPT, True),
        "dataset": (_TEXT, _OPT, True),
        "arch_name": (_TEXT, _OPT, True),
        "arch": (_TEXT, _OPT, True),
        "arch_file": (_TEXT, _OPT, True),
        "arch_class": (_TEXT, _OPT, True),
        "arch_args": (_OBJECT, _OPT, True),
        "arch_sha256": (_TEXT, _OPT, True),
        "batch_size": (_INT, _OPT, True),
        "lr": (_NUMBER, _OPT, True),
        "optimizer": (_TEXT, _OPT, True),
        "augment": (_LIST, _OPT, True),
        "val_split": (_NUMBER, _OPT, True),
        "resize": (_INT, _OPT, True),
        "sweep": (_TEXT, _OPT, True),
        "sweep_params": (_OBJECT, _OPT, True),
    },
    "launch.json": {
        "launcher": (_TEXT, _OPT, True),
        "pid": (_INT, _OPT, True),
        "started": (_NUMBER, _OPT, True),
        "job_id": (_TEXT + "|int", _OPT, True),
    },
    "heartbeat.json": {
        "time": (_NUMBER, _OPT, True),
        "pid": (_INT, _OPT, True),
        "host": (_TEXT, _OPT, True),
    },
    "slurm_state.json": {  # the scheduler's last word on an ended job, cached
        "job_id": (_TEXT, _REQ, False),
        "state": (_TEXT, _REQ, False),
        "reason": (_TEXT, _REQ, False),
        "node": (_TEXT, _REQ, False),
        "source": (_TEXT, _REQ, False),
        "start": (_NUMBER, _OPT, True),
    },
}


MAX_PID = 2**22  # Linux's largest pid_max: a larger "pid" is no process


def _pid_fits(pid: Any) -> bool:
    return pid is None or 0 < pid <= MAX_PID


def file_problem(name: str, data: Any) -> str:
    """Why the parsed JSON of run file `name` cannot be used; "" when it can."""
    if not isinstance(data, dict):
        return f"{name} is not a JSON object"
    fields = dict(FILE_FIELDS.get(name, {}))
    job_id = fields.pop("job_id", None)
    problem = _fields_problem(data, fields)
    if not problem and job_id and "job_id" in data:
        if not isinstance(data["job_id"], (str, int)) or isinstance(data["job_id"], bool):
            problem = "'job_id' is not a string"
    if not problem and not _pid_fits(data.get("pid")):
        problem = f"'pid' is not a process id (1 to {MAX_PID:,})"
    if not problem and name == "launch.json" and data.get("launcher") == "slurm":
        if "job_id" not in data:
            problem = "no 'job_id' for a Slurm launch"
    return f"{name}: {problem}" if problem else ""
