"""The Convolution lab screen driven by keys: presets, stepping, toggles, answers, errors."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from textual.widgets import TextArea

from screens.conv_lab.screen import ConvLabScreen
from tui.app import make_app
from tui.config import AppConfig
from tui.widgets.matrix import MatrixView

A1_X = torch.tensor(
    [
        [1.0, 0, 0, 1, 1, 0],
        [0, 1, 0, 0, 0, 1],
        [0, 0, 1, 1, 0, 0],
        [1, 0, 0, 0, 1, 0],
        [1, 0, 0, 0, 0, 1],
    ]
)[None, None]  # (1, 1, 5, 6)
A1_W1 = torch.tensor([[1.0, 0], [0, 1]])[None, None]  # (1, 1, 2, 2)


def text_of(screen: ConvLabScreen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def where(screen: ConvLabScreen) -> str:
    """The step line: the title of the arithmetic box."""
    return str(screen.query_one("#conv-arith").border_title)


def picture(screen: ConvLabScreen, title_start: str):
    """The first matrix on the stage whose title starts so."""
    return next(
        view.picture
        for view in screen.query(MatrixView)
        if view.picture.title.startswith(title_start)
    )


async def settled(pilot, screen: ConvLabScreen) -> None:
    """Wait until typing's re-solve has run (it waits for the keys to pause)."""
    for _ in range(100):
        if screen.pending is None:
            return
        await pilot.pause(0.05)
    raise AssertionError("the typed inputs were never solved")


async def open_lab(tmp_path, size=(120, 40)):
    app = make_app(AppConfig(start="conv_lab", runs_dir=tmp_path))
    return app, app.run_test(size=size)


async def test_a1_preset_steps_with_pytorch_values(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        await pilot.press("f2", "right", "right", "right")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConvLabScreen)
        expected = F.relu(F.conv2d(A1_X, A1_W1, torch.tensor([-1.0])))[0, 0]  # (4, 5)
        arith = text_of(screen, "#conv-arith")
        assert arith.startswith("o[0,3] = 1·1 + 1·0 + 0·0 + 0·1 = 1;  1 + (−1) = 0;  ReLU(0)")
        assert arith.endswith(f"= {int(expected[0, 3])}")
        assert "step 4/20" in where(screen)
        filling = picture(screen, "output (bias")
        assert (0, 4) in filling.hidden and (0, 3) not in filling.hidden
        assert filling.current == (0, 3)
        assert picture(screen, "input").window == {(0, 3), (0, 4), (1, 3), (1, 4)}
        await pilot.press("down", "end")
        await pilot.pause()
        assert "step 20/20" in where(screen)
        output = picture(screen, "output (bias")
        assert not output.hidden
        shown = [[int(v) for v in row] for row in output.values]
        assert shown == expected.int().tolist()
        assert picture(screen, "output 3").current == (3, 4)  # wide: every kernel shown
        await pilot.press("k")
        await pilot.pause()
        assert "kernel 2/3" in where(screen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=str)
async def test_a1_input_shows_whole_one_row_per_line(tmp_path, size):
    app, running = await open_lab(tmp_path, size=size)
    async with running as pilot:
        await pilot.pause()
        editor = app.screen.query_one("#field-input", TextArea)
        rows = [" ".join(str(int(v)) for v in row) for row in A1_X[0, 0].tolist()]
        body = app.screen.query_one("#conv-body").region
        assert body.contains_region(editor.region) and editor.region.height >= len(rows)
        shown = [editor.render_line(y).text.strip() for y in range(editor.region.height)]
        assert shown[: len(rows)] == rows and not any(shown[len(rows) :]), shown
        await pilot.press("e", "end", "space", "1")  # typing goes on after the last row
        await pilot.pause()
        assert app.screen.inputs.input.endswith("; " + rows[-1] + " 1")


