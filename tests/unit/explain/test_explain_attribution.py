"""Saliency and Grad-CAM against straightforward implementations of the formulas and captum."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from core.explain.attribution import TargetError, grad_cam, resolve_target, saliency, top_k
from tests.helpers.explain import small_cnn

SEEDS = st.integers(0, 10_000)
TARGETS = st.integers(0, 4)


def reference_saliency(model, x, target, reduce):
    """|d score / d x| via torch.autograd.functional.jacobian of the whole logit vector."""
    jac = torch.autograd.functional.jacobian(lambda inp: model(inp)[0], x)  # (K, 1, 3, H, W)
    magnitude = jac[target, 0].abs()  # (3, H, W)
    return (magnitude.max(dim=0).values if reduce == "max" else magnitude.mean(dim=0)).numpy()


def reference_grad_cam(model, x, target, relu=True, counterfactual=False):
    """Split the net at its 4th module by hand: A = features(x), score = head(A)[target]."""
    features, head = model[:4], model[4:]
    activation = features(x).detach().requires_grad_(True)  # (1, K, h, w)
    score = head(activation)[0, target]
    score.backward()
    grad = -activation.grad[0] if counterfactual else activation.grad[0]  # (K, h, w)
    alpha = grad.sum(dim=(1, 2)) / (grad.shape[1] * grad.shape[2])  # (K,)
    cam = torch.zeros(activation.shape[2:])
    for k in range(activation.shape[1]):
        cam += alpha[k] * activation[0, k].detach()
    if relu:
        cam = torch.clamp(cam, min=0)
    up = F.interpolate(cam[None, None], size=x.shape[-2:], mode="bilinear", align_corners=False)
    return cam.numpy(), up[0, 0].numpy(), alpha.numpy()


@settings(max_examples=15, deadline=None)
@given(SEEDS, TARGETS, st.sampled_from(["max", "mean"]))
def test_saliency_matches_jacobian(seed, target, reduce):
    model = small_cnn(seed)
    x = torch.randn(1, 3, 8, 8, generator=torch.Generator().manual_seed(seed))
    ours = saliency(model, x, target, reduce)
    assert ours.shape == (8, 8)
    np.testing.assert_allclose(ours, reference_saliency(model, x, target, reduce), atol=1e-6)


@settings(max_examples=15, deadline=None)
@given(SEEDS, TARGETS, st.booleans(), st.booleans())
def test_grad_cam_matches_hand_split_network(seed, target, relu, counterfactual):
    model = small_cnn(seed)
    x = torch.randn(1, 3, 8, 8, generator=torch.Generator().manual_seed(seed + 1))
    cam = grad_cam(model, x, "3", target, relu=relu, counterfactual=counterfactual)
    layer_map, upsampled, alpha = reference_grad_cam(model, x, target, relu, counterfactual)
    np.testing.assert_allclose(cam.weights, alpha, atol=1e-6)
    np.testing.assert_allclose(cam.layer_map, layer_map, atol=1e-6)
    np.testing.assert_allclose(cam.map, upsampled, atol=1e-6)
    assert cam.map.shape == (8, 8)
    if relu:
        assert cam.map.min() >= 0


def test_grad_cam_does_not_leave_hooks_behind():
    model = small_cnn(1)
    grad_cam(model, torch.randn(1, 3, 8, 8), "3", 0)
    assert not model[3]._forward_hooks


captum = pytest.importorskip("captum.attr")


@settings(max_examples=8, deadline=None)
@given(SEEDS, TARGETS)
def test_against_captum(seed, target):
    model = small_cnn(seed)
    x = torch.randn(1, 3, 8, 8, generator=torch.Generator().manual_seed(seed + 2))
    expected = captum.Saliency(model).attribute(
        x.clone().requires_grad_(True), target=target, abs=True
    )  # (1, 3, 8, 8)
    np.testing.assert_allclose(
        saliency(model, x, target, "max"), expected[0].max(dim=0).values.numpy(), atol=1e-6
    )
    layer_cam = captum.LayerGradCam(model, model[3]).attribute(
        x, target=target, relu_attributions=True
    )  # (1, 1, 4, 4)
    ours = grad_cam(model, x, "3", target)
    np.testing.assert_allclose(ours.layer_map, layer_cam[0, 0].detach().numpy(), atol=1e-6)
    upsampled = captum.LayerAttribution.interpolate(layer_cam, (8, 8), "bilinear")
    np.testing.assert_allclose(ours.map, upsampled[0, 0].detach().numpy(), atol=1e-6)


def test_top_k_is_softmax_sorted():
    logits = np.array([0.5, 2.0, -1.0, 1.0], dtype=np.float32)
    classes = ("a", "b", "c", "d")
    rows = top_k(logits, classes, k=3)
    probabilities = torch.softmax(torch.tensor(logits), dim=0).numpy()
    assert [row.index for row in rows] == [1, 3, 0]
    assert [row.name for row in rows] == ["b", "d", "a"]
    np.testing.assert_allclose(
        [row.probability for row in rows], probabilities[[1, 3, 0]], rtol=1e-6
    )


def test_resolve_target_accepts_index_name_and_unique_part():
    classes = ("bull mastiff", "Egyptian cat", "tabby cat", "tiger")
    logits = np.array([0.0, 0.0, 5.0, 0.0])
    assert resolve_target(None, classes, logits) == 2
    assert resolve_target("1", classes, logits) == 1
    assert resolve_target("egyptian CAT", classes, logits) == 1
    assert resolve_target("bull", classes, logits) == 0
    with pytest.raises(TargetError, match="several"):
        resolve_target("cat", classes, logits)
    with pytest.raises(TargetError, match="out of range"):
        resolve_target("7", classes, logits)
    with pytest.raises(TargetError, match="No class"):
        resolve_target("zebra", classes, logits)


def test_a_word_of_a_name_beats_a_longer_name_that_starts_with_it():
    from core.models.weights import imagenet_categories

    classes = tuple(imagenet_categories())
    logits = np.zeros(len(classes))
    with pytest.raises(TargetError, match="several") as caught:
        resolve_target("cat", classes, logits)  # five cats, not "catamaran"
    assert "Egyptian cat" in str(caught.value)
    assert classes[resolve_target("Egyptian", classes, logits)] == "Egyptian cat"
    assert classes[resolve_target("catamaran", classes, logits)] == "catamaran"
    assert resolve_target("bull mastiff", classes, logits) == 243
    assert classes[resolve_target("great white", classes, logits)] == "great white shark"


def test_grad_cam_is_not_disturbed_by_another_thread_using_the_same_model():
    """The app lists layers (a no-grad forward pass) in one worker while another explains:
    a pass from the other thread, in the middle of Grad-CAM's own, must not replace the
    activation Grad-CAM captured."""
    import threading

    model = small_cnn(3)
    x = torch.randn(1, 3, 8, 8, generator=torch.Generator().manual_seed(4))
    expected = reference_grad_cam(model, x, 2)
    layer_after = model[4]
    interfered = []

    def other_thread_pass(_module, _inputs):
        if not interfered:  # once, while Grad-CAM's pass is between the hooked layer and here
            interfered.append(True)

            def run():
                with torch.no_grad():
                    model(torch.randn(1, 3, 8, 8))

            thread = threading.Thread(target=run)
            thread.start()
            thread.join()

    handle = layer_after.register_forward_pre_hook(other_thread_pass)
    try:
        cam = grad_cam(model, x, "3", 2)
    finally:
        handle.remove()
    assert interfered
    np.testing.assert_allclose(cam.layer_map, expected[0], atol=1e-6)
