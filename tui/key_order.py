"""Keys act in the order they were typed, across focus changes and field key bindings.

Textual's App hands a key to the focused widget by posting it to that widget's queue; a key
the widget does not take itself (Tab, End, ctrl+u: key bindings) comes back to the App's queue
and its binding runs only then, behind every key typed after it. In a burst (a fast typist,
a paste, keys queued by a slow terminal) ctrl+u then `3` cleared the `3`, and the keys after
Tab landed in the field Tab was leaving. Here the App runs such a binding when it reads the key,
before it reads the next one.
"""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from tui.workspace_screen import WorkspaceScreen

FOCUS_KEYS = ("tab", "shift+tab")


class OrderedKeys:
    """App mixin: bindings of the focused widget, and Tab, act in typing order."""

    def binding_first(self, key: str) -> bool:
        """Whether `key` is one the focused widget of a workspace leaves to a binding (never
        types itself); dialogs and the command palette keep Textual's own order."""
        focused = self.focused
        if focused is None or not isinstance(self.screen, WorkspaceScreen):
            return False
        if key in getattr(focused, "KEYS_IN_QUEUE", ()):
            return False  # the widget runs it itself, behind the characters queued before it
        if key in FOCUS_KEYS:
            return not (isinstance(focused, TextArea) and focused.tab_behavior == "indent")
        return key in focused._bindings.key_to_bindings

    async def on_event(self, event: events.Event) -> None:
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and self.screen.maximized is None
            and self.binding_first(event.key)
            and (
                await self._check_bindings(event.key, priority=True)
                or await self._check_bindings(event.key)
            )
        ):
            return
        await super().on_event(event)
