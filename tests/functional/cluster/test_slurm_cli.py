"""The cluster commands without a cluster: plans, scripts, errors and the local doctor."""

from __future__ import annotations

import json

from tui.cli import main


def test_sweep_script_shows_one_array_over_every_combination(tmp_path, capsys):
    assert (
        main(
            [
                "sweep",
                "--preset",
                "lenet5",
                "--grid",
                "lr=1e-3,5e-4 augment=none,flip+crop",
                "--max-parallel",
                "2",
                "--partition",
                "gpu",
                "--gpus",
                "1",
                "--script",
                "--runs-dir",
                str(tmp_path),
                "--json",
            ]
        )
        == 0
    )
    plan = json.loads(capsys.readouterr().out)
    assert plan["runs"] == [
        "lr=0.001 augment=none",
        "lr=0.001 augment=flip+crop",
        "lr=0.0005 augment=none",
        "lr=0.0005 augment=flip+crop",
    ]
    assert "#SBATCH --array=0-3%2" in plan["script"]
    assert "#SBATCH --partition=gpu" in plan["script"] and "#SBATCH --gpus=1" in plan["script"]
    assert not any(tmp_path.iterdir())  # --script creates nothing


def test_sweep_mistakes_are_user_errors(tmp_path, capsys):
    cases = [
        (["--grid", "lr=1e-3"], "Give --preset or --arch, and --grid"),
        (["--preset", "lenet5", "--grid", "lr=1e-3", "--set", "epochs=1,2"], "takes one value"),
        (["--preset", "lenet5", "--grid", "speed=1"], "Cannot sweep 'speed'"),
        (["--preset", "lenet5", "--grid", "lr=1", "--time", "soon"], "slurm.time"),
        (["--results", "nope"], "No single sweep"),
    ]
    for flags, words in cases:
        assert main(["sweep", *flags, "--runs-dir", str(tmp_path)]) == 2
        assert words in capsys.readouterr().err


def test_train_script_flag_prints_the_request_without_creating_a_run(tmp_path, capsys):
    assert (
        main(
            [
                "train",
                "--preset",
                "lenet5",
                "--launcher",
                "slurm",
                "--time",
                "00:10:00",
                "--sbatch=--constraint=a100",
                "--script",
                "--runs-dir",
                str(tmp_path),
            ]
        )
        == 0
    )
    script = capsys.readouterr().out
    assert "#SBATCH --time=00:10:00" in script and "#SBATCH --constraint=a100" in script
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_doctor_without_the_job_reports_json(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLORTERM", "truecolor")
    main(["doctor", "--no-job", "--runs-dir", str(tmp_path / "runs"), "--json"])
    report = json.loads(capsys.readouterr().out)
    checks = {check["name"]: check["status"] for check in report["checks"]}
    assert checks["runs folder"] == "ok" and checks["truecolor"] == "ok"
    assert "cuda on compute node" not in checks
