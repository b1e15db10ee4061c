"""The Monitor's results table: each run's network name and parameter count, from the worker's
measurement once the run started, else from SPEC arithmetic on the config (no torch), checked
against instantiated modules."""

from __future__ import annotations

from pathlib import Path

from core.arch.spec import build_module, parse_spec
from core.models.zoo import build_model
from core.runs.store import create_run
from core.training.config import TrainConfig
from core.training.fit import fit
from screens.monitor.view import RESULT_HEADERS, details_text, result_row
from tests.functional.train.test_custom_arch_cli import NET
from tests.functional.train.test_custom_runs import RESIDUAL
from tests.unit.runs.test_curves_rows import snapshot


def numel(module) -> int:
    return sum(p.numel() for p in module.parameters())


def cell(row, header: str) -> str:
    return row.cells()[RESULT_HEADERS.index(header)]


def test_spec_designs_and_presets_are_counted_from_the_config_before_any_event():
    row = result_row(snapshot([], arch=RESIDUAL, arch_name="tiny-res"))
    assert cell(row, "network") == "tiny-res"
    assert cell(row, "params") == f"{numel(build_module(parse_spec(RESIDUAL))):,}"
    details = details_text(snapshot([], arch=RESIDUAL, arch_name="tiny-res"))
    assert f"network [b]tiny-res[/b] · {cell(row, 'params')} parameters" in details
    assert result_row(snapshot([])).parameters == numel(build_model("lenet5"))
    assert result_row(snapshot([], preset="vgg-2x2")).parameters == numel(build_model("vgg-2x2"))


def test_a_python_model_shows_the_count_its_worker_measured(tmp_path):
    net = tmp_path / "net.py"
    net.write_text(NET)
    fields = dict(arch_file=str(net), arch_class="Net", arch_name="net.py:Net")
    config = TrainConfig.for_preset(None, dataset="shapes", train_size=64, test_size=32, **fields)
    row = result_row(snapshot([], **config.to_dict()))
    assert cell(row, "network") == "net.py:Net" and cell(row, "params") == "—"
    run_dir = create_run(tmp_path / "runs", config.to_dict())
    start = next(iter(fit(config, Path(run_dir))))
    assert start["kind"] == "start"
    from core.models.pyfile import instantiate

    expected = numel(instantiate(net, "Net", {}))
    row = result_row(snapshot([start], **config.to_dict()))
    assert row.parameters == expected and cell(row, "params") == f"{expected:,}"
