"""The student's own library of designs: plain files under the user's config folder.

`$XDG_CONFIG_HOME/cnn-tui/architectures/` (else `~/.config/cnn-tui/architectures/`) holds
`NAME.spec` (a SPEC, as typed) or `NAME.py` (a copied Python file, with `NAME.class` naming the
class when the file has several). A saved name works wherever an architecture is asked for.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from core.errors import UserError
from core.paths import atomic_path

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class LibraryError(UserError):
    """A saved design that cannot be saved or found."""


def library_dir() -> Path:
    """Where saved designs live."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "cnn-tui" / "architectures"


def valid_name(name: str) -> bool:
    return bool(NAME_PATTERN.match(name)) and not name.endswith((".py", ".spec"))


def saved_names() -> list[str]:
    """Every saved design, sorted."""
    folder = library_dir()
    if not folder.is_dir():
        return []
    return sorted({path.stem for path in folder.iterdir() if path.suffix in (".spec", ".py")})


def saved_path(name: str) -> tuple[Path, str | None] | None:
    """(file, class name or None) of a saved design, or None when there is none."""
    if not valid_name(name):
        return None
    folder = library_dir()
    spec = folder / f"{name}.spec"
    if spec.is_file():
        return spec, None
    python = folder / f"{name}.py"
    if python.is_file():
        marker = folder / f"{name}.class"
        class_name = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
        return python, class_name or None
    return None


def save_spec(name: str, text: str) -> Path:
    """Save a SPEC under `name` (replacing an earlier design of that name)."""
    folder = _prepare(name)
    target = folder / f"{name}.spec"
    with atomic_path(target) as temporary:
        temporary.write_text(text.strip() + "\n", encoding="utf-8")
    return target


def save_file(name: str, source: Path, class_name: str | None) -> Path:
    """Copy a Python file into the library under `name`."""
    folder = _prepare(name)
    target = folder / f"{name}.py"
    with atomic_path(target) as temporary:
        shutil.copyfile(source, temporary)
    marker = folder / f"{name}.class"
    if class_name:
        marker.write_text(class_name + "\n", encoding="utf-8")
    elif marker.exists():
        marker.unlink()
    return target


def _prepare(name: str) -> Path:
    if not valid_name(name):
        raise LibraryError(
            f"{name!r} cannot name a design: use letters, digits, '-', '_' or '.', "
            "up to 64 characters, not ending in .py or .spec."
        )
    folder = library_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in (".spec", ".py", ".class"):
        (folder / f"{name}{suffix}").unlink(missing_ok=True)
    return folder
