"""The cnn-tui App: workspace registry, global keys, help and the command palette.

Workspaces are Textual modes created on first visit, so the first frame only imports
Home; no screen module may import torch at import time.
"""

from __future__ import annotations

import asyncio
import os
from functools import partial

from textual.app import App
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import (
    Checkbox,
    Input,
    OptionList,
    RadioButton,
    RadioSet,
    Select,
    Switch,
    TextArea,
)
from textual.worker import WorkerFailed

from tui.collector import Collector
from tui.commands_palette import TopMatchPalette, WorkspaceCommands
from tui.config import AppConfig
from tui.daemon_executor import DaemonExecutor
from tui.help_screen import HelpScreen
from tui.key_order import OrderedKeys
from tui.messages import WorkspaceRequested
from tui.workspace_screen import WorkspaceScreen
from tui.workspaces import BY_ID, WORKSPACES

WORKSPACE_KEYS = frozenset(w.key for w in WORKSPACES)

FORM_FIELDS = (Input, TextArea, Select, Checkbox, RadioButton, RadioSet, Switch)
"""Focused widgets that own the digit keys; Escape (`action_home`) still leads home from them."""


def is_open_dropdown(widget: Widget | None) -> bool:
    """Whether `widget` is a Select's open list (an OptionList inside the Select: Textual's
    own class for it is private)."""
    return isinstance(widget, OptionList) and isinstance(widget.parent, Select)


def is_form_field(widget: Widget | None) -> bool:
    """Whether the focused `widget` owns the digit keys (a field, or a dropdown's open list)."""
    return isinstance(widget, FORM_FIELDS) or is_open_dropdown(widget)


def _home_screen():
    from tui.home_screen import HomeScreen

    return HomeScreen()


class CnnTuiApp(OrderedKeys, App[None]):
    """The terminal workbench; `make_app` builds it for the CLI and the tests alike."""

    CSS_PATH = ["global.tcss", "app.tcss"]
    TITLE = "cnn-tui"
    MODES = {"home": _home_screen} | {w.id: partial(w.load) for w in WORKSPACES}
    """Home plus one mode per workspace; each screen keeps its state while you are away."""
    DEFAULT_MODE = "home"
    COMMANDS = App.COMMANDS | {WorkspaceCommands}
    """The palette reaches every workspace and help, beside Textual's own commands."""

    BINDINGS = [
        Binding(
            "escape",
            "home",
            "Home",
            tooltip="Back to the list of workspaces; every field keeps its value.",
            priority=True,
            id="home",
        ),
        Binding("f1", "help", "Help", tooltip="Keys and how this workspace works.", id="help"),
        Binding("question_mark", "help", "Help", show=False),
        *(
            Binding(w.key, f"workspace('{w.id}')", w.title, show=False, id=f"open-{w.id}")
            for w in WORKSPACES
        ),
    ]
    """Escape goes Home from any widget of a workspace, F1/? help, 1-7 open a workspace (a
    focused form field keeps its digits). Escape is a priority binding: it acts before the
    focused widget sees the key, so a digit typed right after it can never reach a field."""

    def __init__(self, config: AppConfig | None = None) -> None:
        config = config or AppConfig()  # `textual run --dev tui.app:CnnTuiApp` makes it without one
        if config.truecolor:
            os.environ["COLORTERM"] = "truecolor"
        super().__init__()
        self.config = config
        self.collector = Collector()  # the garbage collector's pace while the app runs
        self.truecolor_forced = config.truecolor
        self.worker_errors: list[BaseException] = []  # failures of background workers, shown
        theme = config.theme or _saved_theme()
        if theme and (theme in self.available_themes or config.theme):
            self.theme = theme

    def _handle_exception(self, error: Exception) -> None:
        """An exception escaping a background worker is shown and the app runs on (the worker
        has stopped; reopening its workspace starts it again); anything else is a crash, and
        the app exits with code 1."""
        if isinstance(error, WorkerFailed):
            cause = error.error
            self.worker_errors.append(cause)
            self.log.error(f"worker failed: {cause!r}")
            self.notify(
                f"A background task failed: {type(cause).__name__}: {cause}. The app runs on; "
                "reopen the workspace to retry, and please report it.",
                title="Background task failed",
                severity="error",
                timeout=15,
            )
            return
        super()._handle_exception(error)

    def on_mount(self) -> None:
        self.collector.start()
        self.theme_changed_signal.subscribe(self, _remember_theme)
        # thread workers run on daemon threads: quitting never waits for one still computing
        asyncio.get_running_loop().set_default_executor(DaemonExecutor())
        if self.config.start != "home":
            self.action_workspace(self.config.start)

    def on_unmount(self) -> None:
        self.collector.stop()

    def opens_workspace(self, key: str) -> bool:
        """A workspace's key, pressed on Home or a workspace with no form field focused."""
        from tui.home_screen import HomeScreen

        return (
            key in WORKSPACE_KEYS
            and isinstance(self.screen, (WorkspaceScreen, HomeScreen))
            and not is_form_field(self.focused)
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Digits belong to a focused form field (a dropdown, a checkbox), not to navigation;
        Escape first closes what is open (a drop-down, a dialog, help, the palette)."""
        if action == "workspace" and is_form_field(self.focused):
            return False
        if action == "home":
            return self.escape_leads_home()
        return True

    def escape_leads_home(self) -> bool:
        """Whether Escape goes Home now: on a workspace with nothing open over it."""
        screen = self.screen
        return (
            isinstance(screen, WorkspaceScreen)
            and not is_open_dropdown(self.focused)
            and screen.maximized is None
        )

    async def action_home(self) -> None:
        """Go Home from any widget, and only then read the next key (it may be a digit)."""
        switching = self.action_workspace("home")
        if switching is not None:
            await switching

    def action_workspace(self, workspace_id: str) -> AwaitComplete | None:
        """Open a workspace (or "home"); unknown ids are reported, not raised.

        As a key's action the switch is awaited, so keys typed next reach the new screen.
        """
        if workspace_id != "home" and workspace_id not in BY_ID:
            self.notify(f"No workspace called {workspace_id!r}.", severity="error")
            return None
        if self.current_mode != workspace_id:
            return self.switch_mode(workspace_id)
        return None

    async def on_workspace_requested(self, message: WorkspaceRequested) -> None:
        """Open the requested workspace, then hand its screen the message that came along."""
        if self.current_mode != message.workspace_id:
            await self.switch_mode(message.workspace_id)
        if message.then is not None:
            self.screen.post_message(message.then)

    def action_command_palette(self) -> None:
        """ctrl+p: the palette whose Enter runs the top match, however fast it is typed."""
        if self.use_command_palette and not TopMatchPalette.is_open(self):
            self.push_screen(TopMatchPalette(id="--command-palette"))

    def action_help(self) -> None:
        """Open help for the workspace on screen."""
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.current_mode))


def _saved_theme() -> str | None:
    """The theme last chosen with ctrl+p (settings.toml `theme`); None when unset or unreadable."""
    from core.settings import SettingsError, load_settings

    try:
        return load_settings().theme
    except SettingsError:
        return None


def _remember_theme(theme) -> None:
    """Save a theme chosen in the app, so the next start uses it."""
    from core.settings import save_theme

    try:
        save_theme(theme.name)
    except OSError:
        pass  # a read-only home only loses the preference


def make_app(config: AppConfig | None = None) -> CnnTuiApp:
    """The one factory used by `cnn-tui` and by the tests."""
    return CnnTuiApp(config or AppConfig())
