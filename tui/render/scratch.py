"""Rich renderings of the Scratch lab's checks, shared by `cnn-tui scratch` and the lab screen."""

from __future__ import annotations

import ast
from pathlib import Path

from rich.console import Group
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

import core.scratch
from core.scratch.results import LayerCheck, NetworkCheck, TimingCheck

VARIANT_TITLES = {"loop": "loop (explicit sums)", "vectorised": "vectorised (unfold + matmul)"}
"""How each scratch implementation is named in tables."""

SHORT_TITLES = {"loop": "scratch, loop", "vectorised": "scratch, vectorised"}
"""The same, where a table has less room."""

PASS_DIFF = 1e-4  # a mean |difference| below this counts as "the same" for float32


def _verdict(value: float) -> Text:
    if value < PASS_DIFF:
        return Text("same", style="bold green")
    return Text("differs", style="bold red")


def layer_table(check: LayerCheck) -> Group:
    """Mean |scratch - PyTorch| before and after copying the state_dict, per variant."""
    shape = "x".join(map(str, check.input_shape))
    title = Text(f"{check.layer} on a random {shape} input: mean |scratch - PyTorch|")
    table = Table()
    table.add_column("scratch variant")
    table.add_column("before copy", justify="right")
    table.add_column("after copy", justify="right")
    table.add_column("")
    for variant in check.diff_after:
        after = check.diff_after[variant]
        table.add_row(
            VARIANT_TITLES[variant],
            f"{check.diff_before[variant]:.3g}",
            f"{after:.3g}",
            _verdict(after),
        )
    return Group(title, table)


def network_text(check: NetworkCheck, dataset: str, classes: tuple[str, ...] = ()) -> Group:
    """Accuracy, agreement and the predictions of both networks on the same test images."""
    title = Text(f"Network on the first {check.samples} test images of {dataset}\n{check.source}")
    summary = Table()
    summary.add_column("network")
    summary.add_column("accuracy", justify="right")
    summary.add_column("same as PyTorch", justify="right")
    summary.add_column("mean |logit diff|", justify="right")
    summary.add_row("PyTorch", f"{check.accuracy_torch:.0%}", "", "")
    summary.add_row("scratch, before copy", "", "", f"{check.logits_diff_before:.3g}")
    for variant in check.predictions_scratch:
        summary.add_row(
            SHORT_TITLES[variant],
            f"{check.accuracy_scratch(variant):.0%}",
            f"{check.agreement(variant):.0%}",
            f"{check.logits_diff_after[variant]:.3g}",
        )
    return Group(title, summary, _predictions(check, classes))


def _predictions(check: NetworkCheck, classes: tuple[str, ...]) -> Text:
    def name(index: int) -> str:
        return classes[index] if 0 <= index < len(classes) else str(index)

    text = Text("label -> PyTorch / scratch (loop): ", style="dim")
    for i, label in enumerate(check.labels):
        ours, theirs = check.predictions_torch[i], check.predictions_scratch["loop"][i]
        style = "green" if ours == label else "red"
        if ours != theirs:
            style = "bold magenta"
        text.append(f"{name(label)}->{name(ours)}/{name(theirs)}", style=style)
        text.append("  ")
    return text


def timing_table(check: TimingCheck) -> Group:
    """Median inference time per forward pass and the ratio scratch / PyTorch."""
    title = Text(
        f"Inference time, {check.batch} images per pass on {check.device}: "
        f"median of {check.repeats} interleaved repeats"
    )
    table = Table()
    table.add_column("network")
    table.add_column("ms / pass", justify="right")
    table.add_column("scratch / PyTorch", justify="right")
    table.add_row("PyTorch", f"{check.torch_seconds * 1e3:.3f}", "1.0x")
    for variant in check.scratch_seconds:
        table.add_row(
            f"scratch, {VARIANT_TITLES[variant]}",
            f"{check.scratch_seconds[variant] * 1e3:.3f}",
            Text(f"{check.ratio(variant):.1f}x", style="bold"),
        )
    return Group(title, table)


FORWARD_METHODS = ("forward", "_forward_loop", "_forward_vectorised")
"""The methods that hold the exercise's sums, shown in the lab next to their results."""


def forward_code() -> Syntax:
    """The loop and vectorised forward passes of both scratch layers, read from core/scratch/layers.py.

    Read as text (not imported) so showing the code never waits for torch.
    """
    path = Path(core.scratch.__file__).parent / "layers.py"
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    parts = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name in ("ScratchLinear", "ScratchConv2d"):
            methods = [
                "\n".join(lines[item.lineno - 1 : item.end_lineno])
                for item in node.body
                if isinstance(item, ast.FunctionDef) and item.name in FORWARD_METHODS
            ]
            parts.append(f"class {node.name}(nn.Module):\n    ...\n\n" + "\n\n".join(methods))
    return Syntax("\n\n\n".join(parts), "python", theme="ansi_dark", background_color="default")
