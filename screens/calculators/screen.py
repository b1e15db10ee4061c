"""Calculators (B1–B6): a layer's size formula, an architecture's layer table, receptive fields."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Select, Static, TabbedContent, TabPane, TextArea

from core.arch.spec import format_sequential, parse_spec
from core.arch.table import LayerTable, layer_table, parse_shape, to_markdown
from core.errors import UserError
from core.exercises.calc_presets import ARCHITECTURE_EXAMPLES, EXERCISE_PARTS, exercise_part
from screens.calculators.export_dialog import ExportScreen
from screens.calculators.layer import LayerCalculator
from screens.calculators.save_dialog import SaveDesign
from screens.calculators.views import (
    COLUMNS,
    grid_markup,
    region_summary,
    table_cells,
    table_status,
)
from tui.messages import OpenTask
from tui.widgets.spec_editor import SpecEditor
from tui.workspace_screen import WorkspaceScreen

DEFAULT_SPEC = ARCHITECTURE_EXAMPLES[1]  # B4, the course's reference network


class FieldGrid(Static, can_focus=True):
    """The input grid with the chosen cell's receptive field; focused, arrows move the cell."""

    BINDINGS = [
        Binding("up", "screen.move_cell(-1, 0)", "Cell↑", tooltip="Choose the cell above."),
        Binding("down", "screen.move_cell(1, 0)", "Cell↓", tooltip="Choose the cell below."),
        Binding("left", "screen.move_cell(0, -1)", "Cell←", tooltip="Choose the cell left."),
        Binding("right", "screen.move_cell(0, 1)", "Cell→", tooltip="Choose the cell right."),
        Binding(
            "left_square_bracket",
            "screen.move_layer(-1)",
            "Layer−",
            tooltip="The previous layer with a feature map.",
        ),
        Binding(
            "right_square_bracket",
            "screen.move_layer(1)",
            "Layer+",
            tooltip="The next layer with a feature map.",
        ),
    ]
    """Arrows pick the output cell, [ and ] the layer."""

    def on_focus(self) -> None:
        self.screen.refresh_field_hint()

    def on_blur(self) -> None:
        self.screen.refresh_field_hint()


