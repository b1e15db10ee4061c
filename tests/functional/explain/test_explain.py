"""The Explain workspace and `cnn-tui explain` / `weights`, driven as a user would."""

from __future__ import annotations

import json
import socket

import numpy as np
import pytest
from textual.app import App
from textual.widgets import Input, Select

from tests.helpers.explain import make_run
from tui.app import make_app
from tui.cli import main
from tui.config import AppConfig
from tui.widgets.heatmap import Heatmap


async def wait_for(pilot, condition, seconds: float = 60.0) -> None:
    for _ in range(int(seconds / 0.05)):
        await pilot.pause(0.05)
        if condition():
            return
    raise AssertionError("the explain worker did not finish in time")


class HeatmapApp(App[None]):
    def __init__(self, maps) -> None:
        super().__init__()
        self.maps = maps
        self.probed: list[Heatmap.Probed] = []

    def compose(self):
        yield Heatmap(id="heat")

    def on_mount(self) -> None:
        heat = self.query_one(Heatmap)
        heat.show_maps(self.maps, ("a", "b"))
        heat.focus()

    def on_heatmap_probed(self, message: Heatmap.Probed) -> None:
        self.probed.append(message)


async def test_heatmap_probe_reads_raw_values_and_crosses_tiles():
    maps = np.arange(2 * 4 * 4, dtype=np.float32).reshape(2, 4, 4)
    app = HeatmapApp(maps)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        heat = app.query_one(Heatmap)
        assert heat.probe_value() == 0.0
        await pilot.press("l", "j", "down")
        tile, y, x = heat.probe
        assert heat.probe_value() == maps[tile, y, x] and (y, x) != (0, 0)
        assert app.probed[-1].value == heat.probe_value()
        for _ in range(20):
            await pilot.press("right")
        assert heat.probe[0] == 1 and heat.probe[2] == 3
        await pilot.pause()
        lines = heat.rendered_text()
        bar = next(i for i, line in enumerate(lines) if line.startswith("0 "))
        assert lines[bar].endswith(" 31")  # one shared scale
        status = " ".join(" ".join(lines[bar + 1 :]).split())  # wrapped to 40 columns, not cut
        y = heat.probe[1]
        assert f"probe b (y {y}, x 3) = {int(maps[1, y, 3])} " in status
        assert status.endswith("· map 4×4") and len(lines[bar + 1 :]) == 2
        assert lines[0].startswith("a") and "✚" in "".join(lines)


def explain_app(tmp_path):
    return make_app(AppConfig(start="explain", runs_dir=tmp_path / "runs", truecolor=True))


async def test_screen_explains_a_run_with_two_targets(tmp_path, monkeypatch):
    run_dir = make_run(tmp_path / "runs", "lenet5", seed=1)
    app = explain_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#model", Select).value = str(run_dir)
        screen.query_one("#image-path", Input).value = str(tmp_path / "cat.png")
        from PIL import Image

        Image.fromarray(np.full((32, 32, 3), 90, dtype=np.uint8)).save(tmp_path / "cat.png")
        screen.query_one("#target", Input).value = "cat"
        screen.query_one("#target2", Input).value = "dog"
        await pilot.press("f5")
        await wait_for(pilot, lambda: bool(screen.results))
        assert [r.target_name for r in screen.results] == ["cat", "dog"]
        assert screen.query_one("#row2").display
        overlay = screen.query_one("#overlay", Heatmap)
        assert overlay.overlay and overlay.image is not None
        maps = screen.query_one("#map", Heatmap)
        np.testing.assert_array_equal(maps.maps[0], screen.results[0].maps[0])
        both = np.stack([r.maps for r in screen.results])
        joint = [(float(both.min()), float(both.max()))]
        assert maps.bounds == joint == screen.query_one("#map2", Heatmap).bounds
        status = str(screen.query_one("#explain-status").render())
        assert "lenet5" in status and "layer 3" in status
        assert "image cat.png" in status and "Not from the model's data" in status
        assert "CIFAR-10 (32×32 photos)" in status and "a photo from elsewhere" in status
        assert "top-5" in str(screen.query_one("#top5").render())
        options = [value for _, value in screen.query_one("#layer", Select)._options]
        assert "0" in options and "3" in options
        alpha = screen.alpha
        await pilot.press("right_square_bracket")
        assert screen.alpha == pytest.approx(alpha + 0.1)
        monkeypatch.chdir(tmp_path)
        await pilot.press("ctrl+s")
        recipes = sorted((tmp_path / "explain-exports").glob("*/recipe.json"))
        assert [json.loads(p.read_text())["target_name"] for p in recipes] == ["cat", "dog"]


