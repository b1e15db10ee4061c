"""The Convolution lab's keys, and the stepping / playing actions they drive.

Stepping keys live on the screen, so they work wherever focus is not in a text field
(a text field needs ←/→ for its own cursor); Enter in a field hands the keys back.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input, TextArea

from core.exercises.conv_presets import conv_presets

SPEEDS = (2.0, 1.0, 0.5, 0.25, 0.1)
"""Seconds per step while playing, slow to fast."""

STEP_ACTIONS = frozenset({"step", "row", "jump"})
"""Actions bound to arrows / Home / End, which text fields need for themselves."""

BINDINGS = [
    Binding("right", "step(1)", "Next", tooltip="Next cell."),
    Binding("left", "step(-1)", "Prev", tooltip="Previous cell."),
    Binding("down", "row(1)", "Row↓", show=False, tooltip="Same column, next row."),
    Binding("up", "row(-1)", "Row↑", show=False, tooltip="Same column, previous row."),
    Binding("home", "jump(0)", "First", show=False, tooltip="First cell."),
    Binding("end", "jump(-1)", "Last", show=False, tooltip="Last cell (everything computed)."),
    Binding("pageup", "page(-1)", "Page↑", show=False, tooltip="Scroll the lab up."),
    Binding("pagedown", "page(1)", "Page↓", show=False, tooltip="Scroll the lab down."),
    Binding("space", "play", "Play", tooltip="Play / pause stepping."),
    Binding("plus,equals_sign", "speed(1)", "Faster", show=False, tooltip="Step faster."),
    Binding("minus", "speed(-1)", "Slower", show=False, tooltip="Step slower."),
    Binding(
        "v",
        "view",
        "View",
        tooltip="Cycle forward / pooling / E and dE/do / dE/da through pooling / "
        "dE/dz through the activation / dE/dw / dE/dx.",
    ),
    Binding("k", "kernel", "Kernel", tooltip="Show the next kernel's output."),
    Binding("s", "cycle('stride')", "Stride", tooltip="Stride 1 → 2 → 3."),
    Binding("p", "cycle('padding')", "Pad", tooltip="Padding 0 → 1 → 2 → same."),
    Binding(
        "m",
        "cycle('padding_mode')",
        "Pad mode",
        show=False,
        tooltip="zeros → reflect → replicate → circular.",
    ),
    Binding(
        "c",
        "cycle('mode')",
        "Corr/Conv",
        show=False,
        tooltip="Cross-correlation (nn.Conv2d) or convolution (flipped kernel).",
    ),
    Binding("d", "cycle('dilation')", "Dilation", show=False, tooltip="Dilation 1 ↔ 2."),
    Binding("r", "cycle('activation')", "ReLU", show=False, tooltip="ReLU on / off."),
    Binding("o", "cycle('pool')", "Pool", show=False, tooltip="Pooling none → max → avg."),
    Binding(
        "n", "cycle('pool_kernel')", "Pool window", show=False, tooltip="Pooling window 2 → 3 → 4."
    ),
    Binding(
        "j",
        "cycle('pool_stride')",
        "Pool stride",
        show=False,
        tooltip="Pooling stride: the window → 1 → 2 → 3.",
    ),
    Binding(
        "u",
        "cycle('ceil_mode')",
        "Ceil",
        show=False,
        tooltip="Pooling ceil_mode: round the pooled size up.",
    ),
    Binding(
        "t",
        "cycle('loss')",
        "Loss",
        show=False,
        tooltip="The loss field is an MSE target y, or an upstream gradient dE/do.",
    ),
    Binding(
        "z",
        "compact",
        "Zeros",
        show=False,
        tooltip="Gradient sums: leave out / show the terms whose product is 0.",
    ),
    Binding(
        "x",
        "autograd",
        "Autograd",
        tooltip="A4: the same gradients by PyTorch autograd beside the exact values.",
    ),
    Binding(
        "h",
        "matches",
        "Matches",
        show=False,
        tooltip="Underline where every on tap of the kernel sees a 1 (A1), and those windows.",
    ),
    Binding("a", "answer", "Answer", tooltip="Type your answer; Enter checks it."),
    Binding("enter", "answer", "Answer", show=False, tooltip="Quiz mode: type this cell."),
    Binding(
        "q",
        "quiz",
        "Quiz",
        tooltip="Quiz mode: results stay hidden until you type each cell (or reveal it).",
    ),
    Binding("R", "reveal(False)", "Reveal", show=False, tooltip="Quiz mode: show this cell."),
    Binding("ctrl+r", "reveal(True)", "Reveal all", show=False, tooltip="Quiz mode: show all."),
    Binding(
        "w",
        "answer_for",
        "Answer for",
        show=False,
        tooltip="What the answer is: output, pre-activation, pooled, dE/dw, dE/dx.",
    ),
    Binding("e", "edit", "Edit", tooltip="Edit the input matrix (Tab for the others)."),
    Binding("g", "random", "Random", show=False, tooltip="A new random exercise (seeded)."),
    *(
        Binding(p.key, f"preset('{p.id}')", p.id.upper(), show=False, tooltip=p.title)
        for p in conv_presets()
    ),
]
"""Stepping, parameter toggles (matrices are kept), answer checking and F2–F9 presets."""


class SteppingMixin:
    """Moves the cursor through the cells of the current view, by hand or on a timer."""

    cursor: int
    speed: int
    timer: Timer | None

    def text_field_focused(self) -> bool:
        """True while a text field has focus: the arrows are its own then."""
        return isinstance(self.focused, (Input, TextArea))

    def action_step(self, delta: int) -> None:
        self.cursor = max(0, self.cursor + delta)
        self.refresh_stage()

    def action_row(self, delta: int) -> None:
        if self.solution is not None:
            self.cursor = max(0, self.cursor + delta * self.grid_columns())
            self.refresh_stage()

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else 10**9
        self.refresh_stage()

    def action_page(self, direction: int) -> None:
        body = self.query_one("#conv-body")
        if direction > 0:
            body.scroll_page_down()
        else:
            body.scroll_page_up()

    def action_play(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        else:
            self.timer = self.set_interval(SPEEDS[self.speed], self._tick)
        self.refresh_params()

    def _tick(self) -> None:
        before = self.cursor
        self.action_step(1)
        if self.cursor == before:
            self.action_play()

    def action_speed(self, delta: int) -> None:
        self.speed = max(0, min(len(SPEEDS) - 1, self.speed + delta))
        if self.timer is not None:
            self.timer.stop()
            self.timer = self.set_interval(SPEEDS[self.speed], self._tick)
        self.refresh_params()
