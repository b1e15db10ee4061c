"""Every workspace's main exercise by keyboard alone in a real 80×24 terminal (tmux): keys sent
at full speed, the screen read back with capture-pane, the numbers compared with PyTorch."""

from __future__ import annotations

import re
import shutil
import time

import pytest

from tests.functional.app.test_keystrokes_tmux import Terminal

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
]


def flat(screen: str) -> str:
    return " ".join(screen.split())


def a1_outputs() -> list[int]:
    """A1's first output map (kernel 1, bias −1, ReLU), from PyTorch."""
    import torch
    import torch.nn.functional as F

    from core.exercises.conv_presets import conv_preset

    problem = conv_preset("a1").inputs.problem()
    x = torch.tensor([[[float(v) for v in row] for row in problem.x[0]]])  # (1, H, W)
    w = torch.tensor([[[float(v) for v in row] for row in problem.kernels[0][0]]])  # (1, k, k)
    out = torch.relu(F.conv2d(x[None], w[None]) + float(problem.biases[0]))[0, 0]  # (H', W')
    return [int(v) for v in out.flatten().tolist()]


def home(terminal: Terminal, key: str) -> None:
    """Escape, then a workspace's key once Home shows (a terminal reads ESC and a key sent in
    one write as alt+key, as it does for a person who types them at once)."""
    terminal.keys("Escape")
    terminal.wait_for(lambda screen: "Pick a workspace" in screen)
    terminal.keys(key)


def test_every_workspace_by_keyboard_at_80_by_24(tmp_path):
    import torch
    import torch.nn.functional as F

    cells = a1_outputs()
    out_size = F.conv2d(torch.zeros(1, 1, 32, 32), torch.zeros(1, 1, 5, 5)).shape[-1]
    terminal = Terminal(tmp_path, "home")
    terminal.start()
    try:
        terminal.wait_for(lambda screen: "Convolution lab" in screen)
        time.sleep(0.5)

        # A1: step the window three cells on; the trace ends in the cell's value.
        terminal.keys("1")
        terminal.wait_for(lambda screen: "step 1/20" in screen)
        terminal.keys("Right", "Right", "Right")
        screen = flat(terminal.wait_for(lambda screen: "step 4/20" in screen))
        trace = re.search(r"o\[0,3\] = [^│]*", screen)
        assert trace and trace.group(0).rstrip().endswith(f"= {cells[3]}"), screen

        # B1: in 32, kernel 5, stride 1, padding 0, out left blank: solved as typed.
        home(terminal, "2")
        terminal.wait_for(lambda screen: "Layer (F2)" in screen)
        time.sleep(0.5)
        burst = ["End", "C-u", "3", "2", "Tab", "End", "C-u", "Tab", "End", "C-u", "5"]
        burst += ["Tab", "End", "C-u", "1", "Tab", "End", "C-u", "0"]
        terminal.keys(*burst)
        terminal.wait_for(lambda screen: f"out = {out_size}" in flat(screen))

        # Train: epochs and batch size typed at full speed, nothing launched.
        home(terminal, "3")
        terminal.wait_for(lambda screen: "Train — exercises" in screen)
        time.sleep(0.5)
        terminal.keys("End", "C-u", "3", "Tab", "End", "C-u", "6", "4")
        screen = terminal.wait_for(lambda screen: re.search(r"epochs\s+3\s", screen))
        assert re.search(r"batch size\s+64\b", screen), screen

        # Explain opens with its controls; without weights it says how to get them.
        home(terminal, "5")
        terminal.wait_for(lambda screen: "Explain — exercises" in screen)
        settled = ("Model not available", "layers to choose from")  # its model lookup is done
        terminal.wait_for(lambda screen: any(word in flat(screen) for word in settled), 120)

        # Dataset (D1): the synthetic examples, then the class balance.
        home(terminal, "6")
        terminal.wait_for(lambda screen: "Shapes-10 (synthetic)" in screen and "#" in screen)
        terminal.keys("b")
        screen = terminal.wait_for(lambda screen: "images per class" in screen)
        counts = [int(n.replace(",", "")) for n in re.findall(r"│ ([\d,]+) \(", screen)]
        total = re.search(r"│ total\s+│\s+([\d,]+)", screen)
        assert len(counts) == 20 and total, screen  # train and test, 10 classes each
        assert re.search(r"└─[─┴]*┘", screen), screen  # the whole table fits 80 columns
        split = re.search(r"train split \(([\d,]+) images\)", screen)
        assert split, screen
        assert sum(counts[0::2]) == int(total.group(1).replace(",", ""))
        assert sum(counts[0::2]) == int(split.group(1).replace(",", ""))

        # Scratch lab opens; Sheet: a built-in pack typed by name.
        home(terminal, "7")
        terminal.wait_for(lambda screen: "Scratch lab — exercises" in screen)
        home(terminal, "8")
        terminal.wait_for(lambda screen: "No course open" in flat(screen))
        time.sleep(0.3)
        terminal.keys("a-convolution", literal=True)
        terminal.keys("Enter")
        screen = terminal.wait_for(lambda screen: "Convolution by hand" in screen)
        assert "0 of 22 points" in flat(screen)
        terminal.keys("C-q")
    finally:
        terminal.tmux("kill-server")
