"""The Dataset screen and `cnn-tui data show`, driven like a student would."""

from __future__ import annotations

import io
import json
import os
import re

import numpy as np
import pytest
import torch
from PIL import Image
from rich.console import Console
from textual.widgets import Footer, Static, TabbedContent

import core.data.datasets
from core.data.datasets import write_cifar10_fixture
from screens.dataset.widgets import ImageScreen
from tui.app import make_app
from tui.cli import main
from tui.config import AppConfig

torch.set_num_threads(1)
REAL_LOAD = core.data.datasets.load_dataset


@pytest.fixture
def small_shapes(monkeypatch):
    """Shapes-10 with 200 training and 100 test images, so screens load quickly."""

    def load(name, data_dir=None, **sizes):
        if name == "shapes":
            sizes = {"train_size": 200, "test_size": 100}
        return REAL_LOAD(name, data_dir, **sizes)

    monkeypatch.setattr(core.data.datasets, "load_dataset", load)


def rendered(static: Static) -> str:
    content = static.content
    if isinstance(content, str):
        return content
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


async def loaded(app, pilot):
    for _ in range(200):
        await pilot.pause(0.05)
        if app.screen.dataset is not None:
            return app.screen
    raise AssertionError("the dataset did not load")


async def test_grid_pages_splits_and_the_large_view(small_shapes, tmp_path):
    app = make_app(AppConfig(start="dataset", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(app, pilot)
        info = screen.query_one("#dataset-info", Static)
        assert "Shapes-10" in rendered(info) and "page 1/2" in rendered(info)
        grid_text = rendered(screen.query_one("#example-grid"))
        for name in screen.dataset.classes:
            assert name in grid_text
        first_page = [chosen.tolist() for chosen in screen.indices]
        assert all(len(chosen) == 10 for chosen in first_page)
        await pilot.press("right_square_bracket")
        assert "page 2/2" in rendered(info)
        assert all(set(a).isdisjoint(b) for a, b in zip(first_page, screen.indices))
        await pilot.press("t")
        assert "test split" in rendered(info) and screen.page == 0
        await pilot.press("minus")
        assert screen.per_class == 9
        await pilot.press("down", "right", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ImageScreen)
        index = int(screen.indices[1][1])
        label = int(screen.dataset.test.labels[index])
        caption = app.screen.caption
        assert f"test #{index}" in caption and screen.dataset.classes[label] in caption
        np.testing.assert_array_equal(app.screen.image, screen.dataset.test.images[index])
        await pilot.press("escape")
        assert app.screen is screen


async def test_copies_drawn_before_their_tab_is_laid_out_are_not_shrunk(small_shapes, tmp_path):
    """On a loaded machine the augmented copies can arrive before their tab has a size (0):
    they are drawn for the screen's width, captions whole, not at the smallest size."""
    from tui.render.dataset import fit_size

    app = make_app(AppConfig(start="dataset", runs_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app, pilot)
        assert screen.query_one("#augment-scroll").size.width == 0  # its tab is not shown
        screen._refresh_augment()
        for _ in range(200):
            await pilot.pause(0.05)
            if "drawing" not in rendered(screen.query_one("#augment-state", Static)):
                break
        view = rendered(screen.query_one("#augment-view", Static))
        assert "original" in view and "augmented 3" in view, view
        assert fit_size(80 - 2, 4, hi=24) > 4  # the screen's width gives more than the floor


async def test_augment_tab_toggles_and_rerolls(small_shapes, tmp_path):
    app = make_app(AppConfig(start="dataset", runs_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app, pilot)
        assert screen.check_action("toggle", ("flip",)) is False
        await pilot.pause()
        footer = screen.query_one(Footer)
        keys = {getattr(key, "description", None): key.region for key in footer.children}
        for description in ("Split", "Page ▶", "◀ Page"):  # paging fits an 80-column footer
            assert keys[description].width and keys[description].right <= 80, description
        await pilot.press("a")
        assert screen.query_one("#dataset-tabs", TabbedContent).active == "augment"

        async def state_settled():
            for _ in range(200):
                await pilot.pause(0.05)
                text = rendered(screen.query_one("#augment-state", Static))
                if "drawing" not in text:
                    return text
            raise AssertionError("no augmented copies arrived")

        text = await state_settled()
        assert "network input values 0.00" in text
        view = rendered(screen.query_one("#augment-view", Static))
        assert "original" in view and "augmented 3" in view
        await pilot.press("n")
        text = await state_settled()
        assert screen.choice.normalize and "-2.5 black" in text
        await pilot.press("f", "r")
        await state_settled()
        assert not screen.choice.flip and screen.roll == 1
        await pilot.press("f1")
        await pilot.pause()
        assert "Dataset (exercise D1)" in app.screen.query_one("#help-markdown").source


async def test_missing_cifar10_is_explained_and_a_fixture_loads(small_shapes, tmp_path):
    app = make_app(AppConfig(start="dataset", runs_dir=tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(app, pilot)
        await pilot.press("d")
        for _ in range(100):
            await pilot.pause(0.05)
            if screen.query_one("#dataset-info").has_class("error"):
                break
        info = rendered(screen.query_one("#dataset-info", Static))
        assert "cnn-tui data fetch cifar10" in info and "Still showing Shapes-10" in info
        write_cifar10_fixture(os.environ["CNN_TUI_DATA"], train_size=50, test_size=20)
        await pilot.press("d", "d")
        for _ in range(100):
            await pilot.pause(0.05)
            if screen.dataset.name == "cifar10":
                break
        assert screen.dataset.name == "cifar10"
        await pilot.press("b")
        balance = rendered(screen.query_one("#balance-view", Static))
        assert "airplane" in balance and "50" in balance


def test_data_show_json_and_png(tmp_path, capsys):
    write_cifar10_fixture(os.environ["CNN_TUI_DATA"], train_size=60, test_size=30)
    out = tmp_path / "grid.png"
    assert main(["data", "show", "--per-class", "2", "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dataset"] == "cifar10" and len(data["indices"]) == 10
    assert sum(data["class_counts"]["train"]) == 60
    labels = core.data.datasets.load_dataset("cifar10").train.labels
    for label, chosen in enumerate(data["indices"]):
        assert all(labels[i] == label for i in chosen)
    assert Image.open(out).size[0] > 2 * 64
    assert main(["data", "show", "--augment", "flip,crop", "--copies", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["augment"] == "flip, crop"


def test_data_show_rich_output_and_errors(tmp_path, capsys):
    assert main(["data", "show", "--dataset", "shapes", "--per-class", "2", "--size", "4"]) == 0
    out = capsys.readouterr().out
    assert "circle" in out and "images per class" in out and "#" in out
    assert main(["data", "show", "--dataset", "cifar10"]) == 2
    assert "cnn-tui data fetch cifar10" in capsys.readouterr().err
    assert main(["data", "show", "--dataset", "shapes", "--augment", "spin"]) == 2
    assert "Unknown augmentation spin" in capsys.readouterr().err
    assert main(["data", "show", "--dataset", "shapes", "--page", "9999"]) == 2
    assert "past the end" in capsys.readouterr().err


@pytest.mark.parametrize("width", [60, 80, 120])
def test_data_show_fits_the_width_and_keeps_every_count(width, capsys, monkeypatch):
    """--width N, or the width rich reads from COLUMNS when stdout is not a terminal: no line
    is wider, and every class has its name and both counts whole on one line."""
    from rich.cells import cell_len

    dataset = REAL_LOAD("shapes")
    counts = {
        split: np.bincount(getattr(dataset, split).labels, minlength=len(dataset.classes))
        for split in ("train", "test")
    }
    monkeypatch.setenv("COLUMNS", str(width))
    for flags in (["--width", str(width)], []):
        assert main(["data", "show", "--dataset", "shapes", "--per-class", "2", *flags]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert max(cell_len(line) for line in lines) <= width
        assert not any("…" in line for line in lines)
        rows = {line.split()[1]: line for line in lines if line.startswith("│ ")}
        for label, name in enumerate(dataset.classes):
            train, test = (int(counts[s][label]) for s in ("train", "test"))
            shares = [
                f"{count:,} ({count / counts[s].sum():.1%})"
                for count, s in ((train, "train"), (test, "test"))
            ]
            assert all(share in rows[name] for share in shares), rows.get(name)
        total = f"{counts['train'].sum():,}"
        assert total in rows["total"]


async def test_slow_loading_ticks_and_the_screen_stays_responsive(monkeypatch, tmp_path):
    import threading

    release = threading.Event()

    def slow(name, data_dir=None, **sizes):
        release.wait(10)
        return REAL_LOAD("shapes", data_dir, train_size=40, test_size=20)

    monkeypatch.setattr(core.data.datasets, "load_dataset", slow)
    app = make_app(AppConfig(start="dataset", runs_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        info = screen.query_one("#dataset-info", Static)

        def seconds() -> int:
            match = re.search(r"Loading shapes… (\d+) s", rendered(info))
            assert match, rendered(info)
            return int(match.group(1))

        await pilot.pause(0.1)
        first = seconds()
        await pilot.press("b")
        assert screen.query_one("#dataset-tabs", TabbedContent).active == "balance"
        for _ in range(100):
            await pilot.pause(0.1)
            if seconds() > first:
                break
        assert seconds() > first
        release.set()
        await loaded(app, pilot)
        assert "Shapes-10" in rendered(info) and screen.loading_timer is None


def test_narrow_grids_put_the_class_name_above_larger_thumbnails():
    from tui.render.dataset import class_grid, grid_size

    assert grid_size(140, 10) == (10, False)  # wide: names beside the rows
    size, above = grid_size(78, 10)
    assert above and size == 6  # 78 cells hold 10 thumbnails of 6 + gaps, not 4 beside a name
    dataset = REAL_LOAD("shapes", train_size=30, test_size=10)
    indices = [np.flatnonzero(dataset.train.labels == label)[:10] for label in range(10)]
    console = Console(width=78, record=True, file=io.StringIO(), color_system="truecolor")
    console.print(class_grid(dataset, "train", indices, size, label_above=True))
    lines = console.export_text().splitlines()
    assert lines[0] == dataset.classes[0]
    counts = [len(indices[0])] * (size // 2)
    assert [line.count("▀") for line in lines[1 : 1 + size // 2]] == [c * size for c in counts]
    assert lines[1].startswith("▀") and all(len(line) <= 78 for line in lines)
