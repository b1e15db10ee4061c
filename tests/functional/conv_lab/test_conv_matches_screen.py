"""The match view (h) on A1, by keys: the input cells where both on taps of kernel 1 see a 1
are underlined (marked), so are the windows, and the status names them — against PyTorch."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from tests.functional.conv_lab.test_conv_lab import A1_W1, A1_X, picture, text_of
from tui.app import make_app
from tui.config import AppConfig


async def test_h_underlines_where_both_taps_see_a_one(tmp_path):
    out = torch.relu(F.conv2d(A1_X, A1_W1) - 1)[0, 0]  # kernel 1, bias −1
    windows = {tuple(ij) for ij in torch.nonzero(out > 0).tolist()}
    taps = [tuple(ab) for ab in torch.nonzero(A1_W1[0, 0] > 0).tolist()]
    cells = {(i + a, j + b) for i, j in windows for a, b in taps}
    app = make_app(AppConfig(runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("f2", "h")
        await pilot.pause()
        lab = app.screen
        assert picture(lab, "input").marked == cells
        assert picture(lab, "output (").marked == windows
        status = text_of(lab, "#conv-status")
        assert status.startswith("Match view (h): kernel 1's on taps [0,0] and [1,1]")
        assert "exactly there" in status
        w3 = torch.tensor([[1.0, 1], [0, 0]])[None, None]  # kernel 3 beside it (wide stage)
        third = torch.relu(F.conv2d(A1_X, w3) - 1)[0, 0]
        assert picture(lab, "output 3").marked == {
            tuple(ij) for ij in torch.nonzero(third > 0).tolist()
        }
        await pilot.press("q")  # quiz mode: the matches would give the outputs away
        await pilot.pause()
        assert picture(lab, "input").marked == frozenset()
