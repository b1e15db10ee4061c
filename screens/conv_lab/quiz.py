"""The Convolution lab's quiz mode: results hidden, each cell typed and checked, reveal, score.

A mixin of `ConvLabScreen`. `q` toggles it. The quizzed quantity (`w` chooses it, `k` the
kernel) is shown with "?" cells; every other computed matrix is hidden too, and the arithmetic
line appears only for cells the student has entered right or revealed. `a` (or Enter on the
matrices) opens the answer box for the cell under the cursor: one number checks that cell and
moves on to the next hidden one, a whole matrix checks every cell; `R` reveals the cell,
`ctrl+r` all of them. The state lives in `core.convlab.quiz.Quiz`, one per (quantity, kernel).
"""

from __future__ import annotations

import dataclasses

from textual.widgets import Label

from core.convlab.check import check_answer, describe
from core.convlab.matrix import fmt, parse_channels, parse_number, shape
from core.convlab.quiz import Quiz
from core.course.progress import record
from core.course.solve import conv_problem
from core.errors import UserError
from screens.conv_lab.views import Stage, step_grid
from screens.conv_lab.widgets import AnswerInput
from tui.widgets.matrix import MatrixPicture

QUIZ_VIEW = {
    "output": "forward",
    "pre_activation": "forward",
    "pooled": "pool",
    "grad_weight": "grad_weight",
    "grad_bias": "grad_weight",
    "grad_input": "grad_input",
}
"""The view that shows each quizzed quantity."""

GIVEN = ("input", "padded input", "kernel", "y (target)", "dE/do (given)")
"""Titles of pictures that show what the exercise gives (never hidden)."""

QUIZ_KEYS = "a or Enter: type the cell · R reveals it · ctrl+r reveals all · q leaves quiz mode"


