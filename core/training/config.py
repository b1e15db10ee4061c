"""One training run's complete configuration: what config.json holds and the worker obeys.

A config starts from a preset's exercise defaults (`TrainConfig.for_preset`; without a preset,
each field's documented default), takes the user's overrides, and must pass `validate()` before
anything is written to disk. The network is the preset's unless the `arch*` fields name another
(a SPEC, or a Python file copied into the run folder; see `core.models.architecture`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from core.errors import UserError
from core.models.zoo import PRESETS, Defaults, get_preset

OPTIMIZERS = ("adam", "sgd")
AUGMENTATIONS = ("flip", "crop", "jitter")
SCHEDULES = ("none", "cosine", "onecycle")
DEVICES = ("auto", "cpu", "cuda")
PIPELINES = ("fast", "reference")
DATASETS = ("cifar10", "shapes")


class TrainConfigError(UserError):
    """A training setting that is out of range or unknown."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything a worker needs to train (and later resume) one run."""

    preset: str | None  # model preset (core.models.zoo.PRESETS): network and/or defaults
    dataset: str = "shapes"  # "cifar10" | "shapes"
    data_dir: str | None = None  # dataset folder; None = $CNN_TUI_DATA or the default cache
    epochs: int = 10  # passes over the training split
    batch_size: int = 64  # images per optimizer step
    optimizer: str = "adam"  # "adam" | "sgd"
    lr: float = 1e-3  # peak learning rate
    betas: tuple[float, float] = (0.9, 0.999)  # Adam moment decay rates
    momentum: float = 0.9  # SGD momentum (0 = plain SGD)
    nesterov: bool = False  # SGD Nesterov momentum
    weight_decay: float = 0.0  # L2 penalty added by the optimizer
    augment: tuple[str, ...] = ()  # any of "flip", "crop", "jitter"
    normalize: tuple[tuple[float, ...], tuple[float, ...]] | None = None  # (mean3, std3) or [0,1]
    val_split: float = 0.0  # fraction of the training images held out for validation
    early_stop: int = 0  # patience in epochs without a lower val loss; 0 = off
    schedule: str = "none"  # per-step LR schedule: "none" | "cosine" | "onecycle"
    resize: int | None = None  # square network input size; None = the images' own 32
    eval_every: int = 0  # also validate every N training steps (eval events); 0 = off
    seed: int = 0  # seeds initialisation, shuffling, augmentation and dropout
    device: str = "auto"  # "auto" (cuda when available) | "cpu" | "cuda"
    pipeline: str = "fast"  # "fast" (on-device batches) | "reference" (torchvision DataLoader)
    weights_file: str | None = None  # ImageNet weights for resnet18-transfer; None = hub cache
    freeze_bn: bool = False  # resnet18-transfer: frozen layers' BatchNorm stays in eval mode
    tensorboard_dir: str | None = None  # also mirror the events into TensorBoard files there
    train_size: int | None = None  # cap (CIFAR-10) or count (Shapes-10) of training images
    test_size: int | None = None  # cap (CIFAR-10) or count (Shapes-10) of test images
    arch: str | None = None  # SPEC of the network; None = the preset's (or arch_file)
    arch_file: str | None = None  # Python model file (in the run folder once launched)
    arch_class: str | None = None  # its nn.Module class; None = the file's only one
    arch_args: dict[str, Any] | None = None  # keyword arguments of the class's constructor
    arch_name: str | None = None  # the architecture's name as the user gave it
    arch_sha256: str | None = None  # hash of the copied model file

    @property
    def model_name(self) -> str:
        """The network's name: the custom architecture's, else the preset's."""
        return self.arch_name or self.preset or "custom"

    @property
    def custom(self) -> bool:
        """Whether the network is not the preset's own."""
        return bool(self.arch or self.arch_file)

    @classmethod
    def for_preset(cls, preset: str | None, **overrides: Any) -> TrainConfig:
        """The preset's exercise defaults (no preset: the documented defaults) with every
        non-None override applied."""
        defaults = asdict(get_preset(preset).defaults if preset else Defaults())
        defaults.update({key: value for key, value in overrides.items() if value is not None})
        return cls.from_dict({"preset": preset, **defaults})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Rebuild from JSON (lists become tuples; unknown keys are ignored)."""
        if not isinstance(data, dict):
            raise TrainConfigError(
                f"The run's config.json holds a {type(data).__name__}, not its settings."
            )
        known = {item.name for item in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        if not values.get("preset") and not (values.get("arch") or values.get("arch_file")):
            raise TrainConfigError("The configuration names no preset and no architecture.")
        values.setdefault("preset", None)
        for key in ("betas", "augment"):
            if isinstance(values.get(key), list):
                values[key] = tuple(values[key])
        if isinstance(values.get("normalize"), (list, tuple)):
            try:
                values["normalize"] = tuple(tuple(part) for part in values["normalize"])
            except TypeError:
                raise TrainConfigError("The run's normalisation is not two lists.") from None
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (tuples become lists)."""
        return asdict(self)

    def with_changes(self, **changes: Any) -> TrainConfig:
        """A copy with some fields replaced."""
        return replace(self, **changes)

    def validate(self) -> TrainConfig:
        """Raise TrainConfigError naming the first bad setting; returns self when all is well."""
        if self.preset is not None and self.preset not in PRESETS:
            get_preset(self.preset)
        if self.preset is None and not self.custom:
            raise TrainConfigError("Name a preset or an architecture (--preset or --arch).")
        _choice("dataset", self.dataset, DATASETS)
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("schedule", self.schedule, SCHEDULES)
        _choice("device", self.device, DEVICES)
        _choice("pipeline", self.pipeline, PIPELINES)
        _positive_int("epochs", self.epochs)
        _positive_int("batch size", self.batch_size)
        if not _finite(self.lr) or self.lr <= 0:
            raise TrainConfigError(f"The learning rate must be a positive number, not {self.lr}.")
        if len(self.betas) != 2 or not all(_finite(b) and 0 <= b < 1 for b in self.betas):
            raise TrainConfigError(f"Adam betas must be two numbers in [0, 1), not {self.betas}.")
        if not _finite(self.momentum) or not 0 <= self.momentum < 1:
            raise TrainConfigError(f"Momentum must be in [0, 1), not {self.momentum}.")
        if self.nesterov and self.optimizer == "sgd" and self.momentum == 0:
            raise TrainConfigError("Nesterov momentum needs a momentum above 0.")
        if not _finite(self.weight_decay) or self.weight_decay < 0:
            raise TrainConfigError(f"Weight decay must be 0 or more, not {self.weight_decay}.")
        unknown = [name for name in self.augment if name not in AUGMENTATIONS]
        if unknown:
            raise TrainConfigError(
                f"Unknown augmentation {', '.join(unknown)}; "
                f"choose from {', '.join(AUGMENTATIONS)}."
            )
        if self.normalize is not None:
            mean, std = self.normalize
            if len(mean) != 3 or len(std) != 3 or not all(map(_finite, (*mean, *std))):
                raise TrainConfigError("Normalisation needs three means and three stds.")
            if min(std) <= 0:
                raise TrainConfigError(f"Normalisation stds must be above 0, not {std}.")
        if not _finite(self.val_split) or not 0 <= self.val_split <= 0.5:
            raise TrainConfigError(
                f"The validation split must be in [0, 0.5], not {self.val_split}."
            )
        if self.early_stop < 0 or self.eval_every < 0:
            raise TrainConfigError("--early-stop and --eval-every must be 0 (off) or more.")
        if self.early_stop and self.val_split == 0:
            raise TrainConfigError("Early stopping watches the validation loss: add --val-split.")
        if self.resize is not None and not 16 <= self.resize <= 512:
            raise TrainConfigError(f"Resize must be between 16 and 512 pixels, not {self.resize}.")
        if self.freeze_bn and (
            self.custom or self.preset is None or get_preset(self.preset).spec is not None
        ):
            raise TrainConfigError(
                "--freeze-bn keeps the frozen layers' BatchNorm of resnet18-transfer in eval "
                f"mode; {self.model_name} has no frozen layers. Drop --freeze-bn."
            )
        for label, size in (("train size", self.train_size), ("test size", self.test_size)):
            if size is not None:
                _positive_int(label, size)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise TrainConfigError(f"The seed must be a whole number, not {self.seed!r}.")
        if not 0 <= self.seed <= MAX_SEED:
            raise TrainConfigError(
                f"The seed must be in 0..{MAX_SEED} (NumPy's seed range), not {self.seed}."
            )
        if self.epochs > MAX_EPOCHS:
            raise TrainConfigError(f"At most {MAX_EPOCHS:,} epochs, not {self.epochs:,}.")
        if self.batch_size > MAX_BATCH_SIZE:
            raise TrainConfigError(
                f"The batch size must be at most {MAX_BATCH_SIZE:,} images (one batch must fit "
                f"in memory), not {self.batch_size:,}."
            )
        return self

    def augment_spec(self):
        """The `core.data.pipeline.Augment` these settings ask for (default strengths)."""
        from core.data.pipeline import Augment

        return Augment.from_names(",".join(self.augment))


MAX_SEED = 2**32 - 1  # NumPy's generators take seeds in 0..2**32-1
MAX_EPOCHS = 100_000  # a bound on the schedule's step count, far beyond any course run
MAX_BATCH_SIZE = 65_536  # one batch of 32×32 images at this size is already 800 MB as floats


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _choice(label: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise TrainConfigError(f"Unknown {label} {value!r}; choose one of {', '.join(allowed)}.")


def _positive_int(label: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TrainConfigError(f"The {label} must be a whole number of 1 or more, not {value}.")
