"""Model loading for Explain: weights files, the missing-weights message, run checkpoints."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torchvision.models import resnet18

from core.data.images import to_tensor
from core.errors import UserError
from core.explain.export import export
from core.explain.recipe import Recipe, explain
from core.models.loaded import load_resnet18
from core.models.weights import (
    WeightsMissingError,
    imagenet_categories,
    resnet18_imagenet_state_dict,
)
from core.training.restore import CheckpointError, load_run_model
from tests.helpers.explain import CIFAR_MEAN, CIFAR_STD, CLASSES, make_run, random_image


def test_missing_weights_say_how_to_get_them(tmp_path):
    with pytest.raises(WeightsMissingError, match="cnn-tui weights fetch resnet18"):
        load_resnet18()
    with pytest.raises(WeightsMissingError, match="There is no weights file .*nope.pth"):
        resnet18_imagenet_state_dict(tmp_path / "nope.pth")
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"\x00" * 100)
    with pytest.raises(WeightsMissingError, match="Cannot read") as caught:
        resnet18_imagenet_state_dict(garbage)
    assert "weights_only" not in str(caught.value)  # not torch's advice to load unsafely


def test_weights_file_is_loaded_exactly(tmp_path):
    torch.manual_seed(7)
    reference = resnet18().eval()
    path = tmp_path / "resnet18.pth"
    torch.save(reference.state_dict(), path)
    model = load_resnet18(path)
    assert model.random_seed is None and "ImageNet weights" in model.title
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        np.testing.assert_allclose(model.module(x).numpy(), reference(x).numpy(), atol=1e-5)
    assert model.classes[243] == "bull mastiff" and model.classes[285] == "Egyptian cat"
    assert len(imagenet_categories()) == 1000


def test_random_weights_are_labelled():
    model = load_resnet18(random_seed=3)
    assert model.random_seed == 3 and "RANDOM" in model.title


def test_run_checkpoint_round_trip(tmp_path):
    run_dir = make_run(tmp_path, "lenet5", seed=4)
    model = load_run_model("demo", tmp_path)
    assert model.classes == CLASSES
    assert model.preprocess.size == 32
    assert model.preprocess.mean == CIFAR_MEAN and model.preprocess.std == CIFAR_STD
    state = torch.load(run_dir / "checkpoints" / "best.pt")["model"]
    image = random_image(32, 32, seed=1)
    x = to_tensor(image, model.preprocess)
    manual = (
        torch.from_numpy(image).permute(2, 0, 1).float() / 255
        - torch.tensor(CIFAR_MEAN).view(3, 1, 1)
    ) / torch.tensor(CIFAR_STD).view(3, 1, 1)
    np.testing.assert_allclose(x[0].numpy(), manual.numpy(), atol=1e-6)
    with torch.no_grad():
        logits = model.module(x)
    expected = torch.nn.functional.conv2d(x, state["0.weight"], state["0.bias"])
    with torch.no_grad():
        np.testing.assert_allclose(model.module[0](x).numpy(), expected.numpy(), atol=1e-5)
    assert logits.shape == (1, 10)
    assert load_run_model(str(run_dir), tmp_path / "elsewhere").title == model.title


def test_run_without_checkpoint_or_unknown(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "config.json").write_text(json.dumps({"preset": "lenet5"}))
    with pytest.raises(CheckpointError, match="no checkpoints"):
        load_run_model("empty", tmp_path)
    with pytest.raises(CheckpointError, match="runs ls"):
        load_run_model("ghost", tmp_path)


def test_explain_run_gradcam_and_export(tmp_path):
    make_run(tmp_path, "lenet5", seed=2)
    model = load_run_model("demo", tmp_path)
    image = random_image(32, 32, seed=9)
    result = explain(model, image, Recipe("gradcam", target="cat"))
    assert result.layer == "3" and result.layer_shape == (16, 10, 10)
    assert result.target == 3 and result.target_name == "cat"
    assert result.image is image and result.maps.shape == (1, 32, 32)
    files = {path.name for path in export(result, tmp_path / "out", "magma", "per-map", 0.4)}
    assert files == {"heatmap.npy", "image.png", "map.png", "overlay.png", "recipe.json"}
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "heatmap.npy"), result.maps[0])
    recipe = json.loads((tmp_path / "out" / "recipe.json").read_text())
    assert recipe["method"] == "gradcam" and recipe["layer"] == "3"
    assert recipe["target_index"] == 3 and recipe["colormap"] == "magma"
    assert recipe["normalisation"] == "per-map" and len(recipe["top5"]) == 5
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(UserError, match="Cannot write the export to .*a-file/out.*folder you can"):
        export(result, blocker / "out")


def test_explain_activations_and_filters_on_a_run(tmp_path):
    make_run(tmp_path, "lenet5", seed=2)
    model = load_run_model("demo", tmp_path)
    image = random_image(40, 50, seed=3)
    grid = explain(model, image, Recipe("activations", layer="0", channels=4))
    assert grid.maps.shape == (4, 28, 28) and grid.image.shape == (32, 32, 3)
    pca = explain(model, image, Recipe("activations", layer="3", reduce="pca"))
    assert pca.rgb is not None and pca.rgb.shape == (3, 10, 10)
    filters = explain(model, image, Recipe("filters", filters=(0, 5)))
    assert filters.tiles.shape == (2, 5, 5, 3) and filters.maps.shape == (2, 28, 28)
    saliency = explain(model, image, Recipe("saliency", target="1", reduce="mean"))
    assert saliency.maps.shape == (1, 32, 32) and saliency.target_name == "automobile"


def test_gallery_splits_test_images_by_the_models_own_predictions(tmp_path):
    from core.data.datasets import load_dataset
    from core.explain.gallery import classified_test_images

    shapes = load_dataset("shapes", train_size=1)
    make_run(tmp_path, "lenet5", seed=5, dataset="shapes", classes=shapes.classes)
    model = load_run_model("demo", tmp_path)
    right, wrong = classified_test_images(model, count=3, scan=200)
    assert len(right) == 3 and len(wrong) == 3
    for item in right + wrong:
        index = int(item.source.split(":")[1])
        x = to_tensor(shapes.test.images[index], model.preprocess)
        with torch.no_grad():
            assert int(model.module(x).argmax()) == item.predicted
        assert item.label == int(shapes.test.labels[index])
    assert all(item.correct for item in right) and not any(item.correct for item in wrong)
    assert "✗" in wrong[0].caption and "→" in wrong[0].caption
