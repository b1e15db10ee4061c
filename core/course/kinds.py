"""The kinds of task a pack holds, and the options of each: exactly the long options of the
matching `cnn-tui` command, dashes written as underscores (a test compares them with the CLI's
parsers, so the two cannot drift apart)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.errors import UserError


@dataclass(frozen=True)
class Kind:
    """One kind of task: the command whose options it takes and the workspace that opens it."""

    name: str  # "conv"
    command: str  # the CLI command, e.g. "conv" ("data show" for dataset)
    workspace: str  # the app workspace that opens it
    options: tuple[str, ...]  # accepted option names (CLI long options, _ for -)
    lists: tuple[str, ...] = ()  # repeatable options: a TOML list
    flags: tuple[str, ...] = ()  # on/off options: true or false
    positional: tuple[str, ...] = ()  # the command's positional argument, by name
    checked: bool = False  # an answer is computed and checked (else the student marks it done)


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "conv",
            "conv",
            "conv_lab",
            (
                "preset",
                "input",
                "kernel",
                "bias",
                "stride",
                "padding",
                "padding_mode",
                "dilation",
                "mode",
                "activation",
                "exact_fit",
                "pool",
                "pool_kernel",
                "pool_stride",
                "pool_padding",
                "pool_dilation",
                "ceil_mode",
                "target",
                "grad_output",
                "answer_for",
                "answer_kernel",
            ),
            lists=("kernel", "bias"),
            flags=("exact_fit", "ceil_mode"),
            checked=True,
        ),  # fmt: skip
        Kind(
            "calc",
            "calc",
            "calculators",
            (
                "in",
                "out",
                "kernel",
                "stride",
                "padding",
                "dilation",
                "transposed",
                "pool",
                "output_padding",
                "ceil_mode",
                "answer_for",
            ),
            flags=("transposed", "pool", "ceil_mode"),
            checked=True,
        ),  # fmt: skip
        Kind(
            "summary",
            "summary",
            "calculators",
            ("spec", "preset", "input", "arch_args", "answer_for"),
            positional=("spec",),
            checked=True,
        ),
        Kind(
            "train",
            "train",
            "train",
            (
                "preset",
                "arch",
                "arch_args",
                "dataset",
                "epochs",
                "batch_size",
                "optimizer",
                "lr",
                "betas",
                "momentum",
                "nesterov",
                "weight_decay",
                "augment",
                "normalize",
                "val_split",
                "early_stop",
                "eval_every",
                "schedule",
                "resize",
                "weights",
                "train_size",
                "test_size",
                "seed",
                "device",
                "pipeline",
                "freeze_bn",
            ),
            flags=("nesterov", "freeze_bn"),
        ),  # fmt: skip
        Kind(
            "explain",
            "explain",
            "explain",
            (
                "image",
                "model",
                "weights",
                "random_weights",
                "method",
                "layer",
                "target",
                "channels",
                "filters",
                "reduce",
                "no_relu",
                "counterfactual",
                "normalise",
                "colormap",
                "alpha",
                "gallery",
            ),
            flags=("no_relu", "counterfactual"),
            positional=("image",),
        ),  # fmt: skip
        Kind(
            "dataset",
            "data show",
            "dataset",
            ("dataset", "split", "per_class", "page", "augment", "copies", "seed", "size"),
        ),
        Kind(
            "scratch",
            "scratch",
            "scratch_lab",
            ("run", "samples", "repeats", "variant", "device", "threads", "seed"),
        ),
    )
}
"""Every kind by name, in the order the docs list them."""

OUTPUT_ONLY: dict[str, tuple[str, ...]] = {
    "conv": ("answer", "steps", "compact", "json", "autograd"),
    "calc": ("json",),
    "summary": ("json", "markdown", "code", "width"),
    "train": (
        "data_dir", "runs_dir", "name", "detach", "json", "launcher", "settings", "partition",
        "gpus", "gres", "cpus", "mem", "time", "account", "qos", "activate", "sbatch", "script",
        "tensorboard", "no_requeue",
    ),
    "explain": ("out", "show", "list_layers", "data_dir", "json"),
    "dataset": ("out", "data_dir", "json", "width"),
    "scratch": ("data_dir", "runs_dir", "json"),
}  # fmt: skip
"""The command's options a task does not take: where output goes and how it is printed (the
answer comes from the student, the folders from the student's machine)."""

TRAIN_TARGETS = ("min_test_acc", "within_epochs")
"""A train task's target, checked against the student's run."""

TASK_FIELDS = ("id", "title", "text", "kind", "points")
"""The keys every task may have besides its kind's options."""


class PackError(UserError):
    """A pack or answers file that cannot be used; the message names file, line and task."""


def kind_of(name: Any) -> Kind:
    """The kind called `name`; the error lists the kinds there are."""
    if name not in KINDS:
        raise PackError(f"unknown kind {name!r}; choose one of {', '.join(KINDS)}")
    return KINDS[name]


def option_text(value: Any) -> str:
    """An option's value as the student would type it on the command line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