class QuizMixin:
    """Quiz mode for the Convolution lab (see the module docstring)."""

    quiz_on: bool
    quizzes: dict[tuple[str, int], Quiz]

    @property
    def quiz(self) -> Quiz | None:
        """The quiz of the current quantity and kernel (made on first use), in quiz mode."""
        if not self.quiz_on or self.solution is None:
            return None
        key = (self.answer_for, self.kernel)
        if key not in self.quizzes:
            kernel = 0 if self.answer_for == "grad_input" else self.kernel
            try:
                self.quizzes[key] = Quiz(self.solution, self.answer_for, kernel)
            except UserError as error:
                self.set_status(str(error), error=True)
                return None
        return self.quizzes[key]

    def reset_quizzes(self) -> None:
        """The exercise changed: every quiz starts again (nothing of the old one applies)."""
        self.quizzes = {}

    def action_quiz(self) -> None:
        self.quiz_on = not self.quiz_on
        self.autograd = None
        if self.quiz_on:
            self.enter_quiz_view()
            self.set_status(f"Quiz mode: work out each cell before you see it. {QUIZ_KEYS}.")
        else:
            self.set_status("Quiz mode off: results show as you step.")
        self.refresh_params()
        self.refresh_stage()

    def enter_quiz_view(self) -> None:
        """Show the quizzed quantity's view, cursor on its first hidden cell."""
        quiz = self.quiz
        if quiz is None:
            return
        self.view = QUIZ_VIEW[quiz.quantity]
        self.move_to_hidden(0)

    def quiz_cell(self, cursor: int) -> tuple[int, int, int] | None:
        """The quiz cell under the cursor (None: the view does not show the quiz's cells)."""
        quiz = self.quiz
        if quiz is None or quiz.quantity == "grad_bias":
            return (0, 0, 0) if quiz is not None else None
        rows, cols = step_grid(self.solution, self.view, self.kernel)
        plane_rows = len(quiz.truth[0])
        cursor = max(0, min(cursor, rows * cols - 1))
        row, j = divmod(cursor, cols)
        c, i = divmod(row, plane_rows)
        return (c, i, j)

    def move_to_hidden(self, start: int) -> None:
        """Put the cursor on the first hidden cell at or after `start` (wrapping)."""
        quiz = self.quiz
        if quiz is None or quiz.quantity == "grad_bias":
            return
        hidden = quiz.hidden()
        rows, cols = step_grid(self.solution, self.view, self.kernel)
        total = rows * cols
        for offset in range(total):
            cursor = (start + offset) % total
            if self.quiz_cell(cursor) in hidden:
                self.cursor = cursor
                return
        self.cursor = min(start, total - 1)

    def quiz_stage(self, shown: Stage) -> Stage:
        """`shown` with every result hidden except what the student has earned."""
        quiz = self.quiz
        if quiz is None:
            return shown
        cell = self.quiz_cell(self.cursor)
        hidden = quiz.hidden()
        pictures = []
        for picture in shown.pictures:
            if picture.title.startswith(GIVEN):
                pictures.append(picture)
            elif self._is_quiz_picture(picture, quiz):
                pictures.append(self._quiz_picture(picture, quiz, cell[0] if cell else 0))
            else:
                every = frozenset(
                    (i, j) for i, row in enumerate(picture.values) for j in range(len(row))
                )
                pictures.append(
                    dataclasses.replace(picture, hidden=every, window=frozenset(), hidden_mark="?")
                )
        name = quiz.name(cell) if cell else quiz.quantity
        arithmetic = shown.arithmetic
        if cell is None or cell in hidden:
            arithmetic = f"{name} = ?   {QUIZ_KEYS}"
        where = f"{shown.where} · quiz: {quiz.score()}"
        self.query_one("#answer-label", Label).update(self.quiz_label() or "")
        return dataclasses.replace(
            shown, pictures=tuple(pictures), arithmetic=arithmetic, where=where, history=()
        )

    def _is_quiz_picture(self, picture: MatrixPicture, quiz: Quiz) -> bool:
        title = picture.title
        return {
            "output": title.startswith(("output (", "pre-activation (")),
            "pre_activation": title.startswith(("output (", "pre-activation (")),
            "pooled": title.endswith(" pooled"),
            "grad_weight": title.startswith("dE/dw"),
            "grad_input": title.startswith("dE/dx"),
        }.get(quiz.quantity, False)

    def _quiz_picture(self, picture: MatrixPicture, quiz: Quiz, channel: int) -> MatrixPicture:
        """The quiz's own matrix: right cells shown with ✓, revealed ones with *, a wrong entry
        struck through with ✗, the rest "?"."""
        values = [list(row) for row in quiz.truth[channel]]
        wrong, unseen, signs = set(), set(), []
        for i, row in enumerate(values):
            for j in range(len(row)):
                cell = (channel, i, j)
                if cell in quiz.solved or cell in quiz.revealed:
                    signs.append(((i, j), "✓" if cell in quiz.solved else "*"))
                    continue
                typed = quiz.entries.get(cell)
                if typed is not None:
                    values[i][j], _ = typed, wrong.add((i, j))
                    signs.append(((i, j), "✗"))
                else:
                    unseen.add((i, j))
        title = picture.title
        if quiz.quantity == "pre_activation":
            title = title.replace("output (", "pre-activation (", 1)
        return dataclasses.replace(
            picture,
            title=title,
            values=tuple(tuple(row) for row in values),
            hidden=frozenset(unseen),
            wrong=frozenset(wrong),
            window=frozenset(),
            hidden_mark="?",
            signs=tuple(signs),
        )

    # -- entering --------------------------------------------------------------------------
    def quiz_label(self) -> str | None:
        """The answer box's label in quiz mode: the cell it checks."""
        quiz = self.quiz
        cell = self.quiz_cell(self.cursor)
        if quiz is None or cell is None:
            return None
        return f"{quiz.name(cell)} ="

    def quiz_submit(self, text: str) -> bool:
        """Check what was typed in quiz mode; True keeps the answer box focused."""
        quiz = self.quiz
        if quiz is None:
            return False
        text = text.strip()
        if not text:
            return False
        try:
            if any(mark in text for mark in (";", "|")) or len(text.split()) > 1:
                self._quiz_matrix(quiz, text)
                return False
            cell = self.quiz_cell(self.cursor)
            if cell not in quiz.hidden():
                self.move_to_hidden(self.cursor)
                cell = self.quiz_cell(self.cursor)
            verdict = quiz.enter(cell, parse_number(text, where=quiz.name(cell)))
        except UserError as error:
            self.set_status(str(error), error=True)
            return True
        if verdict.right:
            self.move_to_hidden(self.cursor + 1)
        message = verdict.text
        if quiz.done:
            message += f" Quiz done: {quiz.score()}."
        self.set_status(message, error=not verdict.right)
        self.save_quiz_progress(quiz)
        self.refresh_params()
        self.refresh_stage()
        return not quiz.done

    def _quiz_matrix(self, quiz: Quiz, text: str) -> None:
        """A whole matrix typed in quiz mode: every cell entered, the usual diagnosis."""
        answer = parse_channels(text, name="answer")
        if [shape(m) for m in answer] != [shape(m) for m in quiz.truth]:
            want = " | ".join("{}×{}".format(*shape(m)) for m in quiz.truth)
            raise UserError(f"The {quiz.quantity.replace('_', ' ')} is {want}: type all of it.")
        for c, plane in enumerate(answer):
            for i, row in enumerate(plane):
                for j, value in enumerate(row):
                    if (c, i, j) in quiz.hidden():
                        quiz.enter((c, i, j), value)
        result = check_answer(self.solution.problem, answer, quiz.quantity, quiz.kernel)
        self.set_status(f"{describe(result)} Quiz: {quiz.score()}.", error=not result.correct)
        self.move_to_hidden(0)
        self.save_quiz_progress(quiz)
        self.refresh_params()
        self.refresh_stage()

    def on_quiz_answer_input_reveal_asked(self, message: AnswerInput.RevealAsked) -> None:
        """R or ctrl+r in the answer box: reveal, then the box asks for the next hidden cell
        (or hands the keys back to the stage once none is left)."""
        quiz = self.quiz
        if quiz is not None and self.quiz_cell(self.cursor) not in quiz.hidden():
            self.move_to_hidden(self.cursor)  # the cell the box would check
        self.action_reveal(message.every)
        if quiz is None:
            return
        if quiz.done:
            self.query_one("#conv-stage").focus()
        else:
            self.move_to_hidden(self.cursor)
            self.refresh_stage()

    def action_reveal(self, every: bool) -> None:
        quiz = self.quiz
        if quiz is None:
            self.set_status("Reveal works in quiz mode (q).")
            return
        if every:
            quiz.reveal_all()
            self.set_status(f"Every cell revealed. Quiz: {quiz.score()}.")
        else:
            cell = self.quiz_cell(self.cursor)
            if cell is None:
                return
            quiz.reveal(cell)
            self.set_status(f"{quiz.name(cell)} = {fmt(quiz.value(cell))}. Quiz: {quiz.score()}.")
        self.save_quiz_progress(quiz)
        self.refresh_params()
        self.refresh_stage()

    def save_quiz_progress(self, quiz: Quiz) -> None:
        """A course task's quiz is saved to the pack's progress after each entry: attempted,
        or correct once every cell is entered right with none revealed."""
        if self.course_task is None:
            return
        pack, task, inputs = self.course_task
        _, quantity, kernel = conv_problem(task)
        if (self.inputs, quiz.quantity, self.kernel) == (inputs, quantity, kernel):
            record(pack, task.id, quiz.answer_text(), quiz.all_right)
