"""A malformed pack is refused with a message naming the file, the TOML line and the task id;
an unknown kind or option lists the valid ones."""

from __future__ import annotations

import pytest

from core.course.kinds import KINDS, PackError
from core.course.pack import load_pack
from core.course.solve import solve_pack

GOOD = """[course]
title = "Sheet"

[[task]]
id = "1a"
kind = "calc"
in = 32
kernel = 5
stride = 1
padding = 0
answer_for = "out"
"""


def _load(tmp_path, text):
    path = tmp_path / "sheet.toml"
    path.write_text(text, encoding="utf-8")
    return path, solve_pack(load_pack(path))


def _error(tmp_path, text) -> str:
    with pytest.raises(PackError) as caught:
        _load(tmp_path, text)
    return str(caught.value)


def test_a_good_pack_loads(tmp_path):
    _, solved = _load(tmp_path, GOOD)
    assert solved["1a"].answer_text == "28"


def test_bad_toml_names_file_and_line(tmp_path):
    message = _error(tmp_path, GOOD + "\n[[task]]\nid = \n")
    assert "sheet.toml, line 14" in message and "not valid TOML" in message


def test_unknown_kind_lists_the_kinds(tmp_path):
    message = _error(tmp_path, GOOD.replace('kind = "calc"', 'kind = "quiz"'))
    assert "line 6" in message and "'1a'" in message
    assert all(kind in message for kind in KINDS)


def test_unknown_option_lists_the_commands_options(tmp_path):
    message = _error(tmp_path, GOOD.replace("kernel = 5", "kernal = 5"))
    assert "line 8" in message and "'1a'" in message and "'kernal'" in message
    assert "in, out, kernel, stride, padding" in message


def test_duplicate_id(tmp_path):
    message = _error(tmp_path, GOOD + GOOD.split("\n", 3)[3])
    assert "line 12" in message and "used twice (first on line 4)" in message


def test_a_task_that_cannot_be_solved_names_its_line(tmp_path):
    text = (
        GOOD
        + '\n[[task]]\nid = "2"\nkind = "conv"\ninput = "1 2; 3 4"\nkernel = "1 2 3; 4 5 6; 7 8 9"\n'
    )
    message = _error(tmp_path, text)
    assert "line 13, task '2': cannot be solved" in message


def test_answer_for_must_be_the_blank(tmp_path):
    message = _error(tmp_path, GOOD.replace('answer_for = "out"', 'answer_for = "kernel"'))
    assert "answer_for must name the value left out, one of: out" in message


def test_wrong_value_types(tmp_path):
    assert "true or false" in _error(tmp_path, GOOD.replace("in = 32", "in = 32\npool = 1"))
    assert "whole number" in _error(tmp_path, GOOD.replace("in = 32", 'in = "32"'))
    assert "points must be" in _error(tmp_path, GOOD.replace("in = 32", "points = -1\nin = 32"))


def test_a_missing_file(tmp_path):
    with pytest.raises(PackError, match="cannot read it"):
        load_pack(tmp_path / "nope.toml")
