"""The Calculators screen driven by Pilot: live solving, the layer table, fields, exports."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, TextArea

from tui.app import make_app
from tui.config import AppConfig


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def settle(pilot, rounds: int = 4) -> None:
    """Let thread workers finish and their messages land."""
    for _ in range(rounds):
        await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_typed_values_show_the_formula_with_numbers(tmp_path):
    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3", "2", "tab", "tab", "5", "tab", "1", "tab", "0")
        await settle(pilot)
        result = text_of(app, "#layer-result")
        assert "out = 28" in result and "⌊(32 + 2·0 − 5) / 1⌋ + 1 = 27 + 1 = 28" in result
        await pilot.press("backspace", "tab", "tab", "3", "2")  # blank padding, out = 32
        await settle(pilot)
        assert "padding = 2" in text_of(app, "#layer-result")


async def test_exercise_presets_and_inline_errors(tmp_path):
    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one("#layer-example", Select).value = "b3-kernel"
        await settle(pilot)
        assert "kernel = 9" in text_of(app, "#layer-result")
        app.screen.query_one("#layer-example", Select).value = "b1-uneven"
        await settle(pilot)
        assert "drops 1 cell" in text_of(app, "#layer-result")
        app.screen.query_one("#f-kernel", Input).value = "40"
        await settle(pilot)
        assert "smaller than the window" in text_of(app, "#layer-result")
        assert app.screen.query_one("#f-kernel", Input).value == "40"  # typed data kept


async def test_architecture_editor_live_table_and_errors(tmp_path):
    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        table = app.screen.query_one("#arch-table", DataTable)
        assert table.row_count == 14  # 13 layers of B4 + totals
        assert "390,410 parameters" in text_of(app, "#arch-status")
        weights = 3 * 32 * 25 + 32 * 64 * 25 + 64 * 128 * 25 + 2048 * 64 + 64 * 10
        assert table.get_row_at(13)[4:6] == [f"{weights:,}", f"{32 + 64 + 128 + 64 + 10:,}"]
        editor = app.screen.query_one("#arch-spec", TextArea)
        editor.text = "Conv2d(3, 32, 5), Flatten(), Linear(512, 64)"
        await settle(pilot)
        assert "use Linear(25088, 64)" in text_of(app, "#arch-status")
        assert app.screen.check_action("export", ("markdown",)) is None
        editor.text = "Conv2d(3, 8, 3, padding=1), ReLU(), MaxPool2d(2)"
        await settle(pilot)
        assert table.row_count == 4
        assert table.get_row_at(2)[2] == "8×16×16"


async def test_presets_b6_include_the_torchvision_network(tmp_path):
    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        app.screen.query_one("#arch-input", Input).value = "3,64,64"
        app.screen.query_one("#arch-preset", Select).value = "resnet18-transfer"
        await settle(pilot, 8)
        app.screen.query_one("#arch-input", Input).value = "3,64,64"
        await settle(pilot, 8)
        assert "11,181,642 parameters" in text_of(app, "#arch-status")
        assert "8,398,858 trainable" in text_of(app, "#arch-status")
        assert app.screen.check_action("export", ("code",)) is None
        app.screen.query_one("#arch-preset", Select).value = "lenet5"
        await settle(pilot)
        assert "62,006 parameters" in text_of(app, "#arch-status")


async def test_receptive_field_view_follows_the_chosen_cell(tmp_path):
    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        app.screen.query_one(
            "#arch-spec", TextArea
        ).text = "Conv2d(1, 1, 3), Conv2d(1, 1, 3), Conv2d(1, 1, 3)"
        app.screen.query_one("#arch-input", Input).value = "1,12,12"
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        info = text_of(app, "#field-info")
        assert "cell (y=0, x=0)" in info and "receptive field 7" in info
        assert "RF = r + (k − 1)·d·j = 5 + (3 − 1)·1 = 7" in info
        assert "input rows 0…6" in info
        await pilot.press("down", "right", "right")
        await settle(pilot)
        info = text_of(app, "#field-info")
        assert "cell (y=1, x=2)" in info and "input cols 2…8" in info
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "receptive field 5" in text_of(app, "#field-info")
        assert "█" in text_of(app, "#field-grid")


async def export_to(pilot, app, key: str, path) -> str:
    """Press an export key, save to `path` from the dialog and return what was written."""
    await pilot.press(key)
    await settle(pilot)
    box = app.screen.query_one("#export-path", Input)
    box.value = str(path)
    box.focus()
    await pilot.press("enter")
    await settle(pilot)
    return path.read_text()


async def test_exports_markdown_and_code_to_files(tmp_path):
    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        assert "**390,410**" in await export_to(pilot, app, "f5", tmp_path / "b4.md")
        code = await export_to(pilot, app, "f6", tmp_path / "b4.py")
        assert "model = nn.Sequential(" in code and "nn.Linear(2048, 64)" in code


async def test_help_explains_the_keys(tmp_path):
    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        from tui.help_screen import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        markdown = app.screen.query_one("#help-markdown")
        assert "Receptive field (F4)" in markdown.source


async def test_one_key_per_exercise_b1_to_b6_and_again_for_the_next_part(tmp_path):
    import torch
    from torch import nn

    from core.models.zoo import build_model

    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "out = 28" in text_of(app, "#layer-result")  # B1 is there from the start
        x = torch.zeros(1, 3, 32, 32)
        await pilot.press("f8")  # B2, even with a text field focused
        await settle(pilot)
        assert "padding = 2" in text_of(app, "#layer-result")
        assert nn.Conv2d(3, 1, 5, padding=2)(x).shape[-1] == 32
        await pilot.press("f9", "f9", "f9")  # B3, third part: the 3×3 conv after pooling
        await settle(pilot)
        pooled = nn.MaxPool2d(2, 2)(torch.zeros(1, 1, 504, 504)).shape[-1]
        assert screen.query_one("#f-in_size", Input).value == str(pooled)
        assert (
            f"out = {nn.Conv2d(1, 1, 3)(torch.zeros(1, 1, pooled, pooled)).shape[-1]}"
            in text_of(app, "#layer-result")
        )
        await pilot.press("f10")  # B4: the parameter count of the course network
        await settle(pilot)
        assert screen.query_one("#calc-tabs").active == "architecture"
        model = build_model("convnet-32-64-128", pretrained=False)
        assert f"{sum(p.numel() for p in model.parameters()):,} parameters" in text_of(
            app, "#arch-status"
        )
        await pilot.press("f11", "f11")  # B5, two 4×4 stride-2 convs
        await settle(pilot)
        convs = nn.Sequential(nn.Conv2d(1, 1, 4, stride=2), nn.Conv2d(1, 1, 4, stride=2))
        nn.init.ones_(convs[0].weight), nn.init.ones_(convs[1].weight)
        image = torch.zeros(1, 1, 32, 32, requires_grad=True)
        convs(image)[0, 0, 2, 2].backward()  # one output cell of (1, 1, 6, 6)
        seen = image.grad[0, 0].abs().sum(dim=1).nonzero()  # input rows it depends on
        assert screen.table.rows[-1].field[0].size == int(seen.max() - seen.min() + 1)
        await pilot.press("f12")  # B6 starts at the first model preset
        await settle(pilot)
        model = build_model("lenet5", pretrained=False)
        assert screen.table.total_params == sum(p.numel() for p in model.parameters())


def test_b5_general_formula_sums_to_the_autograd_receptive_field():
    import re

    import torch
    from torch import nn

    from core.arch.table import layer_table
    from screens.calculators.views import field_sum

    spec = (
        "Conv2d(1, 1, 3), Conv2d(1, 1, 3, dilation=2), AvgPool2d(2), "
        "Conv2d(1, 1, 3, stride=2), AvgPool2d(3, 1)"
    )
    text = field_sum(layer_table(spec, (1, 40, 40)))
    terms = re.findall(r"\((\d+)−1\)((?:·\d+)+)", text)
    total = 1 + sum((int(k) - 1) * eval("*".join(f.split("·")[1:])) for k, f in terms)
    stack = nn.Sequential(
        nn.Conv2d(1, 1, 3),
        nn.Conv2d(1, 1, 3, dilation=2),
        nn.AvgPool2d(2),
        nn.Conv2d(1, 1, 3, stride=2),
        nn.AvgPool2d(3, 1),
    )
    for conv in (stack[0], stack[1], stack[3]):
        nn.init.ones_(conv.weight)
    image = torch.zeros(1, 1, 40, 40, requires_grad=True)
    out = stack(image)  # (1, 1, 5, 5)
    out[0, 0, 2, 2].backward()
    rows = image.grad[0, 0].abs().sum(dim=1).nonzero()
    assert total == int(rows.max() - rows.min() + 1)
    assert text.endswith(f"[b]{total}[/b][/]")


async def test_b4_totals_and_first_layers_fit_on_80x24(tmp_path):
    app = make_app(AppConfig(start="calculators", runs_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        footer_top = app.screen.query_one("Footer").region.y
        status = app.screen.query_one("#arch-status").region
        table = app.screen.query_one("#arch-table").region
        assert status.bottom <= footer_top and table.y + 4 <= footer_top  # header + 3 layers
