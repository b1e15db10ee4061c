"""`cnn-tui conv`'s options as the Conv lab's inputs: the one translation the CLI, the packs
and the Conv lab's presets (the conv tasks of the built-in convolution pack) share."""

from __future__ import annotations

from typing import Any

from core.course.builtin import CONV_PACK, builtin_pack
from core.course.kinds import PackError, option_text


def conv_inputs(options: dict[str, Any]):
    """The Conv lab's inputs for `cnn-tui conv`'s options (dest → value, None when not given):
    the one translation the CLI and the packs share. A preset's inputs come first, every given
    option on top."""
    from core.convlab.inputs import LabInputs

    def given(name: str) -> Any:
        return options.get(name)

    if given("preset"):
        inputs = conv_preset_inputs(given("preset"))
    else:
        if not given("input") or not given("kernel"):
            raise PackError("Give --input and at least one --kernel (or --preset ID).")
        inputs = LabInputs(input=option_text(given("input")), kernels=())
    texts = {
        name: option_text(given(name))
        for name in (
            "input", "stride", "padding", "padding_mode", "dilation", "mode", "activation",
            "pool", "pool_kernel", "pool_stride", "pool_padding", "pool_dilation",
        )
        if given(name) is not None
    }  # fmt: skip
    changes: dict[str, Any] = dict(texts)
    if given("kernel"):
        changes["kernels"] = tuple(option_text(k) for k in given("kernel"))
    if given("bias"):
        changes["biases"] = " ".join(option_text(b) for b in given("bias"))
    for flag in ("exact_fit", "ceil_mode"):
        if given(flag) is not None:
            changes[flag] = bool(given(flag))
    if given("target") is not None:
        changes |= {"target": option_text(given("target")), "grad_output": ""}
    if given("grad_output") is not None:
        changes |= {"grad_output": option_text(given("grad_output")), "target": ""}
    return inputs.replace(**changes)


def conv_preset_inputs(preset_id: str):
    """The Conv lab's inputs of a preset: a conv task of the built-in convolution pack."""
    pack = builtin_pack(CONV_PACK)
    task = pack.task(preset_id)
    if task is None or task.kind != "conv":
        names = ", ".join(t.id for t in pack.tasks if t.kind == "conv")
        raise PackError(f"There is no convolution preset {preset_id!r}; choose one of {names}.")
    return conv_inputs(task.options)
