"""Keys typed at full speed into a real terminal (tmux) all land: 1,000 characters sent at once
into each live-validated field, compared with what the field holds when the app quits."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
]

ROOT = Path(__file__).resolve().parents[3]
TYPED = 1000

FIELDS = {
    "calculators": ["f-in_size", "f-out_size", "f-kernel", "f-stride", "f-padding", "f-dilation"],
}
"""Per workspace, its live-validated fields in Tab order from the arrival focus."""


class Terminal:
    """One tmux server of our own, 80×24, running the app through the field dump."""

    def __init__(self, tmp_path: Path, name: str) -> None:
        self.socket = f"keys-{os.getpid()}-{name}"
        inherited = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        self.env = {**inherited, "CNN_TUI_DATA": str(tmp_path / "data")}
        self.out = tmp_path / f"{name}.json"
        self.command = (
            f"cd {ROOT} && exec {sys.executable} -m tests.helpers.field_dump "
            f"{self.out} {tmp_path / 'runs'} {name}"
        )

    def tmux(self, *args: str) -> str:
        run = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=self.env
        )
        return run.stdout

    def start(self) -> None:
        self.tmux("new-session", "-d", "-x", "80", "-y", "24", self.command)

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", *(["-l"] if literal else []), *keys)

    def quit_and_read_fields(self, timeout: float = 30) -> dict[str, str]:
        """ctrl+q, then the text of every field the app wrote on its way out."""
        self.keys("C-q")
        deadline = time.monotonic() + timeout
        while not self.out.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        return json.loads(self.out.read_text())

    def wait_for(self, predicate, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = self.tmux("capture-pane", "-p")
            if predicate(seen):
                return seen
            time.sleep(0.2)
        raise AssertionError(f"timed out; last screen:\n{seen}")


def lost_keys(typed: str, got: str) -> int:
    """How many typed characters are missing from the field (order kept)."""
    from difflib import SequenceMatcher

    blocks = SequenceMatcher(None, typed, got, autojunk=False).get_matching_blocks()
    return len(typed) - sum(block.size for block in blocks)


@pytest.mark.parametrize("workspace", sorted(FIELDS))
def test_thousand_keys_at_full_speed_land_in_every_field(tmp_path, workspace):
    rng = random.Random(workspace)
    terminal = Terminal(tmp_path, workspace)
    terminal.start()
    try:
        terminal.wait_for(lambda screen: "━━━━" in screen)  # the workspace is drawn
        time.sleep(1.0)  # its arrival focus is set once it is mounted
        typed = {}
        for index, field in enumerate(FIELDS[workspace]):
            if index:
                terminal.keys("Tab")
            terminal.keys("End", "C-u")
            typed[field] = "".join(rng.choice("0123456789") for _ in range(TYPED))
            terminal.keys(typed[field], literal=True)
            tail = typed[field][-5:]  # an 80-column field shows its last few
            terminal.wait_for(lambda screen, tail=tail: tail in screen)
        fields = terminal.quit_and_read_fields()
    finally:
        terminal.tmux("kill-server")
    lost = {field: lost_keys(text, fields[field]) for field, text in typed.items()}
    assert lost == dict.fromkeys(typed, 0)
    assert {field: fields[field] for field in typed} == typed


def test_quiz_cells_typed_at_full_speed_are_all_checked(tmp_path):
    """Conv lab quiz mode (A1, kernel 1), all sent at once: Enter, 16 cells each with Enter, an
    empty Enter then R (the stage reveals the 17th), Enter then R (the box reveals the 18th),
    the 19th cell and Enter, ctrl+r (reveals the 20th): every cell is checked in order (the
    values from PyTorch), and R and ctrl+r act after the keys typed before them."""
    import torch
    import torch.nn.functional as F

    from core.exercises.conv_presets import conv_preset

    problem = conv_preset("a1").inputs.problem()
    x = torch.tensor([[[float(v) for v in row] for row in problem.x[0]]])
    w = torch.tensor([[[float(v) for v in row] for row in problem.kernels[0][0]]])
    out = torch.relu(F.conv2d(x[None], w[None]) + float(problem.biases[0]))[0, 0]
    cells = [str(int(v)) for v in out.flatten().tolist()]
    terminal = Terminal(tmp_path, "conv_lab")
    terminal.start()
    try:
        terminal.wait_for(lambda screen: "kernel 1" in screen)
        time.sleep(1.0)
        terminal.keys("F2", "q")
        terminal.wait_for(lambda screen: "Quiz mode:" in screen)  # its status line
        burst = ["Enter"]
        for value in cells[:16]:
            burst += [value, "Enter"]
        burst += ["Enter", "R", "Enter", "R", cells[18], "Enter", "C-r"]
        terminal.keys(*burst)
        screen = terminal.wait_for(lambda screen: "done" in screen, timeout=30)
    finally:
        terminal.tmux("kill-server")
    assert "17/20 right first try · 3 revealed · done" in " ".join(screen.split())


def test_calculators_quiz_answers_typed_at_full_speed_are_checked(tmp_path):
    """Calculators (B1: in 32, kernel 5): q, Enter, a wrong output size and Enter, the right
    one and Enter, sent at once: both are checked in order (the size from PyTorch), and no
    key lands in the number fields."""
    import torch
    import torch.nn.functional as F

    out = F.conv2d(torch.zeros(1, 1, 32, 32), torch.zeros(1, 1, 5, 5)).shape[-1]
    terminal = Terminal(tmp_path, "calculators")
    terminal.start()
    try:
        terminal.wait_for(lambda screen: "━━━━" in screen)
        time.sleep(1.0)
        terminal.keys("q", "Enter", str(out - 1), "Enter", str(out), "Enter")
        screen = terminal.wait_for(lambda screen: "done" in screen, timeout=30)
        fields = terminal.quit_and_read_fields()
    finally:
        terminal.tmux("kill-server")
    flat = " ".join(screen.split())
    assert f"✓ out = {out} is right" in flat and "0/1 right first try · done" in flat
    assert (fields["f-in_size"], fields["f-out_size"], fields["calc-answer"]) == ("32", "", "")


def test_escape_and_a_digit_sent_at_once_go_home_and_open_the_workspace(tmp_path):
    """A terminal reads Escape and a digit sent in one write as alt+digit: it still leads Home
    and on to that workspace, and the focused field keeps its value (the digit never lands)."""
    terminal = Terminal(tmp_path, "calculators")
    terminal.start()
    try:
        terminal.wait_for(lambda screen: "━━━━" in screen)
        time.sleep(1.0)  # margin on a loaded machine: the pane paints before keys are read
        terminal.keys("End", "C-u")
        terminal.keys("77", literal=True)
        terminal.wait_for(lambda screen: "77" in screen)
        terminal.keys("Escape", "1")  # one write
        terminal.wait_for(lambda screen: "Convolution lab" in screen.splitlines()[0])
        terminal.keys("Escape", "2")
        terminal.wait_for(lambda screen: "Calculators" in screen.splitlines()[0])
        fields = terminal.quit_and_read_fields()
    finally:
        terminal.tmux("kill-server")
    assert fields["f-in_size"] == "77"


def test_keys_typed_behind_enter_in_the_conv_labs_bias_step_the_window(tmp_path):
    """`e`, Tab Tab to the bias, a new bias, Enter and two arrows in one write: the bias is
    taken and the arrows step the window (they went to the field before)."""
    terminal = Terminal(tmp_path, "conv_lab")
    terminal.start()
    try:
        terminal.wait_for(lambda screen: "step 1/20" in screen)
        time.sleep(1.0)  # margin on a loaded machine: the pane paints before keys are read
        terminal.keys("e", "Tab", "Tab", "End", "C-u", "-", "3", "Enter", "Right", "Right")
        terminal.wait_for(lambda screen: "step 3/20" in screen)
        fields = terminal.quit_and_read_fields()
    finally:
        terminal.tmux("kill-server")
    assert fields["field-biases"] == "-3"
