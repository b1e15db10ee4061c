"""The monitor workspace (not built yet: it says so instead of pretending)."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.workspace_screen import ComingPanel, WorkspaceScreen


class MonitorScreen(WorkspaceScreen):
    """Placeholder until issue 6 lands."""

    WORKSPACE = "monitor"

    def compose_body(self) -> ComposeResult:
        yield ComingPanel("monitor", 6)
