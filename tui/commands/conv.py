"""`cnn-tui conv`: an exact worked convolution / pooling / backprop example, and answer checking."""

from __future__ import annotations

import argparse
import json
import re

NAME = "conv"
HELP = "exact worked convolution, pooling and backprop examples; check your own answer"

EPILOG = """matrices: rows separated by ';', values by spaces or commas; channels by '|'.
Numbers may be integers, decimals or fractions (1/3); results stay exact.
Negative values work as they are: --bias -1/2, --kernel -1/2.

examples:
  cnn-tui conv --preset a1 --steps
  cnn-tui conv --input "1 0 2 3 1; 3 2 0 7 0; 0 6 1 1 4" --kernel "-1 0 1; -2 0 2; -1 0 1" \\
      --padding 1 --padding-mode reflect --mode convolution
  cnn-tui conv --preset a4-maxpool --steps --json
  cnn-tui conv --preset a4-mse --autograd
  cnn-tui conv --preset a1 --answer "2 0 0 1 2; 0 2 1 0 0; 0 0 1 2 0; 1 0 0 0 2"
"""

QUANTITY_CHOICES = ("output", "pre_activation", "pooled", "grad_weight", "grad_bias", "grad_input")

NEGATIVE_VALUE = re.compile(r"^-\.?\d")
"""A word starting like a negative number ("-1/2", "-1,0;2") is a value, not an option.
argparse's own rule only knows plain integers and decimals; no option of `conv` looks like this."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser._negative_number_matcher = NEGATIVE_VALUE
    parser.add_argument(
        "--preset",
        metavar="ID",
        help="start from an exercise preset (a1, a1-stride2, a2-zeros, "
        "a2-reflect, a3, a4-mse, a4-maxpool, a4-stride2); flags override it",
    )
    parser.add_argument("--input", metavar="M", help="input matrix (channels separated by |)")
    parser.add_argument(
        "--kernel",
        metavar="K",
        action="append",
        help="kernel (one matrix per input channel, |-separated); repeat for more",
    )
    parser.add_argument(
        "--bias",
        metavar="B",
        action="append",
        help="bias per kernel (repeat, or one for all; default 0)",
    )
    parser.add_argument("--stride", metavar="S", help="stride: S or ROWS,COLS (default 1)")
    parser.add_argument(
        "--padding",
        metavar="P",
        help="padding: P, ROWS,COLS, TOP,BOTTOM,LEFT,RIGHT or 'same' (default 0)",
    )
    parser.add_argument(
        "--padding-mode",
        choices=("zeros", "reflect", "replicate", "circular"),
        help="what the padding holds (default zeros)",
    )
    parser.add_argument("--dilation", metavar="D", help="dilation: D or ROWS,COLS (default 1)")
    parser.add_argument(
        "--mode",
        choices=("correlation", "convolution"),
        help="correlation = nn.Conv2d; convolution = kernel flipped (default correlation)",
    )
    parser.add_argument("--activation", choices=("none", "relu"), help="default none")
    parser.add_argument(
        "--exact-fit",
        action="store_true",
        default=None,
        help="refuse a stride/padding whose last window does not end at the border",
    )
    parser.add_argument(
        "--pool", choices=("none", "max", "avg"), help="pooling after the activation"
    )
    parser.add_argument("--pool-kernel", metavar="K", help="pooling window (default 2)")
    parser.add_argument("--pool-stride", metavar="S", help="pooling stride (default: the window)")
    parser.add_argument("--pool-padding", metavar="P", help="pooling padding (default 0)")
    parser.add_argument("--pool-dilation", metavar="D", help="max-pooling dilation (default 1)")
    parser.add_argument(
        "--ceil-mode",
        action="store_true",
        default=None,
        help="round the pooled size up (PyTorch ceil_mode)",
    )
    loss = parser.add_mutually_exclusive_group()
    loss.add_argument(
        "--target",
        metavar="M",
        help="MSE target y for the final output: E = mean((o − y)²); gives every gradient",
    )
    loss.add_argument("--grad-output", metavar="M", help="upstream gradient dE/do instead")
    parser.add_argument(
        "--answer",
        metavar="M",
        help="your answer, checked and diagnosed (exit status 1 when wrong)",
    )
    parser.add_argument(
        "--answer-for",
        choices=QUANTITY_CHOICES,
        help="what --answer is (default: pooled with pooling, else output)",
    )
    parser.add_argument(
        "--answer-kernel",
        type=int,
        default=1,
        metavar="N",
        help="which kernel's map --answer is (default 1)",
    )
    parser.add_argument("--steps", action="store_true", help="show every step's arithmetic")
    parser.add_argument(
        "--compact",
        action="store_true",
        help="with --steps: leave out gradient terms whose product is 0 "
        "(the sum and how many were left out stay)",
    )
    parser.add_argument(
        "--autograd",
        action="store_true",
        help="with --target or --grad-output: the same gradients by PyTorch autograd "
        "beside the exact values, with the largest difference",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def inputs_from_args(args: argparse.Namespace):
    """LabInputs from the preset (if any) with every given flag on top: the translation course
    packs use too (`core.course.conv_options.conv_inputs`), so a pack's options mean what the flags do."""
    from core.course.conv_options import conv_inputs

    return conv_inputs(vars(args))


def run(args: argparse.Namespace) -> int:
    from core.convlab.check import check_answer
    from core.convlab.export import solution_to_json
    from core.convlab.matrix import parse_channels
    from core.convlab.problem import solve

    problem = inputs_from_args(args).problem()
    solution = solve(problem)
    check = None
    if args.answer:
        quantity = args.answer_for or ("pooled" if problem.pool else "output")
        answer = parse_channels(args.answer, name="answer")
        check = check_answer(problem, answer, quantity, args.answer_kernel - 1)
    wrong = int(check is not None and not check.correct)  # exit status 1, like diff
    compared = None
    if args.autograd:
        if solution.backward is None:
            from core.convlab.conv import ConvError

            raise ConvError(
                "--autograd compares gradients: give --target (MSE) or --grad-output, "
                "or a preset with one (a4-mse, a4-maxpool, a4-stride2)."
            )
        from core.convlab.autograd import autograd_check

        compared = autograd_check(problem, solution)
    if args.json:
        data = solution_to_json(solution, check)
        if compared is not None:
            data["autograd"] = autograd_json(compared)
        print(json.dumps(data))
        return wrong
    from tui.render.conv import print_report

    print_report(solution, check, steps=args.steps, compact=args.compact)
    if compared is not None:
        print("PyTorch autograd (float64) beside the exact gradients:")
        for line in compared.lines():
            print(f"  {line}")
    return wrong


def autograd_json(compared) -> dict:
    """The comparison as JSON: exact values as fractions (strings), autograd as floats."""
    return {
        "loss": None
        if compared.loss is None
        else {"exact": str(compared.loss[0]), "autograd": compared.loss[1]},
        "gradients": [
            {"label": p.label, "exact": str(p.exact), "autograd": p.autograd}
            for p in compared.pairs
        ],
        "largest_difference": compared.largest_difference,
    }
