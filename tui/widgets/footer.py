"""A footer that always shows `esc Home` first, the key a lost user needs, at any width."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer

HOME_ACTION = "home"
"""The app's action behind Escape (tui.app's priority binding)."""


class HomeFirstFooter(Footer):
    """Textual's footer with the Home key moved to the front, so a narrow terminal cuts a
    workspace's own keys (still listed in F1 help) instead of the way home.

    Textual rebuilds a footer's keys whenever a screen refreshes its bindings, changed or not:
    30–120 ms on the Monitor, once per key that moves the runs table's cursor, and the next
    key waits for it. This footer is rebuilt only when its keys change; when only whether a
    key is enabled (or its tooltip) changes, the keys shown are updated in place."""

    _keys: Any = None  # which keys are shown, as last built
    _states: dict[tuple[str, str], tuple[bool, str]] | None = None  # (key, action) → state

    def _showing(self) -> tuple[Any, dict[tuple[str, str], tuple[bool, str]]]:
        """Which keys the footer shows, and the state of each plain (ungrouped) one."""
        keys: list[tuple[Any, ...]] = []
        states: dict[tuple[str, str], tuple[bool, str]] = {}
        palette = self.app.COMMAND_PALETTE_BINDING
        for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items():
            shown = (key, binding.action, binding.description, binding.show, binding.group)
            keys.append((*shown, self.app.get_key_display(binding)))
            if binding.group is None and key != palette:
                states.setdefault((binding.key, binding.action), (enabled, tooltip))
            else:  # grouped keys and the palette's: any change rebuilds
                keys.append((enabled, tooltip, binding.tooltip))
        return (tuple(keys), self.compact, self.show_command_palette), states

    async def recompose(self) -> None:
        """Textual fills the footer by recomposing it whenever the bindings change; the Home
        key is moved to the front in the same batch, so no frame shows it elsewhere."""
        if not self.is_attached:
            return
        keys, states = self._showing()
        if self.children and keys == self._keys:
            if states != self._states:
                self._update_states(states)
            return
        async with self.batch():
            await super().recompose()
            home = next(
                (key for key in self.children if getattr(key, "action", None) == HOME_ACTION),
                None,
            )
            if home is not None and self.children.index(home) > 0:
                self.move_child(home, before=0)
        self._keys, self._states = (keys, states) if self.children else (None, None)

    def _update_states(self, states: dict[tuple[str, str], tuple[bool, str]]) -> None:
        """Dim or undim the keys shown, as Textual's footer would have built them."""
        for shown in self.children:
            state = states.get((getattr(shown, "key", ""), getattr(shown, "action", "")))
            if state is None or shown.has_class("-command-palette"):
                continue
            enabled, tooltip = state
            shown._disabled = not enabled  # type: ignore[attr-defined]  # consulted on a click
            shown.set_class(not enabled, "-disabled")
            shown.tooltip = tooltip or None
        self._states = states
