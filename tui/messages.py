"""Messages shared across screens (widget-local messages live inside their widgets).

Workspaces never import each other: one asks the app to open another with `WorkspaceRequested`,
carrying the message the other should receive once it is on screen.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message


class WorkspaceRequested(Message):
    """Sent when a screen asks the app to open a workspace by its id, and then to hand that
    workspace's screen `then` (e.g. `ShowRun`)."""

    def __init__(self, workspace_id: str, then: Message | None = None) -> None:
        super().__init__()
        self.workspace_id = workspace_id
        self.then = then


class ShowRun(Message):
    """Sent to the Monitor when a run should be selected (a run just launched from Train), and
    the runs in `mark` marked for comparison."""

    def __init__(self, run_id: str, mark: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.run_id = run_id
        self.mark = mark


class FillFromRun(Message):
    """Sent to Train when its form should be filled from an existing run's config, to launch a
    variant of run `run_id`."""

    def __init__(self, config: dict[str, Any], run_id: str) -> None:
        super().__init__()
        self.config = config
        self.run_id = run_id


class OpenCourse(Message):
    """Sent to the Sheet when it should show a course pack (a file or a built-in name)."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source


class OpenTask(Message):
    """Sent to a workspace when it should load a course task (`core.course.pack.Task`) of
    `pack`; `quiz` asks for quiz mode where the workspace has one (answers hidden until
    checked). Answers checked there are saved to the pack's progress file."""

    def __init__(self, pack: Any, task: Any, quiz: bool = True) -> None:
        super().__init__()
        self.pack = pack
        self.task = task
        self.quiz = quiz
