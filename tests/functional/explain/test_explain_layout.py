"""Explain's pictures at 80×24 and 120×40: photo, map and overlay one size, and every caption
and label whole (wrapped between words, never cut) however narrow the picture."""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App
from textual.widgets import Input, Select

from tests.functional.explain.test_explain import explain_app, wait_for
from tests.helpers.explain import make_run, random_image
from tui.widgets.heatmap import Heatmap

HALF = "▀"


def picture_size(heatmap: Heatmap) -> tuple[int, int]:
    """(columns, rows) of half-block cells as last drawn: the picture without its text."""
    rows = [line.count(HALF) for line in heatmap.rendered_text() if HALF in line]
    return max(rows, default=0), len(rows)


async def drawn(pilot, screen, heatmaps: list[Heatmap]) -> None:
    """Scroll each picture into view so it is drawn (stacked, they do not fit one screen)."""
    results = screen.query_one("#explain-results")
    for heatmap in heatmaps:
        results.scroll_to_widget(heatmap, animate=False, top=True)
        await pilot.pause()
        await pilot.pause()


async def explained(pilot, screen) -> None:
    before = screen.results
    await pilot.press("f5")
    await wait_for(pilot, lambda: screen.results and screen.results is not before)
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (121, 40)], ids=str)
async def test_photo_map_and_overlay_are_one_size(size, tmp_path):
    run_dir = make_run(tmp_path / "runs", "lenet5", seed=5)
    app = explain_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#model", Select).value = str(run_dir)
        screen.query_one("#target", Input).value = "cat"
        await explained(pilot, screen)
        heatmaps = [screen.query_one(f"#{i}", Heatmap) for i in ("photo", "map", "overlay")]
        await drawn(pilot, screen, heatmaps)
        room = screen.query_one("#row1").content_size.width
        stacked = size[0] < 110
        expected = room if stacked else (room - 2) // 3  # three pictures, two 1-cell gaps
        regions = [heatmap.region for heatmap in heatmaps]
        assert [r.width for r in regions] == [expected] * 3, regions
        assert len({r.height for r in regions}) == 1, regions
        photo, heat, overlay = regions
        if stacked:
            assert photo.x == heat.x == overlay.x and photo.y < heat.y < overlay.y
        else:
            assert photo.y == heat.y == overlay.y and photo.x < heat.x < overlay.x
        sizes = [picture_size(heatmap) for heatmap in heatmaps]
        assert len(set(sizes)) == 1, sizes
        if not stacked:  # side by side the pictures are as wide as their places
            assert sizes[0][0] == expected, sizes

        screen.query_one("#target2", Input).value = "dog"  # a second row, under the first
        await explained(pilot, screen)
        heatmaps += [screen.query_one(f"#{i}", Heatmap) for i in ("map2", "overlay2")]
        await drawn(pilot, screen, heatmaps)
        regions = [heatmap.region for heatmap in heatmaps]
        assert [r.width for r in regions] == [expected] * 5, regions
        if not stacked:
            assert [r.x for r in regions[3:]] == [r.x for r in regions[1:3]]
            assert regions[3].y > regions[1].y
        sizes = [picture_size(heatmap) for heatmap in heatmaps]
        assert len(set(sizes)) == 1 and sizes[0][0] > 0, sizes


class OneHeatmap(App[None]):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.width = width

    def compose(self):
        yield Heatmap(id="heat")

    def on_mount(self) -> None:
        self.query_one(Heatmap).styles.width = self.width


def words_in_order(lines: list[str], text: str) -> bool:
    """Whether the words of `text` appear, each whole, in order in the drawn lines."""
    drawn = " ".join(lines).split()
    position = 0
    for word in text.split():
        try:
            position = drawn.index(word, position) + 1
        except ValueError:
            return False
    return True


@pytest.mark.parametrize("width", [20, 30, 40])
async def test_labels_and_captions_wrap_whole_at_narrow_widths(width):
    label = "Grad-CAM layer4.1.conv2: German shepherd, German shepherd dog"
    caption = "filters (RGB, 0 = grey)"
    maps = np.linspace(-1.234e-5, 2.763e-4, 49, dtype=np.float32).reshape(7, 7)
    app = OneHeatmap(width)
    async with app.run_test(size=(60, 40)) as pilot:
        heat = app.query_one(Heatmap)
        await pilot.pause()
        placeholder = heat.rendered_text()
        assert " ".join(placeholder).split() == "(nothing to show yet)".split(), placeholder
        assert all(len(line) <= width for line in placeholder)
        for show, above, below in (
            (lambda: heat.show_maps(maps, (label,)), label, "-1.234e-05 to 0.0002763"),
            (lambda: heat.show_image(random_image(32, 96), caption), caption, ""),
            (lambda: heat.show_image(random_image(32, 32)), "image 32×32", ""),
        ):
            show()
            await pilot.pause()
            lines = heat.rendered_text()
            assert lines and all(len(line) <= width for line in lines), lines
            assert "…" not in "".join(lines)
            first = next(i for i, line in enumerate(lines) if HALF in line)
            last = max(i for i, line in enumerate(lines) if HALF in line)
            assert words_in_order(lines[:first], above), (above, lines)  # the caption, whole
            numbers = below.split(" to ")
            assert all(n in " ".join(lines[last + 1 :]).split() for n in numbers if n), lines


async def test_grid_captions_keep_what_tells_the_tiles_apart():
    """Eight channels of one layer in 30 columns: the tiles are too narrow for
    "layer4.1.conv2[5]", so each caption drops the shared layer name and keeps its index."""
    labels = tuple(f"layer4.1.conv2[{c}]" for c in range(8))
    maps = np.arange(8 * 4 * 4, dtype=np.float32).reshape(8, 4, 4)
    app = OneHeatmap(30)
    async with app.run_test(size=(60, 30)) as pilot:
        heat = app.query_one(Heatmap)
        heat.show_maps(maps, labels)
        await pilot.pause()
        words = " ".join(heat.rendered_text()).split()
        assert all(f"[{c}]" in words for c in range(8)), heat.rendered_text()
        assert "layer4.1.conv2[0]" in words  # the probe's status names the whole label