async def test_toggles_keep_the_typed_matrices(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        screen = app.screen
        before = screen.query_one("#field-input").text
        await pilot.press("s")
        await pilot.pause()
        assert "step 1/6" in where(screen)  # A1 with stride 2: 2×3
        await pilot.press("p", "m", "c")
        await pilot.pause()
        assert screen.query_one("#field-input").text == before
        assert screen.inputs.padding_mode == "reflect" and screen.inputs.mode == "convolution"
        assert "flipped by 180°" in text_of(screen, "#conv-status")  # the difference, explained


async def test_wrong_answer_is_diagnosed(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        await pilot.press("f2", "a")
        pre = F.conv2d(A1_X, A1_W1, torch.tensor([-1.0]))[0, 0].int().tolist()  # no ReLU
        await pilot.press(*"; ".join(" ".join(str(v) for v in row) for row in pre))
        await pilot.press("enter")
        await pilot.pause()
        status = text_of(app.screen, "#conv-status")
        assert "ReLU forgotten" in status
        assert "Wrong cells" in status
        wrong = picture(app.screen, "output (bias").wrong
        assert (0, 1) in wrong and (0, 0) not in wrong


async def test_backward_views_of_the_max_pool_preset(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        await pilot.press("f8", "v")
        await pilot.pause()
        assert "p[0,0] = max(" in text_of(app.screen, "#conv-arith")
        await pilot.press("v", "right")  # E and dE/dp (the pooled maps), second cell
        await pilot.pause()
        assert text_of(app.screen, "#conv-arith").splitlines() == [
            "E = mean((o − y)²) = ((4 − 1)² + (5 − 0)² + (3 − 0)² + (6 − 2)²)/4 = 59/4",
            "dE/dp[0,1] = 2·(5 − 0)/4 = 5/2",
        ]
        assert text_of(app.screen, "#conv-history") == "dE/dp[0,0] = 2·(4 − 1)/4 = 3/2"
        await pilot.press("v", "right")
        await pilot.pause()
        x = torch.tensor(
            [[1.0, 2, 0, 3, 1], [0, 1, 2, 1, 2], [3, 0, 1, 2, 0], [1, 1, 0, 2, 1], [2, 0, 1, 1, 3]]
        )[None, None]  # the F8 preset's input
        a = F.relu(
            F.conv2d(x, torch.tensor([[1.0, 0], [-1, 2]])[None, None], torch.tensor([-1.0]))
        ).requires_grad_(True)  # (1, 1, 4, 4)
        F.mse_loss(F.max_pool2d(a, 2), torch.tensor([[1.0, 0], [0, 2]])[None, None]).backward()
        assert a.grad[0, 0, 0, 1] == 1.5
        assert text_of(app.screen, "#conv-arith") == "dE/da[0,1] = dE/dp[0,0] = 3/2"
        await pilot.press("v", "right")  # through the ReLU: z[0,1] = 4 > 0 lets 3/2 through
        await pilot.pause()
        assert text_of(app.screen, "#conv-arith") == "dE/dz[0,1] = 3/2·[4 > 0] = 3/2"
        await pilot.press("v")
        await pilot.pause()
        assert text_of(app.screen, "#conv-arith").startswith("dE/dw[0,0] = ")
        await pilot.press("v", "end")
        await pilot.pause()
        assert text_of(app.screen, "#conv-arith").startswith("dE/dx[4,4] = ")


async def test_bad_input_shows_an_error_and_keeps_the_text(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        await pilot.press("e", "end", *" 7")
        await settled(pilot, app.screen)
        assert "ragged" in text_of(app.screen, "#conv-status")
        assert app.screen.query_one("#field-input").text.endswith("0 1 7")  # after the last row


async def test_small_terminal_still_steps(tmp_path):
    app, running = await open_lab(tmp_path, size=(80, 24))
    async with running as pilot:
        await pilot.pause()
        await pilot.press("f4", "right")
        await pilot.pause()
        assert text_of(app.screen, "#conv-arith").startswith("o[0,1] = ")
        assert "step 2/15" in where(app.screen)
        await pilot.press("f1")
        await pilot.pause()
        assert "# Convolution lab" in app.screen.query_one("#help-markdown").source


async def test_play_steps_by_itself_and_loss_kind_toggles(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("plus", "plus", "plus", "space")
        await pilot.pause(0.6)
        await pilot.press("space")
        assert screen.cursor >= 2 and screen.timer is None
        await pilot.press("f7", "t")
        await pilot.pause()
        assert screen.inputs.grad_output and not screen.inputs.target
        assert "dE/do" in str(screen.query_one("#loss-label").render())
        assert screen.check_action("kernel", ()) is None  # one kernel: greyed out
        await pilot.press("w")
        assert screen.answer_for == "pre_activation"


async def test_arrows_step_unless_a_text_field_has_focus(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        screen = app.screen
        screen.set_focus(None)  # e.g. after a mouse click on empty space
        await pilot.press("right", "right")
        await pilot.pause()
        assert screen.cursor == 2
        await pilot.press("e", "right", "down", "end")  # the input field keeps its arrows
        await pilot.pause()
        assert screen.cursor == 2 and screen.focused.id == "field-input"
        await pilot.press("enter", "down")
        await pilot.pause()
        assert screen.cursor == 2 + 5  # one row of A1's 4×5 output
        assert "step 8/20" in where(screen)


async def test_arithmetic_and_status_are_visible_at_80x24_for_every_preset(tmp_path):
    app, running = await open_lab(tmp_path, size=(80, 24))
    async with running as pilot:
        await pilot.pause()
        for key in ("f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"):
            await pilot.press(key, "v", "end")
            await pilot.pause()
            footer_top = app.screen.query_one("Footer").region.y
            for selector in ("#conv-arith", "#conv-status", "#field-answer"):
                region = app.screen.query_one(selector).region
                assert region.height and region.bottom <= footer_top, (key, selector)


async def test_zero_terms_are_left_out_until_z(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        await pilot.press("f8", *"vvvvv")  # pool, E, dE/da, dE/dz, then dE/dw
        await pilot.pause()
        compact = text_of(app.screen, "#conv-arith")
        assert compact == "dE/dw[0,0] = 3/2·2 + 5/2·3 + 3/2·3 + 2·2 = 19  (12 zero terms left out)"
        await pilot.press("z")
        await pilot.pause()
        full = text_of(app.screen, "#conv-arith")
        assert full.startswith("dE/dw[0,0] = 0·1 + 3/2·2 + 0·0 + ") and full.endswith("= 19")
        assert full.count("·") == 16  # one product per cell of the 4×4 conv output


async def test_pooling_window_stride_and_ceil_keys(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        await pilot.press("f2", "o", "n", "j", "j")  # max pooling, window 3, stride 2
        await pilot.pause()
        screen = app.screen
        assert (screen.inputs.pool, screen.inputs.pool_kernel, screen.inputs.pool_stride) == (
            "max",
            "3",
            "2",
        )
        conv = F.relu(F.conv2d(A1_X, A1_W1, torch.tensor([-1.0])))  # (1, 1, 4, 5)
        pooled = screen.solution.pooled[0].output
        assert [[int(v) for v in row] for row in pooled] == F.max_pool2d(conv, 3, 2)[
            0, 0
        ].int().tolist()
        await pilot.press("u")
        await pilot.pause()
        pooled = screen.solution.pooled[0].output
        assert [[int(v) for v in row] for row in pooled] == F.max_pool2d(
            conv, 3, 2, ceil_mode=True
        )[0, 0].int().tolist()
        assert "window 3" in text_of(screen, "#conv-params")


def contrast(a, b) -> float:
    """WCAG contrast ratio of two rich colours."""

    def luminance(color) -> float:
        channels = [c / 255 for c in color.get_truecolor()]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_highlighted_cells_are_readable_in_dark_and_light_themes(tmp_path):
    for theme in ("textual-dark", "textual-light"):
        app = make_app(AppConfig(start="conv_lab", runs_dir=tmp_path, theme=theme))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f8", "v", "right")  # window, argmax mark and current cell
            await pilot.pause()
            for view in app.screen.query(MatrixView):
                text = view.render_picture(view.picture)
                own = view.rich_style
                assert contrast(own.color, own.bgcolor) >= 4.5, theme
                for span in text.spans:
                    style = span.style
                    if style.bgcolor is not None:
                        assert contrast(style.color, style.bgcolor) >= 4.5, (theme, style)
                    else:
                        assert style.color is None, (theme, style)  # the theme's text colour


async def test_a1b_names_the_row_the_stride_drops(tmp_path):
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        assert "drops" not in text_of(app.screen, "#conv-params")
        await pilot.press("f3")
        await pilot.pause()
        assert "Stride 2 drops input row 4" in text_of(app.screen, "#conv-params")


async def test_autograd_view_beside_the_exact_gradients(tmp_path):
    """`x` computes A4's gradients with PyTorch autograd in a thread; the test's own graph agrees."""
    app, running = await open_lab(tmp_path)
    async with running as pilot:
        await pilot.pause()
        await pilot.press("f8", "x")
        for _ in range(200):
            await pilot.pause(0.05)
            if "largest difference" in text_of(app.screen, "#conv-status"):
                break
        x = torch.tensor(
            [[1.0, 2, 0, 3, 1], [0, 1, 2, 1, 2], [3, 0, 1, 2, 0], [1, 1, 0, 2, 1], [2, 0, 1, 1, 3]],
            dtype=torch.float64,
        )[None, None].requires_grad_(True)
        w = torch.tensor([[1.0, 0], [-1, 2]], dtype=torch.float64)[None, None].requires_grad_(True)
        b = torch.tensor([-1.0], dtype=torch.float64, requires_grad=True)
        pooled = F.max_pool2d(F.relu(F.conv2d(x, w, b)), 2)
        target = torch.tensor([[1.0, 0], [0, 2]], dtype=torch.float64)[None, None]
        F.mse_loss(pooled, target).backward()
        history = text_of(app.screen, "#conv-history")
        assert history.startswith("PyTorch autograd beside the exact values:")
        assert "largest difference from the exact values 0" in text_of(app.screen, "#conv-status")
        rows = {line.split()[0]: line for line in history.splitlines()[1:]}
        assert f"autograd {w.grad[0, 0, 1, 1].item():>12.6f}" in rows["dE/dw[1,1]"]
        assert f"autograd {b.grad.item():>12.6f}" in rows["dE/db"]
        assert f"autograd {x.grad[0, 0, 1, 3].item():>12.6f}" in rows["dE/dx[1,3]"]
        await pilot.press("f2", "x")  # A1 has no loss: nothing to compare
        await pilot.pause()
        assert "type a target y" in text_of(app.screen, "#conv-status")
