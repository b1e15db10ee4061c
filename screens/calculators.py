"""The calculators workspace (not built yet: it says so instead of pretending)."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.workspace_screen import ComingPanel, WorkspaceScreen


class CalculatorsScreen(WorkspaceScreen):
    """Placeholder until issue 4 lands."""

    WORKSPACE = "calculators"

    def compose_body(self) -> ComposeResult:
        yield ComingPanel("calculators", 4)
