"""Hooks, PCA, filters, normalisation and preprocessing, each against an independent path."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from torchvision import transforms
from torchvision.models import resnet18

from core.data.images import IMAGENET, ImageError, fit_to_input, load_image, to_tensor
from core.errors import UserError
from core.explain.activations import (
    LayerError,
    capture_activations,
    describe_layers,
    filter_tiles,
    normalise,
    pca_rgb,
)
from core.explain.recipe import parse_filters
from core.models.loaded import prepare
from tests.helpers.explain import random_image


@pytest.fixture(scope="module")
def resnet():
    torch.manual_seed(0)
    return prepare(resnet18())


def test_resnet18_hook_shapes_at_224(resnet):
    x = torch.randn(1, 3, 224, 224)
    shapes = {info.name: info.shape for info in describe_layers(resnet, x)}
    assert shapes["maxpool"] == (64, 56, 56)
    assert shapes["layer4"] == (512, 7, 7)
    assert shapes["conv1"] == (64, 112, 112)
    logits, acts = capture_activations(resnet, x, ["maxpool", "layer4"])
    with torch.no_grad():
        stem = resnet.maxpool(resnet.relu(resnet.bn1(resnet.conv1(x))))
        deep = resnet.layer4(resnet.layer3(resnet.layer2(resnet.layer1(stem))))
        expected_logits = resnet(x)[0]
    np.testing.assert_allclose(acts["maxpool"], stem[0].numpy(), atol=1e-5)
    np.testing.assert_allclose(acts["layer4"], deep[0].numpy(), atol=1e-4)
    np.testing.assert_allclose(logits, expected_logits.numpy(), atol=1e-4)
    assert not resnet.maxpool._forward_hooks


def test_unknown_layer_lists_real_ones(resnet):
    with pytest.raises(LayerError, match="conv1"):
        capture_activations(resnet, torch.randn(1, 3, 64, 64), ["layer9"])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 12), st.integers(2, 6), st.integers(2, 6))
def test_pca_matches_covariance_eigenvectors(seed, channels, height, width):
    rng = np.random.default_rng(seed)
    activation = rng.normal(size=(channels, height, width)).astype(np.float32)
    ours = pca_rgb(activation)  # (3, h, w)
    pixels = activation.reshape(channels, -1).T.astype(np.float64)
    centred = pixels - pixels.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(centred, rowvar=False))
    order = np.argsort(values)[::-1]
    components = min(3, height * width - 1, channels)
    for k in range(components):
        if values[order[k]] - (values[order[k + 1]] if k + 1 < len(order) else 0) < 1e-6:
            continue  # degenerate eigenvalues have no unique eigenvector
        expected = centred @ vectors[:, order[k]]
        got = ours[k].reshape(-1)
        assert min(np.abs(got - expected).max(), np.abs(got + expected).max()) < 1e-4


def test_pca_sign_convention_is_deterministic():
    activation = np.random.default_rng(3).normal(size=(5, 4, 4)).astype(np.float32)
    np.testing.assert_array_equal(pca_rgb(activation), pca_rgb(activation.copy()))


def test_filter_tiles_scale_symmetrically_around_zero():
    weight = np.zeros((4, 3, 2, 2), dtype=np.float32)
    weight[1, 0, 0, 0], weight[1, 1, 0, 0], weight[2, 2, 1, 1] = 0.5, -0.5, 0.25
    tiles = filter_tiles(weight, [1, 2])
    assert tiles.shape == (2, 2, 2, 3)
    assert tuple(tiles[0, 0, 0]) == (255, 0, 128)
    assert tuple(tiles[1, 1, 1]) == (128, 128, 191)
    assert tuple(tiles[0, 1, 1]) == (128, 128, 128)


def test_normalise_per_map_shared_and_none():
    maps = np.array([[[0.0, 2.0]], [[1.0, 5.0]]], dtype=np.float32)
    per_map, bounds = normalise(maps, "per-map")
    np.testing.assert_allclose(per_map, [[[0, 1]], [[0, 1]]])
    assert bounds == [(0.0, 2.0), (1.0, 5.0)]
    shared, bounds = normalise(maps, "shared")
    np.testing.assert_allclose(shared, [[[0, 0.4]], [[0.2, 1]]])
    assert bounds == [(0.0, 5.0), (0.0, 5.0)]
    clipped, _ = normalise(maps, "none")
    np.testing.assert_allclose(clipped, [[[0, 1]], [[1, 1]]])


def test_imagenet_preprocessing_matches_torchvision():
    image = random_image(300, 451, seed=5)
    ours = to_tensor(fit_to_input(image, IMAGENET.size, IMAGENET.resize_ratio), IMAGENET)
    reference = transforms.Compose(
        [
            transforms.Resize(256),
            transforms.CenterCrop(224),
            transforms.ToTensor(),
            transforms.Normalize(IMAGENET.mean, IMAGENET.std),
        ]
    )(Image.fromarray(image))
    assert ours.shape == (1, 3, 224, 224)
    np.testing.assert_allclose(ours[0].numpy(), reference.numpy(), atol=1e-5)


def test_a_read_only_resized_image_becomes_a_tensor_without_a_warning():
    fitted = fit_to_input(random_image(64, 64, seed=3), 32)  # PIL's resize: a read-only array
    assert not fitted.flags.writeable
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = to_tensor(fitted, IMAGENET)
    reference = transforms.Normalize(IMAGENET.mean, IMAGENET.std)(
        transforms.ToTensor()(fitted.copy())
    )
    np.testing.assert_allclose(x[0].numpy(), reference.numpy(), atol=1e-6)


def test_image_at_input_size_is_not_resampled():
    image = random_image(32, 32, seed=2)
    assert fit_to_input(image, 32) is image


def test_bundled_photo_and_errors(tmp_path):
    image, label = load_image("chelsea")
    assert image.shape == (300, 451, 3) and image.dtype == np.uint8 and label == "chelsea"
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    with pytest.raises(ImageError, match="Cannot read"):
        load_image(str(bad))
    with pytest.raises(ImageError, match="bundled photo"):
        load_image(str(tmp_path / "missing.jpg"))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 999), max_size=6), st.sampled_from([",", ", ", " ", "  "]))
def test_filter_indices_are_read_with_commas_or_spaces(indices, separator):
    assert parse_filters(separator.join(str(i) for i in indices)) == tuple(indices)


def test_filter_indices_that_are_not_numbers_say_how_to_type_them():
    with pytest.raises(UserError, match="such as 14,26,32, not '14,a'"):
        parse_filters("14,a")


def test_settings_a_method_does_not_use_are_named():
    from core.explain.recipe import Recipe, unused_settings

    assert unused_settings(Recipe(method="activations", channels=12)) == ""
    assert unused_settings(Recipe(method="filters", filters=(14, 26))) == ""
    assert unused_settings(Recipe(method="gradcam")) == ""
    both = unused_settings(Recipe(method="gradcam", channels=12, filters=(14, 26)))
    assert both == (
        "N channels (12) is for Activations; filter indices (14,26) are for Filters: "
        "not used by Grad-CAM (one map per target)."
    )
    assert "not used by Activations" in unused_settings(Recipe(method="activations", filters=(1,)))