async def test_screen_without_weights_explains_why(tmp_path):
    app = explain_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        status = app.screen.query_one("#explain-status")
        await wait_for(pilot, lambda: "Model not available" in str(status.render()))  # no F5 yet
        await pilot.press("f5")
        await wait_for(pilot, lambda: "Cannot explain" in str(status.render()))
        assert "cnn-tui weights fetch resnet18" in str(status.render())
        assert "In this screen: type the weights file's path" in str(status.render())
        assert not app.screen.results


async def test_choosing_a_model_lists_its_layers_before_explaining(tmp_path):
    run_dir = make_run(tmp_path / "runs", "lenet5", seed=4)
    app = explain_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#model", Select).value = str(run_dir)
        layer = screen.query_one("#layer", Select)
        await wait_for(pilot, lambda: len(layer._options) > 1)
        labels = [label for label, _ in layer._options]
        assert "3 Conv2d 16×10×10" in labels and not screen.results
        assert "layers to choose from" in str(screen.query_one("#explain-status").render())
        layer.value = "0"
        await pilot.press("f5")
        await wait_for(pilot, lambda: bool(screen.results))
        assert screen.results[0].layer == "0" and screen.results[0].layer_shape == (6, 28, 28)


async def test_narrow_terminal_stacks_the_pictures_at_full_width(tmp_path):
    run_dir = make_run(tmp_path / "runs", "lenet5", seed=2)
    app = explain_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#model", Select).value = str(run_dir)
        await pilot.press("f5")
        await wait_for(pilot, lambda: bool(screen.results))
        await pilot.pause()
        photo, heat, overlay = (
            screen.query_one(f"#{i}", Heatmap).region for i in ("photo", "map", "overlay")
        )
        assert photo.y < heat.y < overlay.y and heat.x == overlay.x
        assert heat.width >= 44 and overlay.width >= 44
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        photo, heat, overlay = (
            screen.query_one(f"#{i}", Heatmap).region for i in ("photo", "map", "overlay")
        )
        assert photo.y == heat.y == overlay.y and photo.x < heat.x < overlay.x


async def test_screen_random_resnet_is_labelled_and_lists_layers(tmp_path):
    app = explain_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#model", Select).value = "resnet18-random"
        screen.query_one("#method", Select).value = "activations"
        screen.query_one("#channels", Input).value = "10"
        await pilot.press("f5")
        await wait_for(pilot, lambda: bool(screen.results), 120)
        status = str(screen.query_one("#explain-status").render())
        assert "RANDOM WEIGHTS" in status and "image chelsea" in status
        assert "Not from the model's data" not in status  # a photo suits ImageNet's ResNet-18
        result = screen.results[0]
        assert result.layer == "layer4" and result.maps.shape == (10, 7, 7)
        labels = [label for label, _ in screen.query_one("#layer", Select)._options]
        assert any(label.startswith("maxpool MaxPool2d 64×56×56") for label in labels)


