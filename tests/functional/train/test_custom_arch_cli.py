"""Own architectures from the CLI: a Python model trains from its copy in the run folder, bad
files are told with the student's file and line (exit 2, no run folder), saved designs."""

from __future__ import annotations

import json

import pytest
import torch

from core.training.restore import load_run_model
from tui.cli import main

NET = """import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, width=4):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3, padding=1)
        self.head = nn.Linear(width * 64, 10)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.conv(x)), 4)
        return self.head(torch.flatten(x, 1))
"""
SMALL = ["--dataset", "shapes", "--train-size", "64", "--test-size", "32", "--epochs", "1"]


def test_python_model_trains_from_its_copy_after_the_original_is_edited(tmp_path, capsys):
    net = tmp_path / "net.py"
    net.write_text(NET)
    runs = tmp_path / "runs"
    argv = ["train", "--arch", f"{net}:Net", "--arch-args", '{"width": 3}', *SMALL]
    assert main([*argv, "--runs-dir", str(runs), "--device", "cpu", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "finished"
    net.write_text("this is no longer Python (")  # the run keeps its own copy
    model = load_run_model(result["run_id"], runs)
    expected = 3 * 3 * 9 + 3 + 3 * 64 * 10 + 10  # conv 3→3 (3×3), Linear(192, 10)
    assert sum(p.numel() for p in model.module.parameters()) == expected
    assert main(["runs", "show", result["run_id"], "--runs-dir", str(runs)]) == 0
    assert f"Python file, {expected:,} parameters" in capsys.readouterr().out.replace("\n", " ")


BAD = {
    "syntax": ("def broken(:\n", "line 1: syntax error"),
    "init": (NET.replace("super().__init__()", "super().__init__(); 1 / 0"), "line 7"),
    "forward": (
        NET.replace("return self.head", "raise KeyError('oops'); return self.head"),
        "line 13",
    ),
    "output": (NET.replace("width * 64, 10", "width * 64, 7"), "(N, 10)"),
    "channels": (NET.replace("nn.Conv2d(3,", "nn.Conv2d(1,"), "3 channels"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_python_files_exit_2_with_the_students_line_and_no_run_folder(tmp_path, capsys, case):
    source, fragment = BAD[case]
    net = tmp_path / "net.py"
    net.write_text(source)
    runs = tmp_path / "runs"
    code = main(["train", "--arch", str(net), *SMALL, "--runs-dir", str(runs), "--device", "cpu"])
    err = capsys.readouterr().err
    assert code == 2 and fragment in err and str(net) in err, err
    assert "site-packages" not in err and "Traceback" not in err
    assert not runs.exists() or not any(runs.iterdir())


def test_saved_designs_are_usable_by_name(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    spec = "Conv2d(3, 8, 3, padding=1), Residual(Conv2d(8, 8, 3, padding=1), ReLU()), "
    spec += "AdaptiveAvgPool2d(1), Flatten(), Linear(8, 10)"
    assert main(["arch", "save", "tiny-res", spec]) == 0
    assert main(["arch", "ls", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["designs"] == ["tiny-res"]
    assert main(["summary", "tiny-res", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert table["blocks"][0]["type"] == "Residual"
    from core.arch.spec import build_module, parse_spec

    assert table["total_params"] == sum(
        p.numel() for p in build_module(parse_spec(spec)).parameters()
    )
    assert main(["arch", "show", "nope"]) == 2
    torch.set_num_threads(1)
