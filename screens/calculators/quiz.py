"""The Calculators' quiz mode: solved values and table numbers hidden, typed and checked.

A mixin of `CalculatorsScreen`. `q` toggles it (off by default). On the Layer pane the blank
values are solved but show "?"; on the Architecture pane every layer's output shape,
parameters, receptive field and MACs and the totals show "?", and the numbers that would give
one away (weights, biases, jump, the totals line, the RF sum, the Receptive-field pane) stay
hidden until it is answered. `a` (or Enter on a blank field or a table cell) opens the answer
box for the value under the cursor; `R` reveals it, `ctrl+r` all. The state is
`core.course.calc_quiz.CalcQuiz`; answers are judged by the course solver, and a course task
opened from the Sheet is saved to the pack's progress after each entry.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.markup import escape
from textual.widgets import DataTable, Input, Label, Static, TabbedContent, TextArea

from core.course.calc_quiz import CalcQuiz, table_label, table_quiz, task_quiz
from core.course.progress import record
from core.errors import UserError
from screens.calculators.layer import LayerCalculator, NumberField
from screens.calculators.views import COLUMN_KEYS, COLUMNS
from tui.widgets.quiz_answer import QuizAnswerInput

QUIZ_BINDINGS = [
    Binding(
        "q",
        "quiz",
        "Quiz",
        priority=True,
        tooltip="Quiz mode: solved values and table numbers stay hidden until you type them.",
    ),
    Binding("a", "answer", "Answer", priority=True, tooltip="Quiz mode: type this value."),
    Binding(
        "enter", "answer_here", "Answer", priority=True, show=False, tooltip="Type this value."
    ),
    Binding("R", "reveal(False)", "Reveal", priority=True, show=False, tooltip="Show this value."),
    Binding("ctrl+r", "reveal(True)", "Reveal all", priority=True, show=False, tooltip="Show all."),
]
"""Quiz keys; they take priority over the number fields (which never type letters) and the
table, so the answer box has focus before the next key is read, and stand aside while the
SPEC editor, the input shape or the answer box has focus (Enter only acts on a number field
or the table)."""

QUIZ_KEYS = "a or Enter: type the value · R reveals it · ctrl+r reveals all · q leaves quiz mode"


class CalcQuizMixin:
    """Quiz mode for the Calculators (see the module docstring)."""

    quiz_on: bool = False
    table_quiz: CalcQuiz | None = None
    quiz_target: str | None = None  # the key the answer box checks
    course_task: tuple = ()  # (pack, task, table source or None) of a task from the Sheet

    # -- which quiz -----------------------------------------------------------------------
    def active_quiz(self) -> CalcQuiz | None:
        """The quiz of the pane shown (None off quiz mode, or on the Receptive-field pane)."""
        if not self.quiz_on:
            return None
        tab = self.query_one("#calc-tabs", TabbedContent).active
        if tab == "layer":
            return self.query_one(LayerCalculator).quiz_now()
        return self.table_quiz if tab == "architecture" else None

    def make_table_quiz(self, table, source) -> CalcQuiz | None:
        """The quiz on a newly built table: the same one while its source is unchanged, the
        course task's asked value while the task's network is shown, else every number."""
        if not self.quiz_on:
            return None
        task = None
        if self.course_task and self.course_task[2] == source[:2]:
            task = self.course_task[1]
        key = (*source, task.id if task else None)
        if self.table_quiz is not None and self.table_quiz.source == key:
            return self.table_quiz
        if task is not None:
            from core.course.solve import summary_solved

            asked = str(task.options.get("answer_for") or "total_params")
            try:
                return task_quiz(summary_solved(task, table), table_label(table, asked), key)
            except UserError:
                pass
        return table_quiz(table, {"spec": source[0], "input": source[1]}, source=key)

    def quiz_allows(self, action: str, parameters: tuple) -> bool:
        """check_action for the quiz keys: letters stay with the fields that type them."""
        focused = self.focused
        typing = isinstance(focused, TextArea) or (
            isinstance(focused, Input) and focused.type != "integer"
        )
        if action == "quiz":
            return not typing
        if isinstance(focused, AnswerBox):
            return False  # letters type; the box's own R and ctrl+r reveal, in typing order
        if action == "reveal" and parameters == (True,):
            return self.quiz_on  # ctrl+r types nothing: it works from any other field
        if action == "answer_here":  # Enter: only where it has no other use
            table = focused is not None and focused.id == "arch-table"
            return self.quiz_on and (isinstance(focused, NumberField) or table)
        return self.quiz_on and not typing

    # -- toggling ---------------------------------------------------------------------------
    def action_quiz(self) -> None:
        self.set_quiz(not self.quiz_on)

    def set_quiz(self, on: bool) -> None:
        """Quiz mode on or off (on again keeps the quizzes and what was typed)."""
        if on == self.quiz_on:
            return
        self.quiz_on = on
        self.table_quiz = None
        self.query_one("#quiz-row").display = on
        self.query_one(LayerCalculator).set_quiz(on)
        if self.table is not None:
            self.table_quiz = self.make_table_quiz(self.table, self.built_source)
            self.show_table()
        self._refresh_field()
        self.quiz_status(
            f"Quiz mode: work out each value before you see it. {QUIZ_KEYS}." if on else ""
        )
        self.refresh_bindings()

    def quiz_pane_shown(self) -> None:
        """Another pane: the answer box asks for its next hidden value."""
        quiz = self.active_quiz()
        if quiz is not None:
            self.quiz_target = quiz.next_hidden()
            self.query_one("#quiz-label", Label).update(
                f"{quiz.labels[self.quiz_target]} =" if self.quiz_target else "answer ="
            )
            self.quiz_status(f"Quiz: {quiz.score()}. {QUIZ_KEYS}.")

    # -- the answer box ---------------------------------------------------------------------
    def cursor_key(self, quiz: CalcQuiz) -> str | None:
        """The value under the cursor: the focused blank field, or the table's cell."""
        focused = self.focused
        tab = self.query_one("#calc-tabs", TabbedContent).active
        if isinstance(focused, AnswerBox) and self.quiz_target in quiz.hidden():
            return self.quiz_target  # the value the box asks for
        key = None
        if tab == "layer" and isinstance(focused, Input) and focused.id.startswith("f-"):
            key = {"f-in_size": "in", "f-out_size": "out", "f-extra": "output_padding"}.get(
                focused.id, focused.id[2:]
            )
        elif tab == "architecture" and self.table is not None:
            cell = self.query_one("#arch-table", DataTable).cursor_coordinate
            count = len(self.table.rows)
            column = COLUMN_KEYS.get(COLUMNS[min(cell.column, len(COLUMNS) - 1)])
            row = cell.row if cell.row < count else None
            key = quiz.table_key(row, column, count) if column else None
        return key if key in quiz.hidden() else quiz.next_hidden(key)

    def action_answer(self) -> None:
        """Open the answer box for the hidden value under the cursor."""
        quiz = self.active_quiz()
        if quiz is None:
            self.quiz_status("Quiz mode asks on the Layer (F2) and Architecture (F3) panes.")
            return
        self.quiz_target = self.cursor_key(quiz)
        if self.quiz_target is None:
            self.quiz_status(f"Nothing left to answer here. {quiz.score()}.")
            return
        self.show_target(quiz)
        box = self.query_one("#calc-answer", Input)
        box.value = ""
        self.set_focus(box)  # now: the keys typed right behind land in the box

    def action_answer_here(self) -> None:
        """Enter on a blank field or a table cell, in quiz mode."""
        self.action_answer()

    def show_target(self, quiz: CalcQuiz) -> None:
        label = quiz.labels[self.quiz_target] if self.quiz_target else "answer"
        self.query_one("#quiz-label", Label).update(f"{label} =")
        if self.quiz_target and self.query_one("#calc-tabs", TabbedContent).active != "layer":
            self.move_table_cursor(quiz, self.quiz_target)

    def move_table_cursor(self, quiz: CalcQuiz, key: str) -> None:
        count = len(self.table.rows)
        columns = {v: COLUMNS.index(k) for k, v in COLUMN_KEYS.items()}
        for row in [*range(count), None]:
            for column, index in columns.items():
                if quiz.table_key(row, column, count) == key:
                    table = self.query_one("#arch-table", DataTable)
                    table.move_cursor(row=count if row is None else row, column=index)
                    return

    def quiz_submit(self, text: str) -> None:
        """Check what was typed in the answer box; a right value moves on to the next."""
        quiz = self.active_quiz()
        if quiz is None or not text.strip():
            self.leave_answer_box()
            return
        key = self.quiz_target if self.quiz_target in quiz.hidden() else quiz.next_hidden()
        if key is None:
            self.leave_answer_box()
            return
        try:
            verdict = quiz.enter(key, text)
        except UserError as error:
            self.quiz_status(str(error), error=True)
            return
        self.save_quiz_progress(quiz, key, text.strip(), verdict.right)
        message = verdict.text
        if verdict.right:
            self.quiz_target = quiz.next_hidden(key)
        done = "Quiz done" if quiz.done else "Quiz"
        message += f" {done}: {quiz.score()}."
        self.quiz_status(message, error=not verdict.right)
        self.refresh_quiz(quiz)
        if quiz.done:
            self.leave_answer_box()

    def leave_answer_box(self) -> None:
        tab = self.query_one("#calc-tabs", TabbedContent).active
        self.set_focus(self.query_one("#arch-table" if tab == "architecture" else "#f-in_size"))

    def action_reveal(self, every: bool) -> None:
        quiz = self.active_quiz()
        if quiz is None:
            self.quiz_status("Reveal works in quiz mode (q), on the Layer and Architecture panes.")
            return
        if every:
            quiz.reveal_all()
            self.quiz_status(f"Every value revealed. Quiz: {quiz.score()}.")
        else:
            key = self.cursor_key(quiz)
            if key is None:
                return
            quiz.reveal(key)
            self.quiz_target = quiz.next_hidden(key)
            answer = quiz.answer(key)
            self.quiz_status(f"{quiz.labels[key]} = {answer}. Quiz: {quiz.score()}.")
        self.refresh_quiz(quiz)

    def refresh_quiz(self, quiz: CalcQuiz) -> None:
        """Show the quiz's marks on its pane, and the next value in the box's label."""
        if quiz is self.table_quiz:
            self.show_table()
            self._refresh_field()
        else:
            self.query_one(LayerCalculator).show_result()
        self.show_target(quiz)

    def quiz_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#quiz-status", Static)
        status.update(escape(text))
        status.set_class(error, "-error")

    def save_quiz_progress(self, quiz: CalcQuiz, key: str, text: str, right: bool) -> None:
        """An entry for a course task's own value is saved to the pack's progress: attempted,
        or correct once it is right."""
        if not self.course_task:
            return
        pack, task, _ = self.course_task
        if quiz.items[key].task is task:
            record(pack, task.id, text, right)


class AnswerBox(QuizAnswerInput):
    """The Calculators' answer box: Enter sends the text and empties the box at once; R and
    ctrl+r reveal (`tui.widgets.quiz_answer`)."""
