"""The Train form's fields: how each one is shown, parsed and checked, without widgets.

`parse_form` turns the text the user typed into a `TrainConfig` plus one message per bad
field, so the screen can explain every problem inline while the user types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.data.normalize import CIFAR_MEAN_STD, HALF_MEAN_STD, IMAGENET_MEAN_STD
from core.errors import UserError
from core.models.architecture import arch_text, resolve
from core.models.zoo import PRESETS
from core.training.config import (
    AUGMENTATIONS,
    DATASETS,
    DEVICES,
    OPTIMIZERS,
    PIPELINES,
    SCHEDULES,
    TrainConfig,
)

NORMALIZATIONS: dict[str, tuple[tuple[float, ...], tuple[float, ...]] | None] = {
    "none": None,
    "cifar10": CIFAR_MEAN_STD,
    "imagenet": IMAGENET_MEAN_STD,
    "half": HALF_MEAN_STD,
}
"""Normalisation choices: inputs in [0,1], CIFAR-10 or ImageNet mean/std, or 0.5/0.5."""

NORMALIZATION_TITLES = {
    "none": "none (inputs in [0, 1])",
    "cifar10": "CIFAR-10 mean/std",
    "imagenet": "ImageNet mean/std",
    "half": "mean 0.5, std 0.5 ([-1, 1])",
}

LAUNCHERS = {
    "local": "this machine (detached worker, survives logout)",
    "slurm": "Slurm job (request from settings.toml; `cnn-tui doctor` checks it)",
}
"""Where the worker runs; a cluster launcher adds its entry here and in `screens.train.screen`."""


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("a whole number, e.g. 10") from None


def _optional_int(text: str) -> int | None:
    return None if not text.strip() else _int(text)


def _float(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise ValueError("a number, e.g. 0.001 or 1e-3") from None


def _betas(text: str) -> tuple[float, float]:
    parts = [p for p in text.replace(",", " ").split() if p]
    if len(parts) != 2:
        raise ValueError("two numbers, e.g. 0.9, 0.999")
    return _float(parts[0]), _float(parts[1])


def _optional_text(text: str) -> str | None:
    return text.strip() or None


@dataclass(frozen=True)
class TextField:
    """A typed field of the form: its config key, label, parser and formatter."""

    key: str  # TrainConfig field
    label: str  # shown left of the input
    parse: Callable[[str], Any]  # raises ValueError whose text says what is expected
    hint: str = ""  # placeholder text

    def format(self, value: Any) -> str:
        if value is None:
            return ""
        if self.key == "betas":
            return ", ".join(f"{b:g}" for b in value)
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)


ARCH_KEYS = ("arch", "arch_file", "arch_class", "arch_args", "arch_name", "arch_sha256")
"""The config fields that name a custom network."""

TEXT_FIELDS = (
    TextField(
        "arch", "architecture", _optional_text, "empty = the preset's; SPEC, saved name, net.py"
    ),
    TextField("epochs", "epochs", _int),
    TextField("batch_size", "batch size", _int),
    TextField("lr", "learning rate", _float),
    TextField("betas", "Adam betas", _betas, "0.9, 0.999"),
    TextField("momentum", "SGD momentum", _float),
    TextField("weight_decay", "weight decay", _float),
    TextField("val_split", "validation split", _float, "0 = none, e.g. 0.1"),
    TextField("early_stop", "early stop (epochs)", _int, "0 = off"),
    TextField("eval_every", "validate every N", _int, "0 = only per epoch"),
    TextField("seed", "seed", _int),
    TextField("train_size", "training images", _optional_int, "empty = all"),
    TextField("test_size", "test images", _optional_int, "empty = all"),
    TextField("resize", "resize to (pixels)", _optional_int, "empty = 32"),
    TextField("data_dir", "data folder", _optional_text, "empty = $CNN_TUI_DATA or the cache"),
    TextField("tensorboard_dir", "TensorBoard folder", _optional_text, "empty = off"),
)
"""Free-text fields, in form order."""

CHOICE_FIELDS = {
    "preset": tuple(PRESETS),
    "dataset": DATASETS,
    "optimizer": OPTIMIZERS,
    "schedule": SCHEDULES,
    "normalize": tuple(NORMALIZATIONS),
    "device": DEVICES,
    "pipeline": PIPELINES,
    "launcher": tuple(LAUNCHERS),
}
"""Fields chosen from a list."""

FLAGS = ("nesterov", "freeze_bn")


def choice_options(key: str) -> list[tuple[str, str]]:
    """(shown text, value) of each choice of a list field."""
    if key == "preset":
        return [(f"{name}  ({PRESETS[name].exercise})", name) for name in CHOICE_FIELDS[key]]
    if key == "normalize":
        return [(NORMALIZATION_TITLES[name], name) for name in CHOICE_FIELDS[key]]
    if key == "launcher":
        return [(f"{name}: {LAUNCHERS[name]}", name) for name in CHOICE_FIELDS[key]]
    return [(name, name) for name in CHOICE_FIELDS[key]]


def sent_architecture(spec: str, input_shape: tuple[int, ...]) -> dict[str, str]:
    """The fields a SPEC sent from the Calculators fills: the architecture on one line, and
    its image size as the resize (empty for the datasets' own 32)."""
    side = input_shape[-1]
    return {"resize": "" if side == 32 else str(side), "arch": arch_text({"arch": spec})}


def normalization_name(value: Any) -> str:
    """The choice matching a config's normalize value ("none" when it matches no choice)."""
    for name, known in NORMALIZATIONS.items():
        if known is None and value is None:
            return name
        if (
            known is not None
            and value is not None
            and [list(p) for p in known] == [list(p) for p in value]
        ):
            return name
    return "none"


def form_values(config: TrainConfig) -> dict[str, Any]:
    """The form's contents for a config: text per text field, choice names, check states."""
    values: dict[str, Any] = {f.key: f.format(getattr(config, f.key)) for f in TEXT_FIELDS}
    values |= {
        key: getattr(config, key) for key in CHOICE_FIELDS if key not in ("normalize", "launcher")
    }
    values["normalize"] = normalization_name(config.normalize)
    values["arch"] = arch_text(config.to_dict())
    values |= {name: name in config.augment for name in AUGMENTATIONS}
    values["nesterov"] = config.nesterov
    values["freeze_bn"] = config.freeze_bn
    return values


@dataclass(frozen=True)
class ParsedForm:
    """What the form says: a valid config, or the problems to show."""

    config: TrainConfig | None  # None while any field is bad
    field_errors: dict[str, str]  # field key -> what is expected there
    error: str | None  # a whole-config problem (e.g. early stop without a validation split)
    arch_info: str = ""  # what the Architecture field names, with its parameter count


def parse_form(values: Mapping[str, Any], base: Mapping[str, Any] | None = None) -> ParsedForm:
    """Parse every field; validate the whole config only when each field parsed."""
    data: dict[str, Any] = dict(base or {})
    errors: dict[str, str] = {}
    for field in TEXT_FIELDS:
        try:
            data[field.key] = field.parse(str(values.get(field.key, "")))
        except ValueError as error:
            errors[field.key] = f"{field.label}: expected {error}"
    for key in CHOICE_FIELDS:
        if key not in ("normalize", "launcher"):
            data[key] = values.get(key)
    data["normalize"] = NORMALIZATIONS.get(str(values.get("normalize")), None)
    data["augment"] = tuple(name for name in AUGMENTATIONS if values.get(name))
    data["nesterov"] = bool(values.get("nesterov"))
    data["freeze_bn"] = bool(values.get("freeze_bn")) and data.get("preset") == "resnet18-transfer"
    typed = data.get("arch")
    data |= {key: None for key in ARCH_KEYS}
    if typed:
        try:
            arch = resolve(typed)
        except UserError as error:
            errors["arch"] = f"architecture: {error}"
        else:
            if arch.kind == "preset":
                data["preset"] = arch.preset
            data |= arch.arch_fields()
            if arch.kind == "python" and typed == arch_text(dict(base or {})):
                data["arch_args"] = (base or {}).get("arch_args")  # a variant keeps its keywords
        data["freeze_bn"] = data["freeze_bn"] and not (data["arch"] or data["arch_file"])
    if errors:
        return ParsedForm(None, errors, None)
    try:
        config = TrainConfig.from_dict(data).validate()
    except UserError as error:
        return ParsedForm(None, {}, str(error))
    except (TypeError, ValueError) as error:
        return ParsedForm(None, {}, f"Invalid settings: {error}")
    try:
        info = architecture_info(config)
    except UserError as error:
        return ParsedForm(None, {"arch": f"architecture: {error}"}, None)
    return ParsedForm(config, {}, None, info)


def architecture_info(config: TrainConfig) -> str:
    """The network a config trains, checked against the dataset's images and classes where
    that needs no import of the student's code (a Python file is checked in a thread worker,
    `screens.train.arch_check`)."""
    from core.data.datasets import class_count
    from core.models.architecture import from_config

    if not config.custom:
        return ""
    arch = from_config(config.to_dict())
    if arch.kind == "python":
        return f"{arch.name}: Python file, checking it in the background…"
    shape = (3, config.resize or 32, config.resize or 32)  # as core.training.setup sees them
    classes = class_count(config.dataset, config.data_dir)
    params = arch.check(shape, classes)
    side = "×".join(map(str, shape))
    return f"✓ {arch.name}: {params:,} parameters, {side} images → {classes} classes"


def preset_summary(name: str) -> str:
    """One paragraph about a preset: exercise, network, default hyperparameters."""
    preset = PRESETS[name]
    d = preset.defaults
    optimizer = (
        f"Adam lr {d.lr:g} betas {d.betas[0]:g}/{d.betas[1]:g}"
        if d.optimizer == "adam"
        else (f"SGD lr {d.lr:g} momentum {d.momentum:g}" + (" nesterov" if d.nesterov else ""))
    )
    extras = [f"{d.epochs} epochs", f"batch {d.batch_size}", optimizer]
    if d.augment:
        extras.append("augment " + "+".join(d.augment))
    if d.val_split:
        extras.append(f"val split {d.val_split:g}")
    if d.early_stop:
        extras.append(f"early stop {d.early_stop}")
    return f"[b]{preset.exercise}[/b] {preset.title}\nExercise defaults: {', '.join(extras)}."
