"""`cnn-tui conv`: JSON contract checked against PyTorch, rich steps, answer check, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import torch
import torch.nn.functional as F

from tui.cli import main

A2_X = torch.tensor([[1.0, 0, 2, 3, 1], [3, 2, 0, 7, 0], [0, 6, 1, 1, 4]])[None, None]
SOBEL = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])[None, None]


def run_json(capsys, *argv: str, status: int = 0) -> dict:
    assert main(["conv", *argv, "--json"]) == status
    return json.loads(capsys.readouterr().out)


def test_a2_reflect_convolution_json(capsys):
    data = run_json(
        capsys,
        "--input",
        "1 0 2 3 1; 3 2 0 7 0; 0 6 1 1 4",
        "--kernel",
        "-1 0 1; -2 0 2; -1 0 1",
        "--padding",
        "1",
        "--padding-mode",
        "reflect",
        "--mode",
        "convolution",
    )
    expected = F.conv2d(F.pad(A2_X, (1, 1, 1, 1), mode="reflect"), SOBEL.flip(2, 3))[0, 0]
    (entry,) = data["outputs"]
    assert entry["output"] == expected.int().tolist()
    assert len(entry["steps"]) == 15 and entry["steps"][0]["out"] == [0, 0]
    corner = entry["steps"][0]["window"][0]
    assert corner["padding"] and corner["source"] == [1, 1]  # reflect: x[1,1] mirrored out
    assert corner["x"] == int(F.pad(A2_X, (1, 1, 1, 1), mode="reflect")[0, 0, 0, 0])


def test_a1_preset_with_three_kernels_and_answer_check(capsys):
    answer = "1 0 0 0 1; 0 1 0 0 0; 0 0 0 1 0; 0 0 0 0 2"
    data = run_json(capsys, "--preset", "a1", "--answer", answer, status=1)  # wrong: exit 1
    assert len(data["outputs"]) == 3
    assert "+ (−1)" in data["outputs"][0]["steps"][0]["text"]
    assert data["check"]["correct"] is False
    assert data["check"]["wrong_cells"] == [[3, 4]]


def test_backward_json_matches_autograd(capsys):
    data = run_json(capsys, "--preset", "a4-maxpool")
    x = torch.tensor(
        [[1.0, 2, 0, 3, 1], [0, 1, 2, 1, 2], [3, 0, 1, 2, 0], [1, 1, 0, 2, 1], [2, 0, 1, 1, 3]]
    )[None, None].requires_grad_(True)
    w = torch.tensor([[1.0, 0], [-1, 2]])[None, None].requires_grad_(True)
    b = torch.tensor([-1.0], requires_grad=True)
    pooled = F.max_pool2d(F.relu(F.conv2d(x, w, b)), 2)
    F.mse_loss(pooled, torch.tensor([[1.0, 0], [0, 2]])[None, None]).backward()
    assert data["pooled"] == [pooled[0, 0].int().tolist()]
    assert torch.allclose(torch.tensor(data["grad_weight"][0][0]), w.grad[0, 0])
    assert torch.allclose(torch.tensor(data["grad_input"][0]), x.grad[0, 0])
    assert data["grad_bias"] == [b.grad.item()]


def test_rich_steps_show_every_cell(capsys):
    assert main(["conv", "--preset", "a1-stride2", "--steps"]) == 0
    out = capsys.readouterr().out
    assert out.count("o[") == 18  # 3 kernels × 2×3 outputs
    assert "+ (−1)" in out


def test_errors_exit_2_with_a_message():
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "conv", "--input", "1 2; 3", "--kernel", "1"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "cnn-tui conv: error: The input is ragged" in result.stderr
    assert "Traceback" not in result.stderr


def test_kernel_too_large_is_a_user_error(capsys):
    assert main(["conv", "--input", "1 2; 3 4", "--kernel", "1 1 1; 1 1 1; 1 1 1"]) == 2
    assert "kernel spans 3" in capsys.readouterr().err


def test_exact_fit_refuses_a_ragged_stride(capsys):
    argv = ["conv", "--input", "1 2 3 4; 5 6 7 8", "--kernel", "1 1", "--stride", "2"]
    assert main([*argv, "--json"]) == 0
    x = torch.arange(1.0, 9.0).reshape(1, 1, 2, 4)  # (1, 1, 2, 4)
    expected = F.conv2d(x, torch.ones(1, 1, 1, 2), stride=2)[0, 0]  # one row: (2 − 1) // 2 + 1
    assert json.loads(capsys.readouterr().out)["outputs"][0]["output"] == expected.int().tolist()
    assert main([*argv, "--exact-fit"]) == 2
    assert "not a whole number" in capsys.readouterr().err


def test_negative_fractions_need_no_equals_sign(capsys):
    data = run_json(capsys, "--input", "1 2; 3 4", "--kernel", "-1/2", "--bias", "-1/2")
    x = torch.tensor([[1.0, 2], [3, 4]])[None, None]
    expected = F.conv2d(x, torch.tensor([[[[-0.5]]]]), torch.tensor([-0.5]))[0, 0]  # (2, 2)
    assert data["outputs"][0]["output"] == expected.tolist()


def test_compact_steps_leave_out_zero_products_but_keep_the_sum(capsys):
    assert main(["conv", "--preset", "a4-maxpool", "--steps", "--compact"]) == 0
    compact = capsys.readouterr().out
    assert main(["conv", "--preset", "a4-maxpool", "--steps"]) == 0
    full = capsys.readouterr().out
    x = torch.tensor(
        [[1.0, 2, 0, 3, 1], [0, 1, 2, 1, 2], [3, 0, 1, 2, 0], [1, 1, 0, 2, 1], [2, 0, 1, 1, 3]]
    )[None, None]
    w = torch.tensor([[1.0, 0], [-1, 2]])[None, None].requires_grad_(True)
    pooled = F.max_pool2d(F.relu(F.conv2d(x, w, torch.tensor([-1.0]))), 2)
    F.mse_loss(pooled, torch.tensor([[1.0, 0], [0, 2]])[None, None]).backward()
    line = next(row for row in compact.splitlines() if "dE/dw[0,0] =" in row)
    terms = line.split("=")[1].split("+")
    assert all(not term.strip().startswith("0·") for term in terms)
    total = sum(eval(term.replace("·", "*").replace("(−", "(-")) for term in terms)
    assert total == w.grad[0, 0, 0, 0] and line.rstrip().endswith("(12 zero terms left out)")
    assert "0·1 + 3/2·2" in full and "zero terms left out" not in full


def test_a_correct_answer_exits_0_and_a_wrong_one_1(capsys):
    x = torch.tensor(
        [
            [1.0, 0, 0, 1, 1, 0],
            [0, 1, 0, 0, 0, 1],
            [0, 0, 1, 1, 0, 0],
            [1, 0, 0, 0, 1, 0],
            [1, 0, 0, 0, 0, 1],
        ]
    )[None, None]  # A1's image
    right = F.relu(F.conv2d(x, torch.tensor([[1.0, 0], [0, 1]])[None, None], stride=2) - 1)
    text = "; ".join(" ".join(str(int(v)) for v in row) for row in right[0, 0].tolist())
    assert main(["conv", "--preset", "a1-stride2", "--answer", text]) == 0
    assert "correct" in capsys.readouterr().out.lower()
    wrong = text.replace("1", "2", 1)
    assert main(["conv", "--preset", "a1-stride2", "--answer", wrong]) == 1


def test_decimal_answer_is_accepted_with_its_fractions(capsys):
    x = torch.tensor([[1.0, 2, 0, 3], [0, 1, 2, 1], [3, 0, 1, 2], [1, 1, 0, 2]])[None, None]
    w = torch.tensor([[1.0, 0], [-1, 2]])[None, None].requires_grad_(True)
    target = torch.tensor([[1.0, 0, 2], [0, 1, 1], [2, 1, 0]])[None, None]
    F.mse_loss(F.conv2d(x, w), target).backward()
    typed = "; ".join(" ".join(f"{v:.2f}" for v in row) for row in w.grad[0, 0].tolist())
    argv = ["conv", "--preset", "a4-mse", "--answer-for", "grad_weight", "--answer", typed]
    assert main(argv) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "7.33 ≈ 22/3" in out
    assert main(argv[:-1] + [typed.replace("7.33", "7.34")]) == 1


def test_a1b_says_which_input_row_the_stride_drops(capsys):
    x = torch.zeros(1, 1, 5, 6, requires_grad=True)
    F.conv2d(x, torch.ones(1, 1, 2, 2), stride=2).sum().backward()
    dropped = [r for r in range(5) if x.grad[0, 0, r].abs().sum() == 0]  # rows no window reads
    data = run_json(capsys, "--preset", "a1-stride2")
    assert data["unread"]["rows"] == dropped == [4] and data["unread"]["columns"] == []
    assert main(["conv", "--preset", "a1-stride2"]) == 0
    assert "Stride 2 drops input row 4" in " ".join(capsys.readouterr().out.split())
    assert run_json(capsys, "--preset", "a1")["unread"]["note"] == ""


def test_autograd_flag_prints_torch_autograd_beside_the_exact_values(capsys):
    """`--autograd`: A4's gradients by autograd (computed here independently) and the largest gap."""
    x = torch.tensor(
        [[1.0, 2, 0, 3, 1], [0, 1, 2, 1, 2], [3, 0, 1, 2, 0], [1, 1, 0, 2, 1], [2, 0, 1, 1, 3]],
        dtype=torch.float64,
    )[None, None].requires_grad_(True)
    w = torch.tensor([[1.0, 0], [-1, 2]], dtype=torch.float64)[None, None].requires_grad_(True)
    b = torch.tensor([-1.0], dtype=torch.float64, requires_grad=True)
    pooled = F.max_pool2d(F.relu(F.conv2d(x, w, b)), 2)
    target = torch.tensor([[1.0, 0], [0, 2]], dtype=torch.float64)[None, None]
    loss = F.mse_loss(pooled, target)
    loss.backward()
    data = run_json(capsys, "--preset", "a4-maxpool", "--autograd")["autograd"]
    got = {g["label"]: g["autograd"] for g in data["gradients"]}
    assert got["dE/dw[1,1]"] == w.grad[0, 0, 1, 1].item()
    assert got["dE/db"] == b.grad.item()
    assert [got[f"dE/dx[{i},{j}]"] for i in range(5) for j in range(5)] == x.grad.flatten().tolist()
    assert data["loss"]["autograd"] == loss.item()
    assert data["largest_difference"] == 0.0  # dyadic values: float64 is exact here

    assert main(["conv", "--preset", "a4-maxpool", "--autograd"]) == 0
    out = capsys.readouterr().out
    assert "PyTorch autograd (float64)" in out and "largest difference: 0" in out
    line = next(row for row in out.splitlines() if row.strip().startswith("dE/dw[1,1]"))
    assert f"autograd {w.grad[0, 0, 1, 1].item():>12.6f}" in line


def test_autograd_without_a_loss_says_what_to_give(capsys):
    assert main(["conv", "--preset", "a1", "--autograd"]) == 2
    assert "give --target (MSE) or --grad-output" in capsys.readouterr().err
