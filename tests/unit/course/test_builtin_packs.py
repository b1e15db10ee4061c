"""The built-in packs validate, solve, and reproduce the course sheet's exercise inputs exactly
(the Conv lab's and Calculators' presets are read from them)."""

from __future__ import annotations

import pytest

from core.convlab.inputs import LabInputs
from core.course.builtin import builtin_names, builtin_pack
from core.course.kinds import KINDS, OUTPUT_ONLY
from core.course.solve import answer_checked, solve_pack
from core.exercises.calc_presets import ARCHITECTURE_EXAMPLES, EXERCISE_PARTS, LAYER_EXAMPLES
from core.exercises.conv_presets import conv_presets
from core.models.zoo import PRESETS

X_A1 = "1 0 0 1 1 0; 0 1 0 0 0 1; 0 0 1 1 0 0; 1 0 0 0 1 0; 1 0 0 0 0 1"
K_A1 = ("1 0; 0 1", "1 0; 1 0", "1 1; 0 0")
SOBEL_IMAGE = "1 0 2 3 1; 3 2 0 7 0; 0 6 1 1 4"
SOBEL = ("-1 0 1; -2 0 2; -1 0 1",)
X5 = "1 2 0 3 1; 0 1 2 1 2; 3 0 1 2 0; 1 1 0 2 1; 2 0 1 1 3"
SHEET_A = {
    "a1": LabInputs(X_A1, K_A1, biases="-1 -1 -1", activation="relu"),
    "a1-stride2": LabInputs(X_A1, K_A1, biases="-1 -1 -1", activation="relu", stride="2"),
    "a2-zeros": LabInputs(SOBEL_IMAGE, SOBEL, padding="1", mode="convolution"),
    "a2-reflect": LabInputs(
        SOBEL_IMAGE, SOBEL, padding="1", padding_mode="reflect", mode="convolution"
    ),
    "a3": LabInputs(X5, ("0 1 0; 1 -2 1; 0 1 2",), padding="same", mode="convolution"),
    "a4-mse": LabInputs(
        "1 2 0 3; 0 1 2 1; 3 0 1 2; 1 1 0 2", ("1 0; -1 2",), target="1 0 2; 0 1 1; 2 1 0"
    ),
    "a4-maxpool": LabInputs(
        X5,
        ("1 0; -1 2",),
        biases="-1",
        activation="relu",
        pool="max",
        pool_kernel="2",
        target="1 0; 0 2",
    ),
    "a4-stride2": LabInputs(X5, ("1 0 1; -1 2 0; 0 1 1",), stride="2", target="1 0; 2 1"),
}
"""Exercises A1–A4 as written on the sheet (A3, A4: the small example inputs)."""

SHEET_B_LAYERS = {
    "b1": ({"in_size": 32, "out_size": None, "kernel": 5, "stride": 1, "padding": 0}, "conv"),
    "b1-uneven": (
        {"in_size": 32, "out_size": None, "kernel": 4, "stride": 3, "padding": 0},
        "conv",
    ),
    "b2": ({"in_size": 32, "out_size": 32, "kernel": 5, "stride": 1, "padding": None}, "conv"),
    "b3-kernel": (
        {"in_size": 512, "out_size": 504, "kernel": None, "stride": 1, "padding": 0},
        "conv",
    ),
    "b3-pool": ({"in_size": 504, "out_size": None, "kernel": 2, "stride": 2, "padding": 0}, "pool"),
    "b3-conv": ({"in_size": 252, "out_size": None, "kernel": 3, "stride": 1, "padding": 0}, "conv"),
    "b4-single-size": (
        {"in_size": 32, "out_size": None, "kernel": 4, "stride": 2, "padding": 2},
        "conv",
    ),
}


@pytest.mark.parametrize("name", builtin_names())
def test_each_builtin_pack_validates_and_solves(name):
    pack = builtin_pack(name)
    solved = solve_pack(pack)
    assert [t.id for t in pack.tasks] == list(solved)
    for task in pack.tasks:
        assert (solved[task.id].judge is None) == (not answer_checked(task))
        assert KINDS[task.kind].checked or task.kind == "train" or not answer_checked(task)


def test_builtin_packs_cover_every_exercise_letter():
    assert builtin_names() == ("a-convolution", "b-shapes", "c-training", "d-explain")


def test_conv_presets_come_from_the_pack_and_match_the_sheet():
    presets = conv_presets()
    assert {p.id: p.inputs for p in presets} == SHEET_A
    assert [p.key for p in presets] == [f"f{n}" for n in range(2, 10)]


def test_calculator_presets_come_from_the_pack_and_match_the_sheet():
    assert {e.key: (e.values, e.kind) for e in LAYER_EXAMPLES} == SHEET_B_LAYERS
    by_key = {e.key: e for e in ARCHITECTURE_EXAMPLES}
    assert by_key["b4"].spec == PRESETS["convnet-32-64-128"].spec
    assert by_key["b3"].input_shape == (3, 512, 512)
    for name, preset in PRESETS.items():  # B6: every model preset, as the zoo defines it
        assert (by_key[name].spec, by_key[name].input_shape) == (preset.spec, preset.input_shape)
    assert EXERCISE_PARTS["b3"] == (
        "layer:b3-kernel",
        "layer:b3-pool",
        "layer:b3-conv",
        "architecture:b3",
    )
    assert list(EXERCISE_PARTS) == ["b1", "b2", "b3", "b4", "b5", "b6"]


def _long_options(parser) -> set[str]:
    names = set()
    for action in parser._actions:
        if action.dest == "help":
            continue
        if action.option_strings:
            names.add(max(action.option_strings, key=len).lstrip("-").replace("-", "_"))
        elif action.nargs != "A...":
            names.add(action.dest)
    return names


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_kinds_options_are_its_commands_long_options(kind):
    from tui.cli import build_parser

    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    words = KINDS[kind].command.split()
    parser = subparsers.choices[words[0]]
    for word in words[1:]:
        parser = next(a for a in parser._actions if a.nargs == "A...").choices[word]
    cli = _long_options(parser) - set(OUTPUT_ONLY[kind])
    cli = {"nesterov" if name == "no_nesterov" else name for name in cli}
    assert set(KINDS[kind].options) - {"answer_for"} == cli - {"answer_for"}


def test_builtin_progress_is_kept_by_name_and_read_from_its_old_place(monkeypatch, tmp_path):
    """A built-in pack's progress file does not depend on where the app is installed; a file
    saved under the install location's digest before is still read."""
    from core.course import progress
    from core.course.builtin import builtin_pack

    pack = builtin_pack("a-convolution")
    assert progress.progress_file(pack).name == "a-convolution-builtin.json"
    old = progress._located_file(pack)
    old.parent.mkdir(parents=True)
    old.write_text('{"tasks": {"a1": {"answer": "1", "status": "attempted"}}}')
    assert progress.load_progress(pack) == {"a1": {"answer": "1", "status": "attempted"}}
    progress.record(pack, "a1", "2", correct=True)
    assert progress.progress_file(pack).exists()
    assert progress.load_progress(pack)["a1"] == {"answer": "2", "status": "correct"}
