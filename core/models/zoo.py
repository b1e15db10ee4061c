"""The model zoo: the exercise networks as named presets (names are part of the contract).

Each preset's architecture is a SPEC (see `core.arch.spec`), so the calculators, the layer table
and the trainer all see the same network. `resnet18-transfer` is built from torchvision.
Each preset also carries its exercise's default hyperparameters, which a run may override.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.arch.module_table import module_table
from core.arch.spec import LayerSpec, build_module, parse_spec
from core.arch.table import LayerTable, layer_table
from core.data.normalize import CIFAR_MEAN_STD, IMAGENET_MEAN_STD
from core.errors import UserError


class UnknownPresetError(UserError):
    """A preset name that is not in the model zoo."""


@dataclass(frozen=True)
class Defaults:
    """An exercise's training hyperparameters (a run's config starts from these)."""

    epochs: int = 10  # passes over the training split
    batch_size: int = 64  # images per optimizer step
    optimizer: str = "adam"  # "adam" | "sgd"
    lr: float = 1e-3  # peak learning rate
    betas: tuple[float, float] = (0.9, 0.999)  # Adam moment decay rates
    momentum: float = 0.9  # SGD momentum
    nesterov: bool = False  # SGD Nesterov momentum
    weight_decay: float = 0.0  # L2 penalty (coupled, as torch.optim applies it)
    augment: tuple[str, ...] = ()  # any of "flip", "crop", "jitter"
    normalize: tuple[tuple[float, ...], tuple[float, ...]] | None = None  # (mean3, std3) or [0,1]
    val_split: float = 0.0  # fraction of the training split held out for validation
    early_stop: int = 0  # stop after this many epochs without a better val loss; 0 = never
    schedule: str = "none"  # learning-rate schedule per step: "none" | "cosine" | "onecycle"
    resize: int | None = None  # square input size fed to the network; None = native 32


@dataclass(frozen=True)
class Preset:
    """A named network of the course with the exercise it belongs to."""

    name: str  # contract name, e.g. "lenet5"
    exercise: str  # exercise letters from EXERCISES.md, e.g. "C1"
    title: str  # one line for menus
    spec: str | None  # SPEC for the network; None when built from torchvision
    input_shape: tuple[int, int, int] = (3, 32, 32)  # (C, H, W) the network expects
    defaults: Defaults = field(default_factory=Defaults)  # the exercise's hyperparameters

    def layers(self) -> list[LayerSpec]:
        """The parsed SPEC of this preset."""
        if self.spec is None:
            raise ValueError(f"Preset {self.name} is built from torchvision, not from a SPEC.")
        return parse_spec(self.spec)


def _vgg_block(c_in: int, c_out: int, bn: bool) -> str:
    norm = f"BatchNorm2d({c_out}), " if bn else ""
    return (
        f"Conv2d({c_in}, {c_out}, 3, padding=1), {norm}ReLU(), "
        f"Conv2d({c_out}, {c_out}, 3, padding=1), {norm}ReLU(), MaxPool2d(2)"
    )


C3_DEFAULTS = Defaults(epochs=25, batch_size=64, optimizer="adam", lr=5e-4, betas=(0.9, 0.95))
C4_STRONG = dict(  # shared by the stronger C4 designs: the levers the exercise suggests
    epochs=10,
    batch_size=128,
    optimizer="sgd",
    lr=0.05,
    momentum=0.9,
    nesterov=True,
    weight_decay=5e-4,
    augment=("flip", "crop"),
    normalize=CIFAR_MEAN_STD,
    val_split=0.1,
    schedule="onecycle",
)

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "lenet5",
            "C1",
            "LeNet-style CNN: conv6-conv16, FC 120-84-10",
            "Conv2d(3, 6, 5), ReLU(), MaxPool2d(2, 2), Conv2d(6, 16, 5), ReLU(), MaxPool2d(2, 2), "
            "Flatten(), Linear(400, 120), ReLU(), Linear(120, 84), ReLU(), Linear(84, 10)",
            defaults=Defaults(epochs=10, batch_size=16, optimizer="adam", lr=1e-3),
        ),
        Preset(
            "lenet-8-16",
            "C2",
            "LeNet variant: conv8-conv16, FC 128-64-10",
            "Conv2d(3, 8, 5), ReLU(), MaxPool2d(2, 2), Conv2d(8, 16, 5), ReLU(), MaxPool2d(2, 2), "
            "Flatten(), Linear(400, 128), ReLU(), Linear(128, 64), ReLU(), Linear(64, 10)",
            defaults=Defaults(epochs=10, batch_size=16, optimizer="adam", lr=1e-3, val_split=0.1),
        ),
        Preset(
            "vgg-2x2",
            "C3",
            "Two VGG blocks: [conv32 conv32 pool] [conv64 conv64 pool] dense10",
            f"{_vgg_block(3, 32, False)}, {_vgg_block(32, 64, False)}, Flatten(), Linear(4096, 10)",
            defaults=C3_DEFAULTS,
        ),
        Preset(
            "vgg-2x2-bn",
            "C3",
            "Two VGG blocks with batch norm after every conv",
            f"{_vgg_block(3, 32, True)}, {_vgg_block(32, 64, True)}, Flatten(), Linear(4096, 10)",
            defaults=C3_DEFAULTS,
        ),
        Preset(
            "vgg-2x2-reg",
            "C3",
            "Two VGG blocks regularised: dropout after each block, weight decay 5e-4",
            f"{_vgg_block(3, 32, False)}, Dropout(0.2), {_vgg_block(32, 64, False)}, Dropout(0.3), "
            "Flatten(), Dropout(0.4), Linear(4096, 10)",
            defaults=Defaults(
                epochs=25,
                batch_size=64,
                optimizer="adam",
                lr=5e-4,
                betas=(0.9, 0.95),
                weight_decay=5e-4,
            ),
        ),
        Preset(
            "convnet-32-64-128",
            "C4, B4",
            "Three 5x5 conv blocks 32-64-128 with pooling, FC 64-10",
            "Conv2d(3, 32, 5, padding=2), ReLU(), MaxPool2d(2), "
            "Conv2d(32, 64, 5, padding=2), ReLU(), MaxPool2d(2), "
            "Conv2d(64, 128, 5, padding=2), ReLU(), MaxPool2d(2), "
            "Flatten(), Linear(2048, 64), ReLU(), Linear(64, 10)",
            defaults=Defaults(
                epochs=30,
                batch_size=64,
                optimizer="sgd",
                lr=0.01,
                momentum=0.9,
                val_split=0.1,
                early_stop=5,
            ),
        ),
        Preset(
            "c4-bn-75",
            "C4",
            "The B4 net with batch norm, augmentation and one-cycle SGD "
            "(aims at >= 75 % on CIFAR-10)",
            "Conv2d(3, 32, 5, padding=2), BatchNorm2d(32), ReLU(), MaxPool2d(2), "
            "Conv2d(32, 64, 5, padding=2), BatchNorm2d(64), ReLU(), MaxPool2d(2), "
            "Conv2d(64, 128, 5, padding=2), BatchNorm2d(128), ReLU(), MaxPool2d(2), "
            "Flatten(), Linear(2048, 64), ReLU(), Linear(64, 10)",
            defaults=Defaults(**C4_STRONG),
        ),
        Preset(
            "c4-deep-80",
            "C4",
            "Conv-conv-pool stacks 64-128-256 with batch norm, global pooling "
            "(aims at >= 80 % on CIFAR-10)",
            f"{_vgg_block(3, 64, True)}, {_vgg_block(64, 128, True)}, "
            f"{_vgg_block(128, 256, True)}, AdaptiveAvgPool2d(1), Flatten(), Dropout(0.2), "
            "Linear(256, 10)",
            defaults=Defaults(**C4_STRONG),
        ),
        Preset(
            "resnet18-transfer",
            "C5",
            "ImageNet ResNet-18, fc -> Linear(512, 10), only layer4 + fc trainable",
            None,
            (3, 224, 224),
            defaults=Defaults(
                epochs=5,
                batch_size=32,
                optimizer="adam",
                lr=5e-4,
                normalize=IMAGENET_MEAN_STD,
                resize=224,
            ),
        ),
    )
}


def get_preset(name: str) -> Preset:
    """The preset called `name`, or a UserError listing the valid names."""
    try:
        return PRESETS[name]
    except KeyError:
        raise UnknownPresetError(
            f"Unknown preset {name!r}; choose one of: {', '.join(PRESETS)}."
        ) from None


def build_model(
    preset_name: str,
    *,
    num_classes: int = 10,
    weights_file: str | None = None,
    pretrained: bool = True,
    freeze_bn: bool = False,
):
    """The preset's network as an `nn.Module` with `num_classes` outputs.

    `resnet18-transfer` loads ImageNet weights (from `weights_file` or the torch hub cache,
    else `WeightsMissingError`) and freezes everything but layer4 and fc; `pretrained=False`
    gives the same architecture with random weights, for tables and tests only. By default
    the frozen layers' BatchNorm still updates its running statistics in train mode, as the
    exercise's code does; `freeze_bn` keeps those layers in eval mode whatever `train()` says.
    """
    preset = get_preset(preset_name)
    if preset.spec is None:
        model = _resnet18_transfer(num_classes, weights_file, pretrained)
        if freeze_bn:
            freeze_batchnorm(model)
        return model
    from torch import nn

    model = build_module(preset.layers())
    last = model[-1]
    if isinstance(last, nn.Linear) and last.out_features != num_classes:
        model[-1] = nn.Linear(last.in_features, num_classes)
    return model


def _resnet18_transfer(num_classes: int, weights_file: str | None, pretrained: bool):
    from torch import nn
    from torchvision.models import resnet18

    model = resnet18(weights=None)
    if pretrained:
        from core.models.weights import resnet18_imagenet_state_dict

        model.load_state_dict(resnet18_imagenet_state_dict(weights_file))
    model.fc = nn.Linear(512, num_classes)
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name.startswith(("layer4.", "fc."))
    return model


def _eval_only(module, mode: bool = True):
    """`train()` of a frozen BatchNorm: it (and its statistics) always stays in eval mode."""
    from torch import nn

    return nn.Module.train(module, False)


def freeze_batchnorm(model) -> list[str]:
    """Keep every BatchNorm whose parameters are all frozen in eval mode, also after later
    `model.train()` calls; returns their names."""
    import types

    from torch.nn.modules.batchnorm import _BatchNorm

    frozen = []
    for name, module in model.named_modules():
        params = list(module.parameters())
        if isinstance(module, _BatchNorm) and params and not any(p.requires_grad for p in params):
            module.train = types.MethodType(_eval_only, module)
            module.eval()
            frozen.append(name)
    return frozen


def preset_table(name: str, input_shape: tuple[int, int, int] | None = None) -> LayerTable:
    """The layer table of a model preset (its own input shape unless one is given)."""
    preset = get_preset(name)
    shape = tuple(input_shape or preset.input_shape)
    if preset.spec is not None:
        return layer_table(preset.layers(), shape)
    import torch

    with torch.device("meta"):  # shapes and counts only: no weights are made or initialised
        model = build_model(name, pretrained=False)
    return module_table(model, shape, fields=True)
