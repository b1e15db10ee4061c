"""The app's start-up configuration, shared by the CLI and the tests through `make_app`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from core.paths import runs_dir

TRUECOLOR_VALUES = ("truecolor", "24bit")


@dataclass(frozen=True)
class AppConfig:
    """Everything the app needs to know before its first frame."""

    runs_dir: Path = field(default_factory=runs_dir)  # where training runs live
    truecolor: bool = False  # force 24-bit colour even when COLORTERM is not set
    theme: str | None = None  # a Textual theme name, e.g. "textual-light"; None keeps the default
    start: str = "home"  # workspace id to open first
    course: str | None = None  # a course pack (file or built-in name) for the Sheet


def terminal_has_truecolor(environ: dict[str, str] | None = None) -> bool:
    """Whether the terminal announces 24-bit colour (over SSH COLORTERM is usually missing)."""
    env = os.environ if environ is None else environ
    return env.get("COLORTERM", "").lower() in TRUECOLOR_VALUES
