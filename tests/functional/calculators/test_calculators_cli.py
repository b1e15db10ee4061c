"""`cnn-tui calc` and `cnn-tui summary`: JSON contracts, human output, errors with exit code 2."""

from __future__ import annotations

import json

import pytest
import torch

from core.arch.spec import build_module, parse_spec
from tui.cli import main


def run_json(capsys, *argv) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_calc_solves_padding_of_exercise_b2(capsys):
    answer = run_json(
        capsys, "calc", "--in", "32", "--out", "32", "--kernel", "5", "--stride", "1", "--json"
    )
    assert answer["padding"] == 2 and answer["unique"] and answer["solved_for"] == ["padding"]
    assert {"in_size", "out_size", "kernel", "stride", "padding", "formula"} <= set(answer)
    assert answer["formula"] == "⌊(32 + 2·2 − 5) / 1⌋ + 1 = 31 + 1 = 32"


def test_calc_transposed_and_pool_match_pytorch(capsys):
    answer = run_json(
        capsys,
        "calc",
        "--transposed",
        "--in",
        "7",
        "--kernel",
        "3",
        "--stride",
        "2",
        "--padding",
        "1",
        "--output-padding",
        "1",
        "--json",
    )
    module = torch.nn.ConvTranspose2d(1, 1, 3, 2, 1, output_padding=1)
    assert answer["out_size"] == module(torch.zeros(1, 1, 7, 7)).shape[-1]
    pooled = run_json(
        capsys,
        "calc",
        "--pool",
        "--ceil-mode",
        "--in",
        "7",
        "--kernel",
        "2",
        "--stride",
        "2",
        "--padding",
        "0",
        "--json",
    )
    assert (
        pooled["out_size"]
        == torch.nn.MaxPool2d(2, ceil_mode=True)(torch.zeros(1, 1, 7, 7)).shape[-1]
    )


def test_calc_lists_several_solutions(capsys):
    assert main(["calc", "--out", "7", "--kernel", "3", "--stride", "2"]) == 0
    out = capsys.readouterr().out
    assert "6 solutions" in out and "drops 1" in out


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--in", "10", "--out", "20", "--stride", "1", "--padding", "0"], "No kernel fits"),
        (["--in", "10", "--out", "5"], "at least three"),
        (["--in", "3", "--kernel", "5", "--stride", "1", "--padding", "0"], "smaller than"),
        (
            ["--in", "7", "--kernel", "3", "--stride", "1", "--padding", "0", "--ceil-mode"],
            "--pool",
        ),
    ],
)
def test_calc_impossible_values_exit_2(capsys, argv, fragment):
    assert main(["calc", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("cnn-tui calc: error:") and fragment in captured.err
    assert "Traceback" not in captured.err


def test_summary_json_contract_matches_pytorch(capsys):
    spec = "Conv2d(3, 32, 4, stride=2, padding=2), ReLU(), Flatten(), Linear(9248, 10)"
    table = run_json(capsys, "summary", spec, "--input", "3,32,32", "--json")
    model = build_module(parse_spec(spec))
    assert table["total_params"] == sum(p.numel() for p in model.parameters())
    assert table["trainable_params"] == table["total_params"]
    first = table["layers"][0]
    assert first["output_shape"] == [32, 17, 17] and first["receptive_field"] == 4
    assert first["jump"] == 2 and first["macs"] == 32 * 17 * 17 * 3 * 16
    assert first["receptive_field_start"] == -2  # the padding
    assert {
        "name",
        "type",
        "output_shape",
        "params",
        "trainable_params",
        "receptive_field",
        "jump",
        "macs",
    } <= set(first)
    assert table["layers"][-1]["output_shape"] == [10]
    assert table["layers"][-1]["receptive_field"] is None


def test_summary_preset_markdown_and_code(capsys):
    assert main(["summary", "--preset", "lenet5", "--markdown"]) == 0
    assert "**62,006**" in capsys.readouterr().out
    assert main(["summary", "--preset", "lenet5", "--code"]) == 0
    code = capsys.readouterr().out
    assert code.startswith("from torch import nn\n") and "            nn.Conv2d(3, 6, 5),\n" in code
    namespace: dict = {}
    exec(compile(code, "net.py", "exec"), namespace)  # a runnable file: class Net
    assert sum(p.numel() for p in namespace["Net"]().parameters()) == 62006
    assert main(["summary", "--preset", "lenet5"]) == 0
    assert "62,006" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["Conv2d(3, 32, 5), Flatten(), Linear(512, 64)"], "use Linear(25088, 64)"),
        (["Conv2d(3, 6, 5"], "Cannot read the SPEC"),
        (["Conv2d(3, 6, 5)", "--input", "3,32"], "three positive sizes"),
        (["--preset", "nope"], "Unknown preset"),
        ([], "either a SPEC or --preset"),
    ],
)
def test_summary_bad_input_exits_2(capsys, argv, fragment):
    assert main(["summary", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("cnn-tui summary: error:") and fragment in captured.err


@pytest.mark.parametrize("width", [80, 60])
def test_summary_table_never_cuts_a_number(capsys, width):
    """At 80 columns (stdout not a terminal) and narrower, every shown number is whole:
    optional columns are left out first, and the output says so."""
    table = run_json(capsys, "summary", "--preset", "resnet18-transfer", "--json")
    assert main(["summary", "--preset", "resnet18-transfer", "--width", str(width)]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= width
    cells = {cell.strip() for line in out.splitlines() for cell in line.split("│")}
    assert f"{table['total_params']:,}" in out.replace("│", " ").split()
    assert {f"{row['params']:,}" for row in table["layers"]} <= cells
    assert "left out trainable" in " ".join(out.split())
    if f"{table['total_macs']:,}" not in out:
        assert "MACs" in " ".join(out.split()).split("left out")[1]
