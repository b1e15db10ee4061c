"""The Calculators' quiz state: hidden values judged by the course solver, against PyTorch
(output sizes of real layers, parameter counts and shapes of instantiated modules); first-try
score, reveal, and the numbers that would give a hidden value away."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from core.course.builtin import CALC_PACK, builtin_pack
from core.course.calc_quiz import layer_quiz, table_quiz, task_quiz
from core.course.solve import solve_task, summary_solved, summary_table
from core.errors import UserError

torch.set_num_threads(1)

B4 = (
    "Conv2d(3, 32, 5, padding=2), ReLU(), MaxPool2d(2), Conv2d(32, 64, 5, padding=2), ReLU(), "
    "MaxPool2d(2), Flatten(), Linear(4096, 10)"
)


def b4_module() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4096, 10),
    )


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation"),
    [(32, 5, 1, 0, 1), (32, 4, 3, 0, 1), (17, 3, 2, 1, 2), (9, 3, 2, 2, 1)],
)
def test_a_blank_output_is_right_at_pytorchs_size_and_wrong_one_off(
    size, kernel, stride, padding, dilation
):
    layer = nn.Conv2d(1, 1, kernel, stride, padding, dilation)
    out = layer(torch.zeros(1, 1, size, size)).shape[-1]
    options = dict(
        {"in": size, "out": None, "kernel": kernel, "stride": stride},
        padding=padding,
        dilation=dilation,
    )
    quiz = layer_quiz(options)
    assert quiz.keys == ["out"] and quiz.hidden() == {"out"}
    wrong = quiz.enter("out", str(out + 1))
    assert not wrong.right and wrong.text.startswith("✗ out")
    assert quiz.hidden() == {"out"} and quiz.state("out") == "wrong"
    assert quiz.enter("out", f" {out} ").right
    assert quiz.done and quiz.all_right and quiz.score() == "0/1 right first try · done"


def test_the_missing_plus_one_is_diagnosed():
    quiz = layer_quiz({"in": 32, "out": None, "kernel": 5, "stride": 1, "padding": 0})
    out = nn.Conv2d(1, 1, 5)(torch.zeros(1, 1, 32, 32)).shape[-1]
    assert "The + 1 of the formula is missing" in quiz.enter("out", str(out - 1)).text


def test_a_solved_padding_and_output_padding_rebuild_pytorchs_sizes():
    quiz = layer_quiz({"in": 32, "out": 32, "kernel": 5, "stride": 1, "padding": None})
    padding = int(quiz.answer("padding"))
    assert nn.Conv2d(1, 1, 5, padding=padding)(torch.zeros(1, 1, 32, 32)).shape[-1] == 32
    assert quiz.enter("padding", str(padding)).right and quiz.all_right
    options = {"in": 3, "out": 6, "kernel": 3, "stride": 2, "padding": 1, "transposed": True}
    quiz = layer_quiz({**options, "output_padding": None})
    extra = int(quiz.answer("output_padding"))
    layer = nn.ConvTranspose2d(1, 1, 3, 2, 1, output_padding=extra)
    assert layer(torch.zeros(1, 1, 3, 3)).shape[-1] == 6
    assert not quiz.enter("output_padding", str(extra + 1)).right
    assert quiz.enter("output_padding", str(extra)).right


def test_an_unreadable_answer_is_refused_and_not_counted():
    quiz = layer_quiz({"in": 32, "out": None, "kernel": 5, "stride": 1, "padding": 0})
    for text in ("twenty", "", "2 8"):
        with pytest.raises(UserError):
            quiz.enter("out", text)
    assert quiz.first_try == {} and quiz.entries == {}


def test_reveal_and_the_score_line():
    quiz = layer_quiz({"in": 32, "out": None, "kernel": 4, "stride": 3, "padding": None})
    assert quiz.keys == ["out", "padding"] and quiz.next_hidden() == "out"
    quiz.reveal("out")
    assert quiz.state("out") == "revealed" and quiz.next_hidden("out") == "padding"
    assert quiz.score() == "0/2 right first try · 1 revealed · 1 to go"
    quiz.reveal_all()
    assert quiz.done and not quiz.all_right


def test_every_table_value_matches_the_instantiated_module():
    table = summary_table({"spec": B4, "input": "3,32,32"})
    quiz = table_quiz(table, {"spec": B4, "input": "3,32,32"})
    module, x = b4_module(), torch.zeros(1, 3, 32, 32)
    for index, layer in enumerate(module):
        x = layer(x)
        params = sum(p.numel() for p in layer.parameters())
        assert quiz.enter(f"layers[{index}].params", f"{params:,}").right
        shape = ",".join(map(str, x.shape[1:]))
        assert quiz.enter(f"layers[{index}].output_shape", shape).right
    total = sum(p.numel() for p in module.parameters())
    weights = sum(p.numel() for name, p in module.named_parameters() if "weight" in name)
    verdict = quiz.enter("total_params", str(weights))
    assert not verdict.right and "biases are missing" in verdict.text
    assert quiz.enter("total_params", str(total)).right
    assert "layers[6].receptive_field" not in quiz.items  # Flatten has none to ask
    assert quiz.labels["layers[3].params"] == "layer 3 (Conv2d) params"


def test_numbers_that_give_a_hidden_value_away_stay_concealed():
    table = summary_table({"spec": B4, "input": "3,32,32"})
    rows = len(table.rows)
    quiz = table_quiz(table, {"spec": B4, "input": "3,32,32"})
    assert quiz.concealed(0, "weights", rows) and quiz.concealed(0, "jump", rows)
    assert quiz.concealed(None, "biases", rows)  # the totals row's, while total params hides
    quiz.reveal("layers[0].params")
    assert not quiz.concealed(0, "weights", rows) and quiz.concealed(1, "weights", rows)
    assert quiz.concealed(None, "weights", rows)
    assert not quiz.concealed(0, "type", rows)


def test_a_summary_task_hides_its_own_group_only():
    pack = builtin_pack(CALC_PACK)
    task = pack.task("b4")  # total parameters of B4
    table = summary_table(task.options)
    quiz = task_quiz(summary_solved(task, table), "total params")
    rows = len(table.rows)
    assert quiz.keys == [task.answer_for] and quiz.items[task.answer_for].task is task
    assert quiz.concealed(0, "params", rows) and quiz.concealed(None, "trainable", rows)
    assert not quiz.concealed(0, "output_shape", rows) and not quiz.concealed(0, "RF", rows)
    assert quiz.hides("params") and not quiz.hides("field")
    right = solve_task(task).answer_text
    assert quiz.enter(task.answer_for, right).right and not quiz.concealed(0, "params", rows)
