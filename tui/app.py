"""The cnn-tui App: workspace registry, global keys, help and the command palette.

Workspaces are Textual modes created on first visit, so the first frame only imports
Home; no screen module may import torch at import time.
"""

from __future__ import annotations

import os
from functools import partial

from textual.app import App
from textual.binding import Binding
from textual.widgets import Input, RadioSet, Select, Switch, TextArea
from textual.widgets._select import SelectOverlay
from textual.widgets._toggle_button import ToggleButton

from tui.commands_palette import WorkspaceCommands
from tui.config import AppConfig
from tui.help_screen import HelpScreen
from tui.messages import WorkspaceRequested
from tui.workspaces import BY_ID, WORKSPACES

FORM_FIELDS = (Input, TextArea, Select, SelectOverlay, ToggleButton, RadioSet, Switch)
"""Focused widgets that own the digit keys; Escape still leads home from them."""


def _home_screen():
    from tui.home_screen import HomeScreen

    return HomeScreen()


class CnnTuiApp(App[None]):
    """The terminal workbench; `make_app` builds it for the CLI and the tests alike."""

    CSS_PATH = ["global.tcss", "app.tcss"]
    TITLE = "cnn-tui"
    MODES = {"home": _home_screen} | {w.id: partial(w.load) for w in WORKSPACES}
    """Home plus one mode per workspace; each screen keeps its state while you are away."""
    DEFAULT_MODE = "home"
    COMMANDS = App.COMMANDS | {WorkspaceCommands}
    """The palette reaches every workspace and help, beside Textual's own commands."""

    BINDINGS = [
        Binding("f1", "help", "Help", tooltip="Keys and how this workspace works.", id="help"),
        Binding("question_mark", "help", "Help", show=False),
        *(
            Binding(w.key, f"workspace('{w.id}')", w.title, show=False, id=f"open-{w.id}")
            for w in WORKSPACES
        ),
    ]
    """F1/? help, 1-7 open a workspace (inputs keep their digits)."""

    def __init__(self, config: AppConfig) -> None:
        if config.truecolor:
            os.environ["COLORTERM"] = "truecolor"
        super().__init__()
        self.config = config
        self.truecolor_forced = config.truecolor
        if config.theme:
            self.theme = config.theme

    def on_mount(self) -> None:
        if self.config.start != "home":
            self.action_workspace(self.config.start)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Digits belong to a focused form field (a dropdown, a checkbox), not to navigation."""
        if action == "workspace" and isinstance(self.focused, FORM_FIELDS):
            return False
        return True

    def action_workspace(self, workspace_id: str) -> None:
        """Open a workspace (or "home"); unknown ids are reported, not raised."""
        if workspace_id != "home" and workspace_id not in BY_ID:
            self.notify(f"No workspace called {workspace_id!r}.", severity="error")
            return
        if self.current_mode != workspace_id:
            self.switch_mode(workspace_id)

    async def on_workspace_requested(self, message: WorkspaceRequested) -> None:
        """Open the requested workspace, then hand its screen the message that came along."""
        if self.current_mode != message.workspace_id:
            await self.switch_mode(message.workspace_id)
        if message.then is not None:
            self.screen.post_message(message.then)

    def action_help(self) -> None:
        """Open help for the workspace on screen."""
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.current_mode))


def make_app(config: AppConfig | None = None) -> CnnTuiApp:
    """The one factory used by `cnn-tui` and by the tests."""
    return CnnTuiApp(config or AppConfig())
