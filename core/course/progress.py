"""A student's progress on a pack, kept per user and per pack outside the pack:
`$XDG_STATE_HOME/cnn-tui/courses/` (else `$XDG_CONFIG_HOME/cnn-tui/courses/`, else
`~/.local/state/cnn-tui/courses/`), one JSON file per pack, so the sheet shows each task's
status after a restart and `cnn-tui course answers` can write the file to hand in."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from core.course.builtin import PACKS_DIR
from core.course.pack import Pack
from core.paths import atomic_path, state_dir

NOT_STARTED, ATTEMPTED, CORRECT = "not started", "attempted", "correct"


def progress_dir() -> Path:
    return state_dir() / "courses"


def progress_file(pack: Pack) -> Path:
    """One file per pack: its name, and a digest of where it lives (two sheet.toml differ).
    A built-in pack is known by its name alone, so its progress survives reinstalling the app
    elsewhere (a new virtual environment, another checkout)."""
    if _is_builtin(pack):
        return progress_dir() / f"{pack.name}-builtin.json"
    return _located_file(pack)


def _located_file(pack: Pack) -> Path:
    where = str(Path(pack.source).resolve())
    digest = hashlib.sha1(where.encode()).hexdigest()[:8]
    return progress_dir() / f"{pack.name}-{digest}.json"


def _is_builtin(pack: Pack) -> bool:
    return Path(pack.source).resolve().parent == PACKS_DIR.resolve()


def load_progress(pack: Pack) -> dict[str, dict[str, Any]]:
    """Task id → {"answer": text, "status": attempted | correct}; an unreadable file is none.
    A built-in pack's progress saved under its install location before is read too."""
    path = progress_file(pack)
    if not path.exists() and _is_builtin(pack):
        path = _located_file(pack)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    tasks = data.get("tasks") if isinstance(data, dict) else None
    return {k: v for k, v in (tasks or {}).items() if isinstance(v, dict)}


def task_status(progress: dict[str, dict[str, Any]], task_id: str) -> str:
    return str(progress.get(task_id, {}).get("status", NOT_STARTED))


def record(pack: Pack, task_id: str, answer: str, correct: bool) -> None:
    """Save an answer the student checked (the newest one is the one handed in)."""
    progress = load_progress(pack)
    progress[task_id] = {"answer": answer, "status": CORRECT if correct else ATTEMPTED}
    path = progress_file(pack)
    with atomic_path(path) as temporary:
        temporary.write_text(
            json.dumps({"pack": pack.title, "source": pack.source, "tasks": progress}, indent=1),
            encoding="utf-8",
        )


def answers_toml(pack: Pack, progress: dict[str, dict[str, Any]], student: str) -> str:
    """The answers file to hand in, in pack order (tasks not answered are left out)."""
    lines = [
        f"# Answers to {pack.title}, written by cnn-tui course answers.",
        f"student = {_quoted(student)}",
        "",
        "[answers]",
    ]
    for task in pack.tasks:
        answer = progress.get(task.id, {}).get("answer")
        if answer:
            lines.append(f"{_quoted(task.id)} = {_quoted(str(answer))}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)
