"""A footer that always shows `esc Home` first, the key a lost user needs, at any width."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HOME_ACTION = "home"
"""The app's action behind Escape (tui.app's priority binding)."""


class HomeFirstFooter(Footer):
    """Textual's footer with the Home key moved to the front, so a narrow terminal cuts a
    workspace's own keys (still listed in F1 help) instead of the way home."""

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        home = next(
            (
                active
                for active in self.screen.active_bindings.values()
                if active.binding.show and active.binding.action == HOME_ACTION
            ),
            None,
        )
        if home is not None:
            yield FooterKey(
                home.binding.key,
                self.app.get_key_display(home.binding),
                home.binding.description,
                home.binding.action,
                disabled=not home.enabled,
                tooltip=home.tooltip,
            ).data_bind(compact=Footer.compact)
        for widget in super().compose():
            if home is not None and isinstance(widget, FooterKey) and widget.action == HOME_ACTION:
                continue
            yield widget
