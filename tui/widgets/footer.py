"""A footer that always shows `esc Home` first, the key a lost user needs, at any width."""

from __future__ import annotations

from textual.widgets import Footer

HOME_ACTION = "home"
"""The app's action behind Escape (tui.app's priority binding)."""


class HomeFirstFooter(Footer):
    """Textual's footer with the Home key moved to the front, so a narrow terminal cuts a
    workspace's own keys (still listed in F1 help) instead of the way home."""

    async def recompose(self) -> None:
        """Textual fills the footer by recomposing it whenever the bindings change; the Home
        key is moved to the front in the same batch, so no frame shows it elsewhere."""
        async with self.batch():
            await super().recompose()
            home = next(
                (key for key in self.children if getattr(key, "action", None) == HOME_ACTION),
                None,
            )
            if home is not None and self.children.index(home) > 0:
                self.move_child(home, before=0)
