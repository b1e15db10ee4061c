"""Augmentation lists as users type them (`flip,crop` or `none`), checked without torch."""

from __future__ import annotations

from core.errors import UserError


def parse_augment_names(text: str, allowed: tuple[str, ...]) -> set[str]:
    """The names in a comma-separated list (`none` means no augmentation); unknown ones raise."""
    names = {name.strip() for name in text.split(",") if name.strip()} - {"none"}
    unknown = sorted(names - set(allowed))
    if unknown:
        raise UserError(
            f"Unknown augmentation {', '.join(unknown)}: use any of "
            f"{','.join(allowed)} (comma-separated) or none."
        )
    return names
