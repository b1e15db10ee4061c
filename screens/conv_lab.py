"""The conv_lab workspace (not built yet: it says so instead of pretending)."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.workspace_screen import ComingPanel, WorkspaceScreen


class ConvLabScreen(WorkspaceScreen):
    """Placeholder until issue 3 lands."""

    WORKSPACE = "conv_lab"

    def compose_body(self) -> ComposeResult:
        yield ComingPanel("conv_lab", 3)