def test_cli_gradcam_writes_exports_and_prints_top5(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "explain",
            "chelsea",
            "--random-weights",
            "0",
            "--method",
            "gradcam",
            "--target",
            "285",
            "--out",
            str(out),
            "--show",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "RANDOM WEIGHTS" in text and "top-5" in text and "Egyptian cat" in text
    assert "▀" in text and "overlay" in text
    assert np.load(out / "heatmap.npy").shape == (224, 224)
    recipe = json.loads((out / "recipe.json").read_text())
    assert recipe["target_index"] == 285 and recipe["layer"] == "layer4"
    assert "RANDOM" in recipe["model"]


def test_cli_list_layers_json_and_run_model(tmp_path, capsys):
    make_run(tmp_path / "runs", "lenet5")
    code = main(
        [
            "--runs-dir",
            str(tmp_path / "runs"),
            "explain",
            "coffee",
            "--model",
            "demo",
            "--list-layers",
            "--json",
        ]
    )
    listing = json.loads(capsys.readouterr().out)
    assert code == 0 and listing["input"] == [3, 32, 32]
    assert {"name": "3", "type": "Conv2d", "shape": [16, 10, 10]} in listing["layers"]


def test_cli_errors_are_messages_not_tracebacks(tmp_path, capsys):
    assert main(["explain", "chelsea"]) == 2
    assert "cnn-tui weights fetch resnet18" in capsys.readouterr().err
    assert main(["explain", str(tmp_path / "none.png"), "--random-weights", "1"]) == 2
    assert "No image" in capsys.readouterr().err
    assert main(["explain", "chelsea", "--random-weights", "1", "--layer", "layer9"]) == 2
    assert "No layer 'layer9'" in capsys.readouterr().err
    assert main(["explain", "chelsea", "--random-weights", "1", "--layer", "fc"]) == 2
    assert "pick a convolutional layer" in capsys.readouterr().err
    assert main(["explain", "chelsea", "--random-weights", "1", "--channels", "8"]) == 2
    assert "--channels is for --method activations" in capsys.readouterr().err
    assert main(["explain", "chelsea", "--method", "saliency", "--filters", "1,2"]) == 2
    assert "--filters is for --method filters, not saliency" in capsys.readouterr().err


def test_weights_fetch_without_internet_says_what_to_do(monkeypatch, capsys):
    def offline(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    assert main(["weights", "fetch", "resnet18"]) == 2
    err = capsys.readouterr().err
    assert "cnn-tui weights: error: Could not download" in err
    assert "login node" in err
    assert main(["weights", "where", "resnet18", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["present"] is False


async def test_gallery_of_a_run_opens_a_misclassified_image(tmp_path):
    from core.data.datasets import load_dataset

    classes = load_dataset("shapes", train_size=1).classes
    run_dir = make_run(tmp_path / "runs", "lenet5", seed=5, dataset="shapes", classes=classes)
    app = explain_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#model", Select).value = str(run_dir)
        await pilot.click("#gallery")
        listing = screen.query_one("#gallery-list")
        await wait_for(pilot, lambda: listing.option_count == 20)
        wrong = listing.get_option_at_index(10)
        assert "✗" in str(wrong.prompt)
        listing.highlighted = 10
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(screen.results))
        assert screen.query_one("#image-path", Input).value == wrong.id
        assert screen.results[0].image.shape == (32, 32, 3)


async def test_filters_and_pca_on_a_run_reuse_the_loaded_model(tmp_path):
    run_dir = make_run(tmp_path / "runs", "lenet5", seed=3)
    app = explain_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#model", Select).value = str(run_dir)
        screen.query_one("#method", Select).value = "filters"
        screen.query_one("#filters", Input).value = "0, 2,5"
        await pilot.press("f5")
        await wait_for(pilot, lambda: bool(screen.results))
        result = screen.results[0]
        assert result.extra["indices"] == [0, 2, 5] and result.maps.shape == (3, 28, 28)
        tiles = screen.query_one("#overlay", Heatmap)
        assert tiles.maps is None and tiles.image.shape == (7, 21, 3)  # 3 padded 5x5 tiles
        model = screen.cache.get(str(run_dir), None)
        screen.results = []
        screen.query_one("#method", Select).value = "activations"
        screen.query_one("#reduce", Select).value = "pca"
        await pilot.press("f5")
        await wait_for(pilot, lambda: bool(screen.results))
        assert screen.results[0].rgb.shape == (3, 10, 10)
        assert screen.cache.get(str(run_dir), None) is model
        pca_view = screen.query_one("#map", Heatmap)
        assert pca_view.image.shape == (10, 10, 3) and "PCA → RGB" in pca_view.caption
        # PC1..3 -> R, G, B, each scaled to [0, 255] on its own (the per-map default)
        rgb = screen.results[0].rgb
        lo, hi = rgb.min(axis=(1, 2), keepdims=True), rgb.max(axis=(1, 2), keepdims=True)
        expected = np.round((rgb - lo) / (hi - lo) * 255).transpose(1, 2, 0)
        np.testing.assert_allclose(pca_view.image, expected, atol=1)


def test_cli_show_draws_pca_as_the_screen_does(tmp_path, capsys):
    from PIL import Image

    make_run(tmp_path / "runs", "lenet5", seed=3)
    out = tmp_path / "out"
    code = main(
        [
            "--runs-dir",
            str(tmp_path / "runs"),
            "explain",
            "coffee",
            "--model",
            "demo",
            "--method",
            "activations",
            "--reduce",
            "pca",
            "--show",
            "--out",
            str(out),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "PCA → RGB" in text and "PC1 → red, PC2 → green, PC3 → blue" in text
    assert "PC2" not in text.replace("PC2 → green", "")  # one RGB picture, not three tiles
    image = np.asarray(Image.open(out / "image.png"), dtype=np.float64)
    rgb = np.load(out / "heatmap.npy")  # (3, 10, 10) raw projections
    lo, hi = rgb.min(axis=(1, 2), keepdims=True), rgb.max(axis=(1, 2), keepdims=True)
    unit = np.round((rgb - lo) / (hi - lo) * 255).transpose(1, 2, 0).astype(np.uint8)
    size = image.shape[:2][::-1]
    resized = np.asarray(Image.fromarray(unit).resize(size, Image.BILINEAR), dtype=np.float64)
    overlay = np.asarray(Image.open(out / "overlay.png"), dtype=np.float64)
    assert np.abs(overlay - (0.5 * image + 0.5 * resized)).mean() < 3


def test_cli_gallery_explains_right_and_wrong_test_images(tmp_path, capsys):
    from core.data.datasets import load_dataset

    shapes = load_dataset("shapes", train_size=1)
    make_run(tmp_path / "runs", "lenet5", seed=5, dataset="shapes", classes=shapes.classes)
    out = tmp_path / "d5"
    code = main(
        [
            "--runs-dir",
            str(tmp_path / "runs"),
            "explain",
            "--model",
            "demo",
            "--gallery",
            "2",
            "--method",
            "gradcam",
            "--out",
            str(out),
            "--json",
        ]
    )
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["layer"] == "3"
    kinds = [item["kind"] for item in summary["items"]]
    assert kinds == ["right", "right", "wrong", "wrong"]
    for item in summary["items"]:
        index = int(item["source"].split(":")[1])
        assert item["label"] == shapes.classes[shapes.test.labels[index]]
        assert (item["label"] == item["predicted"]) == (item["kind"] == "right")
        recipe = json.loads((tmp_path / item["folder"] / "recipe.json").read_text())
        assert recipe["target_name"] == item["predicted"] == item["target"]
        assert np.load(tmp_path / item["folder"] / "heatmap.npy").shape == (32, 32)
    assert main(["explain", "--gallery", "2", "--random-weights", "0"]) == 2
    assert "needs a training run" in capsys.readouterr().err
    assert main(["explain"]) == 2
    assert "Give an IMAGE" in capsys.readouterr().err


def test_cli_warns_when_the_image_is_not_from_the_models_data(tmp_path, capsys):
    from core.data.datasets import load_dataset

    shapes = load_dataset("shapes", train_size=1)
    make_run(tmp_path / "runs", "lenet5", dataset="shapes", classes=shapes.classes)
    runs = ["--runs-dir", str(tmp_path / "runs")]
    assert main([*runs, "explain", "chelsea", "--model", "demo", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert "Shapes-10 (synthetic 32×32 shapes)" in summary["warning"]
    assert summary["true_label"] is None
    assert main([*runs, "explain", "shapes:3", "--model", "demo"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    true = shapes.classes[shapes.test.labels[3]]
    assert f"true label {true}" in out and "Not from the model's data" not in out
    assert main(["explain", "shapes:3", "--random-weights", "0", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert "ImageNet's ResNet-18" in summary["warning"] and "32×32 pixels" in summary["warning"]
    assert summary["true_label"] == true
