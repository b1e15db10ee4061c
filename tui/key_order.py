"""Keys act in the order they were typed, across focus changes and field key bindings.

Textual's App hands a key to the focused widget by posting it to that widget's queue; a key
the widget does not take itself (Tab, End, ctrl+u: key bindings) comes back to the App's queue
and its binding runs only then, behind every key typed after it. In a burst (a fast typist,
a paste, keys queued by a slow terminal) ctrl+u then `3` cleared the `3`, and the keys after
Tab landed in the field Tab was leaving. Here the App runs Tab when it reads the key, before it
reads the next one; a text field's own bindings (Backspace, ctrl+u, End, Enter) run from the
field's queue, so they act after the characters typed before them and before those after.

Escape and a key that reach the terminal reader together arrive as one key (alt+2 reads as
`™`, alt+x as alt+x with the character x), which a field would type; here they are Escape and
then the key, as typed.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.widgets import Input, TextArea

from tui.workspace_screen import WorkspaceScreen

FOCUS_KEYS = ("tab", "shift+tab")
BOUND_KEY_WAIT_S = 1.0
"""The longest the App waits for a text field to run a key's binding before reading on."""

ESCAPE_DIGITS = {"¡": "1", "™": "2", "£": "3", "¢": "4", "∞": "5", "§": "6", "¶": "7", "•": "8"}
ESCAPE_DIGITS |= {"ª": "9", "º": "0"}
"""What Textual reads for Escape and a digit that reach it together (one write: typed within
its escape delay, or bunched on the way over SSH): the characters macOS types for Option+digit.
Escape and a letter read as alt+letter."""


def escape_then(event: events.Key) -> str | None:
    """The key typed right after Escape when Escape and that key were read as one, else None."""
    character = event.character or ""
    if len(character) != 1:
        return None
    if character in ESCAPE_DIGITS:
        return ESCAPE_DIGITS[character]
    if event.key.startswith("alt+") and character.isascii() and character.isalnum():
        return character
    return None


class OrderedKeys:
    """App mixin: bindings of the focused widget, and Tab, act in typing order."""

    def opens_workspace(self, key: str) -> bool:
        """Whether `key` opens a workspace now (the App says; a focused field keeps its digits).
        Run as it is read, the switch is done before the keys typed after it are read: they
        reach the workspace's arrival focus instead of the screen that is being left."""
        return False

    def binding_first(self, key: str) -> bool:
        """Whether `key` is one the focused widget of a workspace leaves to a binding (never
        types itself); dialogs and the command palette keep Textual's own order."""
        focused = self.focused
        if focused is None or not isinstance(self.screen, WorkspaceScreen):
            return False
        if key in FOCUS_KEYS:
            return not (isinstance(focused, TextArea) and focused.tab_behavior == "indent")
        return key in focused._bindings.key_to_bindings

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            typed = escape_then(event)
            if typed is not None:  # Escape, then the key: never a character in a field
                await self.on_event(events.Key("escape", "\x1b"))
                await self.on_event(events.Key(typed, typed))
                return
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and self.screen.maximized is None
            and self.opens_workspace(event.key)
            and await self._check_bindings(event.key)
        ):
            return  # the workspace is open (its arrival focus set) before the next key is read
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and self.screen.maximized is None
            and self.binding_first(event.key)
        ):
            focused = self.focused
            if isinstance(focused, (Input, TextArea)) and event.key not in FOCUS_KEYS:
                # Backspace, ctrl+u, End, Enter act on the field's text: run them in the
                # field's own queue, behind the characters typed before them, and read the
                # next key only once they ran: an Enter that moves the focus (a form field
                # solved, an answer checked) hands the keys typed after it to the new focus.
                ran = asyncio.Event()
                focused.call_later(self._bound_in_order, event, ran)
                try:
                    await asyncio.wait_for(ran.wait(), BOUND_KEY_WAIT_S)
                except TimeoutError:
                    pass  # an action that waits for the App itself: read on rather than hang
                return
            if await self._check_bindings(event.key, priority=True) or await self._check_bindings(
                event.key
            ):
                return
        await super().on_event(event)

    async def _bound_in_order(self, event: events.Key, ran: asyncio.Event) -> None:
        """A text field's binding, run from the field's queue (the key goes on to the field
        when no binding takes it after all); `ran` is set once it has run."""
        try:
            if not (
                await self._check_bindings(event.key, priority=True)
                or await self._check_bindings(event.key)
            ):
                await super().on_event(event)
        finally:
            ran.set()
