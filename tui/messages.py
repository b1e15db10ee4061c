"""Messages shared across screens (widget-local messages live inside their widgets)."""

from __future__ import annotations

from textual.message import Message


class WorkspaceRequested(Message):
    """Sent when a widget asks the app to open a workspace by its id."""

    def __init__(self, workspace_id: str) -> None:
        super().__init__()
        self.workspace_id = workspace_id
