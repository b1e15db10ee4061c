"""Model zoo: presets against hand-built PyTorch networks, exercise defaults, ResNet transfer."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from core.models.weights import WeightsMissingError
from core.models.zoo import PRESETS, UnknownPresetError, build_model, get_preset

torch.set_num_threads(1)


def count(model: nn.Module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def reference_lenet5() -> nn.Module:
    """C1 written the way the exercise sheet describes it."""
    return nn.Sequential(
        nn.Conv2d(3, 6, 5),
        nn.ReLU(),
        nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


def reference_b4() -> nn.Module:
    """B4/C4 written from the exercise text."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(128 * 4 * 4, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


@pytest.mark.parametrize(
    "name, reference", [("lenet5", reference_lenet5), ("convnet-32-64-128", reference_b4)]
)
def test_presets_equal_the_exercise_networks(name, reference):
    torch.manual_seed(0)
    ours = build_model(name)
    torch.manual_seed(0)
    theirs = reference()
    assert count(ours) == count(theirs)
    ours.load_state_dict(theirs.state_dict())
    x = torch.rand(3, 3, 32, 32)  # (N, C, H, W)
    torch.testing.assert_close(ours(x), theirs(x))


@pytest.mark.parametrize("name", [name for name, p in PRESETS.items() if p.spec])
@pytest.mark.parametrize("classes", [10, 3])
def test_every_preset_maps_cifar_images_to_class_scores(name, classes):
    model = build_model(name, num_classes=classes).eval()
    with torch.no_grad():
        assert model(torch.rand(2, 3, 32, 32)).shape == (2, classes)


def test_variants_add_what_their_names_promise():
    kinds = lambda name: {type(m).__name__ for m in build_model(name).modules()}  # noqa: E731
    assert "BatchNorm2d" in kinds("vgg-2x2-bn") and "BatchNorm2d" not in kinds("vgg-2x2")
    assert "Dropout" in kinds("vgg-2x2-reg")
    assert PRESETS["vgg-2x2-reg"].defaults.weight_decay > 0
    deep = build_model("c4-deep-80")
    convs = [m for m in deep.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 6 and "BatchNorm2d" in kinds("c4-bn-75")


def test_exercise_defaults():
    c1 = PRESETS["lenet5"].defaults
    assert (c1.batch_size, c1.optimizer, c1.lr, c1.epochs, c1.normalize) == (
        16,
        "adam",
        1e-3,
        10,
        None,
    )
    assert PRESETS["lenet-8-16"].defaults.val_split > 0
    c3 = PRESETS["vgg-2x2"].defaults
    assert (c3.optimizer, c3.lr, c3.betas, c3.epochs) == ("adam", 5e-4, (0.9, 0.95), 25)
    c4 = PRESETS["convnet-32-64-128"].defaults
    assert c4.optimizer == "sgd" and c4.val_split > 0 and c4.early_stop > 0
    for name in ("c4-bn-75", "c4-deep-80"):
        assert PRESETS[name].defaults.epochs == 10
    c5 = PRESETS["resnet18-transfer"].defaults
    assert (c5.optimizer, c5.lr, c5.batch_size, c5.epochs, c5.resize) == ("adam", 5e-4, 32, 5, 224)
    assert c5.normalize == ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(UnknownPresetError) as error:
        get_preset("lenet6")
    assert all(name in str(error.value) for name in PRESETS)


def test_resnet_transfer_trains_only_layer4_and_fc():
    from torchvision.models import resnet18

    model = build_model("resnet18-transfer", pretrained=False)
    oracle = resnet18(weights=None)
    expected = count(oracle.layer4) + 512 * 10 + 10
    assert count(model, trainable_only=True) == expected
    assert count(model) == count(oracle) - count(oracle.fc) + 512 * 10 + 10
    assert not any(p.requires_grad for p in model.layer3.parameters())
    with torch.no_grad():
        assert model.eval()(torch.rand(1, 3, 64, 64)).shape == (1, 10)


def test_resnet_transfer_loads_given_weights_and_refuses_missing_ones(tmp_path, monkeypatch):
    from torchvision.models import resnet18

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    with pytest.raises(WeightsMissingError, match="weights fetch resnet18"):
        build_model("resnet18-transfer")
    source = resnet18(weights=None)
    path = tmp_path / "resnet18.pth"
    torch.save(source.state_dict(), path)
    model = build_model("resnet18-transfer", weights_file=str(path))
    torch.testing.assert_close(model.layer4[1].conv2.weight, source.layer4[1].conv2.weight)
    torch.testing.assert_close(model.conv1.weight, source.conv1.weight)
