"""The Receptive-field pane: the input grid with the field of one output cell of one layer."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Static

from core.arch.table import LayerTable
from core.course.calc_quiz import CalcQuiz
from screens.calculators.views import grid_markup, region_summary


class FieldGrid(Static, can_focus=True):
    """The input grid with the chosen cell's receptive field; focused, arrows move the cell."""

    BINDINGS = [
        Binding(
            "g",
            "screen.grow_field",
            "Grow RF",
            tooltip="Add a layer to four small networks and compare their receptive fields.",
        ),
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
    """Arrows pick the output cell, [ and ] the layer; g grows the comparison networks."""

    def on_focus(self) -> None:
        self.screen.refresh_field_hint()

    def on_blur(self) -> None:
        self.screen.refresh_field_hint()


class ReceptiveField:
    """Mixin of `CalculatorsScreen`: the chosen layer and output cell, and their field; and
    the growth comparison (`g`): four networks, one layer more per key."""

    growth_depth = 0
    """Layers of the growth comparison shown (0: not shown yet)."""

    def action_grow_field(self) -> None:
        """One layer more in each comparison network (after the last depth: one again)."""
        from core.arch.growth import MAX_DEPTH, grow

        self.growth_depth = self.growth_depth % MAX_DEPTH + 1
        self.query_one("#field-growth", Static).update(growth_markup(grow(self.growth_depth)))

    table: LayerTable | None
    cell: tuple[int, int]
    field_row: int | None
    field_summary: str
    quiz_on: bool
    table_quiz: CalcQuiz | None

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

    def row_chosen(self, row: int) -> None:
        """Enter on a layer shows its receptive field."""
        if row in self._spatial_rows():
            self.field_row = row
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
        quiz = self.table_quiz if self.quiz_on else None
        if quiz is not None and (quiz.hides("field") or quiz.hides("shape")):
            info.update(
                "Quiz mode: the field and the shapes show once the table's output shapes and "
                "receptive fields are answered or revealed (F3; ctrl+r reveals all)."
            )
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


def growth_markup(grown) -> str:
    """The comparison as aligned rows: RF after each layer, what each layer added, the map."""
    depth = len(grown[0].fields)
    width = max(len(str(value)) for growth in grown for value in growth.fields) + 1
    name_width = max(len(growth.name) for growth in grown) + 2
    head = "".join(str(n).rjust(width) for n in range(1, depth + 1))
    steps = [" ".join(f"+{step}" for step in growth.steps) for growth in grown]
    steps_width = max(len("each layer adds"), *map(len, steps)) + 2
    lines = [
        "[b]Receptive field as layers are added[/b] (g: one more, up to 6; height axis, "
        "input 512×512)",
        f"{'layers:'.ljust(name_width)}{head}   {'each layer adds'.ljust(steps_width)}"
        f"map after {depth}",
    ]
    for growth, added in zip(grown, steps):
        fields = "".join(str(value).rjust(width) for value in growth.fields)
        size = growth.sizes[-1]
        lines.append(
            f"{growth.name.ljust(name_width)}{fields}   {added.ljust(steps_width)}{size}×{size}"
        )
    lines.append(
        "[$text-muted]r = r_prev + (k − 1)·d·j_prev: dilation d widens one layer's step; a "
        "stride or a pooling multiplies the jump j of every later layer — and shrinks the map, "
        "which dilation keeps.[/]"
    )
    return "\n".join(lines)