class CalculatorsScreen(SaveDesign, WorkspaceScreen):
    """Exercises B1–B6: sizes, solving, receptive fields, parameters and MACs."""

    WORKSPACE = "calculators"
    CSS_PATH = "calculators.tcss"

    BINDINGS = [
        Binding("f2", "show_tab('layer')", "Layer", tooltip="The single-layer calculator."),
        Binding(
            "f3",
            "show_tab('architecture')",
            "Architecture",
            tooltip="Type or pick an architecture; see its layer table.",
        ),
        Binding(
            "f4",
            "show_tab('receptive')",
            "Receptive field",
            tooltip="The input region one output cell sees.",
        ),
        Binding(
            "f5",
            "export('markdown')",
            "Export MD",
            priority=True,
            tooltip="The layer table as Markdown (copy or save).",
        ),
        Binding(
            "f6",
            "export('code')",
            "Export code",
            priority=True,
            tooltip="The architecture as PyTorch nn.Sequential(...) code.",
        ),
        Binding("ctrl+t", "send_to_train", "To Train", priority=True, tooltip="Train this SPEC."),
        Binding("ctrl+s", "save_design", "Save", priority=True, tooltip="Save this SPEC by name."),
        *(
            Binding(
                f"f{7 + index}",
                f"exercise('{name}')",
                name.upper(),
                priority=True,
                show=False,
                tooltip=f"Exercise {name.upper()}; again for its next part.",
            )
            for index, name in enumerate(EXERCISE_PARTS)
        ),
    ]
    """F2–F4 switch panes; F5/F6 export the layer table (greyed out while it has errors);
    F7–F12 load exercises B1–B6. F5–F12 take priority over the text fields' own F-keys."""

    class TableBuilt(Message):
        """Sent when the layer table of the typed architecture is ready, or failed."""

        def __init__(self, generation: int, table: LayerTable | None, error: str | None) -> None:
            super().__init__()
            self.generation, self.table, self.error = generation, table, error

    def __init__(self) -> None:
        super().__init__()
        self.table: LayerTable | None = None
        self.generation = 0
        self.module_preset: str | None = None  # set while a torchvision preset is shown
        self.cell = (0, 0)  # chosen output cell (y, x)
        self.field_row: int | None = None  # table row whose cell is shown
        self.exercise: tuple[str, int] | None = None  # (exercise, part) last loaded by F7–F12
        self.field_summary = ""  # markup of the shown receptive field, without the key hint

    def compose_body(self) -> ComposeResult:
        with TabbedContent(initial="layer", id="calc-tabs"):
            with TabPane("Layer (F2)", id="layer"):
                yield LayerCalculator()
            with TabPane("Architecture (F3)", id="architecture"), VerticalScroll():
                with Horizontal(id="arch-top"):
                    yield Select(
                        ((e.title, e.key) for e in ARCHITECTURE_EXAMPLES),
                        prompt="Preset…",
                        id="arch-preset",
                    )
                    yield Input(
                        ",".join(map(str, DEFAULT_SPEC.input_shape)),
                        placeholder="C,H,W",
                        id="arch-input",
                    )
                yield SpecEditor(_pretty(DEFAULT_SPEC.spec), id="arch-spec", soft_wrap=True)
                yield Static(id="arch-status")
                yield DataTable(id="arch-table", zebra_stripes=True, cursor_type="row")
            with TabPane("Receptive field (F4)", id="receptive"), VerticalScroll():
                yield Static(id="field-info")
                yield FieldGrid(id="field-grid")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#arch-table", DataTable).add_columns(*COLUMNS)
        self.query_one("#f-in_size", Input).focus()
        self.query_one(LayerCalculator).load_example("b1")

    def on_resize(self) -> None:
        """Short terminals get a smaller SPEC editor, so the answers are seen without scrolling."""
        self.set_class(self.size.height < 34, "-short")

    # ---- architecture editor -----------------------------------------------------------
    @on(Select.Changed, "#arch-preset")
    def _preset_picked(self, event: Select.Changed) -> None:
        self.load_architecture(event.value)

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
        text = _pretty(example.spec) if example.spec else _module_note(example.preset)
        self.query_one("#arch-spec", TextArea).text = text
        self._rebuild()

    @on(TextArea.Changed, "#arch-spec")
    @on(Input.Changed, "#arch-input")
    def _arch_changed(self) -> None:
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
        self.build_table(
            self.generation,
            self.query_one("#arch-spec", TextArea).text,
            self.query_one("#arch-input", Input).value,
            self.module_preset,
        )

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

    def on_calculators_screen_table_built(self, message: TableBuilt) -> None:
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
            status.update(table_status(self.table))
            data = self.query_one("#arch-table", DataTable)
            data.clear()
            for cells in table_cells(self.table):
                data.add_row(*cells)
        self._refresh_field()
        self.refresh_bindings()

    # ---- receptive field ---------------------------------------------------------------
    def _spatial_rows(self) -> list[int]:
        return [] if self.table is None else self.table.spatial_rows()

    def action_move_cell(self, dy: int, dx: int) -> None:
        """Choose another output cell of the shown layer."""
        self.cell = (self.cell[0] + dy, self.cell[1] + dx)
        self._refresh_field()

    def action_move_layer(self, step: int) -> None:
        """Show the previous / next layer that still has a feature map."""
        rows = self._spatial_rows()
        if not rows:
            return
        index = rows.index(self.field_row) if self.field_row in rows else len(rows) - 1
        self.field_row = rows[max(0, min(len(rows) - 1, index + step))]
        self._refresh_field()

    @on(DataTable.RowSelected, "#arch-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        """Enter on a layer shows its receptive field."""
        if event.cursor_row in self._spatial_rows():
            self.field_row = event.cursor_row
            self.action_show_tab("receptive")
            self._refresh_field()

    def _refresh_field(self) -> None:
        info, grid = self.query_one("#field-info", Static), self.query_one("#field-grid")
        rows = self._spatial_rows()
        self.field_summary = ""
        if not rows:
            info.update("Build a valid architecture (F3) with at least one feature-map layer.")
            grid.update("")
            return
        if self.field_row not in rows:
            self.field_row = rows[-1]
        _, height, width = self.table.rows[self.field_row].out_shape
        self.cell = (max(0, min(height - 1, self.cell[0])), max(0, min(width - 1, self.cell[1])))
        region = self.table.region(self.field_row, self.cell)
        if region is None:
            info.update("This layer's cells have no receptive field the table can trace.")
            grid.update("")
            return
        self.field_summary = region_summary(self.table, self.field_row, self.cell, region)
        self.refresh_field_hint()
        grid.update(grid_markup(region))

    def refresh_field_hint(self) -> None:
        """The receptive field's summary with the keys that work from where the focus is."""
        if not self.field_summary:
            return
        if self.query_one("#field-grid").has_focus:
            hint = "arrows: output cell · [ ]: layer"
        else:
            hint = "F4 focuses the grid; then arrows: output cell · [ ]: layer"
        self.query_one("#field-info", Static).update(
            f"{self.field_summary}\n[$text-muted]{hint}[/]"
        )

    # ---- exercises -----------------------------------------------------------------------
    def action_exercise(self, name: str) -> None:
        """Load an exercise's first part, or its next part when pressed again."""
        parts = EXERCISE_PARTS[name]
        index = 0
        if self.exercise is not None and self.exercise[0] == name:
            index = (self.exercise[1] + 1) % len(parts)
        self.exercise = (name, index)
        pane, example = exercise_part(parts[index])
        if pane == "layer":
            self.query_one(LayerCalculator).load_example(example.key)
        else:
            self.load_architecture(example.key)
        self.action_show_tab(pane)
        self.app.clear_notifications()
        if len(parts) > 1:
            key = f"F{7 + list(EXERCISE_PARTS).index(name)}"
            self.notify(
                f"part {index + 1} of {len(parts)}; {key} again: next part",
                title=name.upper(),
                timeout=3,
            )

    # ---- panes and export --------------------------------------------------------------
    def on_open_task(self, message: OpenTask) -> None:
        """A course task from the Sheet: its layer or architecture, on its tab."""
        from core.exercises.calc_presets import architecture_example, layer_example

        task = message.task
        if task.kind == "calc":
            self.query_one(LayerCalculator).fill(layer_example(task))
            self.action_show_tab("layer")
        elif task.kind == "summary":
            self.show_architecture(architecture_example(task))
            self.action_show_tab("architecture")
        self.notify(f"Course task {task.id}: {task.title}", markup=False)

    def action_show_tab(self, tab: str) -> None:
        """Switch to a pane of the workspace."""
        self.query_one("#calc-tabs", TabbedContent).active = tab
        focus = {"layer": "#f-in_size", "architecture": "#arch-spec", "receptive": "#field-grid"}
        self.query_one(focus[tab]).focus()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("send_to_train", "save_design"):
            return None if self.table is None or self.module_preset else True
        if action == "export":
            if self.table is None:
                return None
            if parameters == ("code",) and self.module_preset:
                return None
        return True

    def action_send_to_train(self) -> None:
        """Train opens with the SPEC in its Architecture field (and the input size as resize)."""
        from tui.messages import UseArchitecture, WorkspaceRequested

        if self.table is None or self.module_preset:
            return
        spec = self.query_one("#arch-spec", TextArea).text
        shape = tuple(self.table.input_shape)
        self.post_message(WorkspaceRequested("train", UseArchitecture(spec, shape)))

    def action_export(self, kind: str) -> None:
        """Show the layer table as Markdown, or the architecture as PyTorch code."""
        if self.table is None:
            return
        if kind == "markdown":
            text, name = to_markdown(self.table), "architecture.md"
        else:
            try:
                layers = parse_spec(self.query_one("#arch-spec", TextArea).text)
            except UserError as error:  # edited since the table was built
                self.notify(str(error), severity="error")
                return
            text = f"from torch import nn\n\nmodel = {format_sequential(layers)}\n"
            name = "architecture.py"
        self.app.copy_to_clipboard(text)
        self.app.push_screen(ExportScreen(text, Path(name)))


def _pretty(spec: str) -> str:
    """One layer per line, so a long SPEC reads like the PyTorch code it stands for."""
    return ",\n".join(str(layer) for layer in parse_spec(spec))


def _module_note(preset: str) -> str:
    return f"{preset}: built from torchvision (type a SPEC here to replace it)"
