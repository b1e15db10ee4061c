"""The Architecture pane: a SPEC (or a model preset) and its input shape, tabled as you type."""

from __future__ import annotations

from textual import work
from textual.coordinate import Coordinate
from textual.markup import escape
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Select, Static, TextArea

from core.arch.spec import parse_spec
from core.arch.table import LayerTable, layer_table, parse_shape
from core.course.calc_quiz import CalcQuiz
from core.errors import UserError
from core.exercises.calc_presets import ARCHITECTURE_EXAMPLES
from screens.calculators.views import table_cells, table_status


class ArchitectureEditor:
    """Mixin of `CalculatorsScreen`: the SPEC editor, its preset picker and the layer table
    built in a thread, one build per pause in typing."""

    table: LayerTable | None
    generation: int
    module_preset: str | None
    quiz_on: bool
    table_quiz: CalcQuiz | None
    built_source: tuple[str, str, str | None] = ("", "", None)
    """The SPEC text, input shape and preset of the newest table asked for."""

    class TableBuilt(Message):
        """Sent when the layer table of the typed architecture is ready, or failed."""

        def __init__(self, generation: int, table: LayerTable | None, error: str | None) -> None:
            super().__init__()
            self.generation, self.table, self.error = generation, table, error

    def load_architecture(self, key: object) -> None:
        """Show an example architecture (also when it is picked already)."""
        example = next((e for e in ARCHITECTURE_EXAMPLES if e.key == key), None)
        if example is None:
            return
        picker = self.query_one("#arch-preset", Select)
        if picker.value != key:
            with self.prevent(Select.Changed):
                picker.value = key
        self.show_architecture(example)

    def show_architecture(self, example) -> None:
        """Put an ArchitectureExample (a course task's, too) into the editor and rebuild."""
        self.query_one("#arch-input", Input).value = ",".join(map(str, example.input_shape))
        self.module_preset = None if example.spec else example.preset
        text = pretty(example.spec) if example.spec else _module_note(example.preset)
        self.query_one("#arch-spec", TextArea).text = text
        self._rebuild()

    def arch_changed(self) -> None:
        """The SPEC or the input shape was edited: rebuild once typing pauses."""
        text = self.query_one("#arch-spec", TextArea).text
        if self.module_preset and text != _module_note(self.module_preset):
            self.module_preset = None  # the user is typing their own SPEC now
        if self.pending_rebuild is not None:  # one table per pause in typing, not per key
            self.pending_rebuild.stop()
        self.pending_rebuild = self.set_timer(0.05, self._rebuild)

    pending_rebuild: Timer | None = None
    """The table build due once typing pauses."""

    def _rebuild(self) -> None:
        if self.pending_rebuild is not None:
            self.pending_rebuild.stop()
            self.pending_rebuild = None
        self.generation += 1
        self.built_source = (
            self.query_one("#arch-spec", TextArea).text,
            self.query_one("#arch-input", Input).value,
            self.module_preset,
        )
        self.build_table(self.generation, *self.built_source)

    @work(thread=True, exclusive=True, group="table")
    def build_table(
        self, generation: int, text: str, shape_text: str, module_preset: str | None
    ) -> None:
        """Parse and tabulate in a thread (a torchvision preset imports torch)."""
        try:
            shape = parse_shape(shape_text)
            if module_preset:
                from core.models.zoo import preset_table

                table = preset_table(module_preset, shape)
            else:
                table = layer_table(text, shape)
        except UserError as error:
            self.post_message(self.TableBuilt(generation, None, str(error)))
            return
        self.post_message(self.TableBuilt(generation, table, None))

    def on_architecture_editor_table_built(self, message: TableBuilt) -> None:
        if message.generation != self.generation:
            return  # an older edit finished after a newer one
        status = self.query_one("#arch-status", Static)
        if message.error is not None:
            stale = self.query_one("#arch-table", DataTable).row_count
            note = "\n[$text-muted]The table below is the last one that worked.[/]" if stale else ""
            status.update(f"[$text-error]{escape(message.error)}[/]{note}")
            self.table = None
        else:
            self.table = message.table
            self.table_quiz = self.make_table_quiz(self.table, self.built_source)
            self.show_table()
        self._refresh_field()
        self.refresh_bindings()

    def show_table(self) -> None:
        """The table and its totals (in quiz mode: as far as the student has answered)."""
        if self.table is None:
            return
        quiz = self.table_quiz if self.quiz_on else None
        self.query_one("#arch-status", Static).update(table_status(self.table, quiz))
        data = self.query_one("#arch-table", DataTable)
        rows = table_cells(self.table, quiz)
        if data.row_count == len(rows) and data.get_row_at(0)[:2] == rows[0][:2]:
            for y, cells in enumerate(rows):  # the same layers: only changed cells
                for x, (old, new) in enumerate(zip(data.get_row_at(y), cells)):
                    if old != new:
                        data.update_cell_at(Coordinate(y, x), new, update_width=True)
        else:
            cursor = data.cursor_coordinate
            data.clear()
            for cells in rows:
                data.add_row(*cells)
            data.move_cursor(row=cursor.row, column=cursor.column, animate=False)
        data.cursor_type = "cell" if quiz is not None else "row"


def pretty(spec: str) -> str:
    """One layer per line, so a long SPEC reads like the PyTorch code it stands for."""
    return ",\n".join(str(layer) for layer in parse_spec(spec))


def _module_note(preset: str) -> str:
    return f"{preset}: built from torchvision (type a SPEC here to replace it)"
