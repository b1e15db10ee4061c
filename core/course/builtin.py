"""The built-in packs (data/packs/*.toml): the course's own sheets, found by name."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from core.assets import DATA_DIR
from core.course.kinds import PackError
from core.course.pack import Pack, load_pack

PACKS_DIR = DATA_DIR / "packs"
CONV_PACK = "a-convolution"
"""The pack whose conv tasks are the Conv lab's presets (F2 …) and `cnn-tui conv --preset`."""
CALC_PACK = "b-shapes"
"""The pack whose calc and summary tasks are the Calculators' exercises (F7 …)."""


def builtin_names() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in PACKS_DIR.glob("*.toml")))


@cache
def builtin_pack(name: str) -> Pack:
    path = PACKS_DIR / f"{name}.toml"
    if not path.is_file():
        raise PackError(
            f"There is no built-in pack {name!r}; choose one of {', '.join(builtin_names())}, "
            "or give a pack file."
        )
    return load_pack(path)


def open_pack(name_or_path: str | Path) -> Pack:
    """A pack file, or a built-in pack by name (a file of that name wins)."""
    path = Path(name_or_path)
    if path.is_file() or path.suffix == ".toml" or len(path.parts) > 1:
        if not path.is_file():
            raise PackError(f"{path}: there is no such file.")
        return load_pack(path)
    return builtin_pack(str(name_or_path))
