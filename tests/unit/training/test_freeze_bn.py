"""`--freeze-bn` on resnet18-transfer: the frozen layers' BatchNorm running statistics stay put
through real training steps with the flag, and move without it (the exercise's behaviour)."""

from __future__ import annotations

import pytest
import torch

from core.errors import UserError
from core.runs.events import EventWriter
from core.runs.store import create_run, read_json
from core.training import checkpoint
from core.training.config import TrainConfig
from core.training.fit import fit

torch.set_num_threads(1)

FROZEN_BN = ("bn1", "layer1.0.bn1", "layer2.0.downsample.1", "layer3.1.bn2")
TRAINED_BN = "layer4.1.bn2"


@pytest.fixture(scope="module")
def random_imagenet_weights(tmp_path_factory):
    """A weights file in ImageNet's format, random (no download): what the hub would give."""
    from torchvision.models import resnet18

    path = tmp_path_factory.mktemp("weights") / "resnet18.pth"
    torch.save(resnet18(weights=None).state_dict(), path)
    return path


def train_once(tmp_path, weights, freeze_bn):
    config = TrainConfig.for_preset(
        "resnet18-transfer",
        dataset="shapes",
        epochs=1,
        train_size=64,
        test_size=32,
        batch_size=32,
        resize=32,
        weights_file=str(weights),
        freeze_bn=freeze_bn,
    )
    run_dir = create_run(tmp_path / f"runs-{freeze_bn}", config.to_dict())
    writer = EventWriter(run_dir)
    for event in fit(config, run_dir):
        writer.write(event)
    writer.close()
    assert read_json(run_dir / "config.json")["freeze_bn"] is freeze_bn
    return checkpoint.load(run_dir / "checkpoints" / "last.pt")["model"]


@pytest.mark.parametrize("freeze_bn", [True, False])
def test_frozen_batchnorm_statistics_follow_the_flag(tmp_path, random_imagenet_weights, freeze_bn):
    source = torch.load(random_imagenet_weights, weights_only=True)
    trained = train_once(tmp_path, random_imagenet_weights, freeze_bn)
    for name in FROZEN_BN:
        for stat in ("running_mean", "running_var", "num_batches_tracked"):
            same = torch.equal(trained[f"{name}.{stat}"], source[f"{name}.{stat}"])
            assert same is freeze_bn, (name, stat)
    # layer4 trains either way: its BatchNorm statistics always move
    assert not torch.equal(
        trained[f"{TRAINED_BN}.running_mean"], source[f"{TRAINED_BN}.running_mean"]
    )


def test_frozen_batchnorm_stays_in_eval_mode_after_train_calls():
    from core.models.zoo import build_model

    model = build_model("resnet18-transfer", pretrained=False, freeze_bn=True)
    model.train()
    modules = dict(model.named_modules())
    assert not any(modules[name].training for name in FROZEN_BN)
    assert modules[TRAINED_BN].training and modules["layer4.0.conv1"].training
    model.eval()
    model.train(True)
    assert not modules["layer3.1.bn2"].training
    plain = dict(build_model("resnet18-transfer", pretrained=False).train().named_modules())
    assert all(plain[name].training for name in FROZEN_BN)


def test_freeze_bn_is_refused_for_a_network_without_frozen_layers():
    with pytest.raises(UserError, match="Drop --freeze-bn"):
        TrainConfig.for_preset("lenet5", freeze_bn=True).validate()
