"""The Sheet: a course pack's tasks, their points and status (not started / attempted /
correct, saved per user and pack so they survive a restart). Enter opens the task's workspace
preloaded; answers are typed there or here, and checked as in the workspaces."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.widgets import DataTable, Input, Label, Static

from core.course.builtin import builtin_names, open_pack
from core.course.kinds import KINDS
from core.course.pack import Pack, Task
from core.course.progress import CORRECT, load_progress, progress_file, record, task_status
from core.course.solve import answer_checked
from core.course.train_target import has_target, target_text
from core.errors import UserError
from tui.messages import OpenCourse, OpenTask, WorkspaceRequested
from tui.workspace_screen import WorkspaceScreen

STATUS_MARKS = {"not started": "·", "attempted": "✗", "correct": "✓"}
COLUMNS = ("", "task", "points", "status", "kind", "title")


class AnswerInput(Input):
    """The Sheet's answer box: Enter checks at once (`SheetScreen.action_check_answer`), not
    through a message handled behind the keys typed after it."""

    BINDINGS = [Binding("enter", "screen.check_answer", "Check", show=False, tooltip="Check.")]


class TaskTable(DataTable):
    """The tasks: `a` and `o` are its own keys, so the box they focus has focus before the next
    key is read (as the screen's keys they ran behind the keys typed after them, and a fast
    typist's answer went to the table: its Enter opened the task's workspace)."""

    BINDINGS = [
        Binding("a", "screen.answer", "Answer", tooltip="Type this task's answer (Enter checks)."),
        Binding("o", "screen.open_course", "Open course", tooltip="Open another pack."),
    ]


class SheetScreen(WorkspaceScreen):
    """Any course's exercise sheet, with checking and saved progress."""

    WORKSPACE = "sheet"
    CSS_PATH = "sheet.tcss"

    BINDINGS = [
        Binding("a", "answer", "Answer", tooltip="Type this task's answer (Enter checks)."),
        Binding("d", "done", "Mark done", tooltip="Mark a task without a computed answer done."),
        Binding("o", "open_course", "Open course", tooltip="Open another pack."),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pack: Pack | None = None
        self.progress: dict[str, dict] = {}  # task id → saved answer and status
        self.solved: dict[str, object] = {}  # task id → SolvedTask, solved on first check

    def compose_body(self) -> ComposeResult:
        yield Static(id="sheet-title")
        yield TaskTable(id="sheet-tasks", cursor_type="row", zebra_stripes=True)
        yield Static(id="sheet-task")
        with HorizontalGroup(classes="sheet-row", id="answer-row"):
            yield Label("your answer")
            yield AnswerInput(
                id="sheet-answer", compact=True, placeholder="as in the app; Enter checks"
            )
        with HorizontalGroup(classes="sheet-row", id="course-row"):
            yield Label("course pack")
            yield Input(
                id="sheet-source",
                compact=True,
                placeholder=f"a pack file or a built-in name: {', '.join(builtin_names())}",
            )
        yield Static(id="sheet-status")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#sheet-tasks", DataTable).add_columns(*COLUMNS)
        if self.app.config.course:
            self.open(self.app.config.course)
        else:
            self.show_empty()

    def on_screen_resume(self) -> None:
        self.refresh_tasks()  # answers checked in a workspace since

    # -- the pack ------------------------------------------------------------------------
    def on_open_course(self, message: OpenCourse) -> None:
        self.open(message.source)

    def open(self, source: str) -> None:
        try:
            pack = open_pack(source)
        except UserError as error:
            self.set_status(str(error), error=True)
            return
        self.pack, self.solved = pack, {}
        self.query_one("#course-row").display = False
        self.query_one("#answer-row").display = True
        self.refresh_tasks()
        self.set_focus(self.query_one("#sheet-tasks", DataTable))
        self.set_status(f"Progress is saved in {progress_file(pack)}.")

    def show_empty(self) -> None:
        self.query_one("#sheet-title", Static).update(
            "[b]No course open.[/b] Type a pack file or a built-in pack's name below "
            "(or start [b]cnn-tui --course PACK[/b])."
        )
        self.query_one("#answer-row").display = False
        self.query_one("#course-row").display = True
        self.set_focus(self.query_one("#sheet-source", Input))

    def refresh_tasks(self) -> None:
        if self.pack is None:
            return
        progress = self.progress = load_progress(self.pack)
        table = self.query_one("#sheet-tasks", DataTable)
        row = table.cursor_row
        table.clear()
        earned = 0.0
        for task in self.pack.tasks:
            status = task_status(progress, task.id)
            earned += task.points if status == CORRECT else 0
            table.add_row(
                STATUS_MARKS[status],
                Text(task.id),
                Text(f"{task.points:g}", justify="right"),
                status,
                task.kind,
                Text(task.title),  # titles are plain text, never markup
                key=task.id,
            )
        table.move_cursor(row=min(max(row, 0), len(self.pack.tasks) - 1))
        self.query_one("#sheet-title", Static).update(
            f"[b]{escape(self.pack.title)}[/b]   {earned:g} of {self.pack.max_points:g} points · "
            f"{len(self.pack.tasks)} tasks"
        )
        self.show_task()

    def current(self) -> Task | None:
        if self.pack is None or not self.pack.tasks:
            return None
        row = self.query_one("#sheet-tasks", DataTable).cursor_row
        return self.pack.tasks[min(max(row, 0), len(self.pack.tasks) - 1)]

    def show_task(self) -> None:
        task = self.current()
        if task is None:
            return
        if has_target(task):
            how = f"Target: {target_text(task)}. Enter opens Train; then type your run's id (a)."
        elif answer_checked(task):
            how = "Enter opens it in the workspace; type your answer there or below (a)."
        else:
            how = "Enter opens it in the workspace; press d when you have done it."
        text = task.text.strip() or task.title
        self.query_one("#sheet-task", Static).update(
            f"[b]{escape(task.id)}[/b] · {escape(text)}\n[dim]{how}[/dim]"
        )
        saved = self.progress.get(task.id, {}).get("answer", "")
        self.query_one("#sheet-answer", Input).value = "" if saved == "done" else str(saved)

    @on(DataTable.RowHighlighted, "#sheet-tasks")
    def _highlighted(self) -> None:
        self.show_task()

    @on(DataTable.RowSelected, "#sheet-tasks")
    def _selected(self) -> None:
        task = self.current()
        if task is None or self.pack is None:
            return
        workspace = KINDS[task.kind].workspace
        self.app.post_message(WorkspaceRequested(workspace, OpenTask(self.pack, task, quiz=True)))

    # -- answers -------------------------------------------------------------------------
    def action_check_answer(self) -> None:
        """Enter in the answer box: checked, and the task list focused, before the next key is
        read (so `down` typed right behind Enter moves to the next task)."""
        answer = self.query_one("#sheet-answer", Input).value
        task = self.current()
        if task is None or self.pack is None or not answer.strip():
            return
        if not answer_checked(task):
            self.set_status("This task has no computed answer: press d when you have done it.")
            return
        from core.course.solve import solve_task

        try:
            if task.id not in self.solved:
                self.solved[task.id] = solve_task(task, self.app.config.runs_dir)
            mark = self.solved[task.id].check(answer)
        except UserError as error:
            self.set_status(str(error), error=True)
            return
        record(self.pack, task.id, answer, mark.status == CORRECT)
        self.refresh_tasks()
        if mark.status == CORRECT:
            self.set_status(f"{task.id}: correct — {mark.points:g} points.")
        else:
            self.set_status(f"{task.id}: not right. {mark.diagnosis}", error=True)  # plain text
        self.set_focus(self.query_one("#sheet-tasks", DataTable))  # now, before the next key

    @on(Input.Submitted, "#sheet-source")
    def _source(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.open(event.value.strip())

    def action_answer(self) -> None:
        if self.pack is not None:
            self.set_focus(self.query_one("#sheet-answer", Input))

    def action_done(self) -> None:
        task = self.current()
        if task is None or self.pack is None:
            return
        if answer_checked(task):
            self.set_status("This task's answer is checked: type it (a) instead.", error=True)
            return
        record(self.pack, task.id, "done", True)
        self.refresh_tasks()
        self.set_status(f"{task.id}: marked done.")

    def action_open_course(self) -> None:
        self.query_one("#course-row").display = True
        self.set_focus(self.query_one("#sheet-source", Input))

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#sheet-status", Static)
        status.update(Text(text))
        status.set_class(error, "-error")
