"""The doctor's local checks: each finds the problem it is for and says how to fix it."""

from __future__ import annotations

from core.cluster.doctor import check_runs_folder, check_settings, check_truecolor, run_checks


def test_bad_settings_file_fails_with_its_path(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("launcher = 'pbs'\n")
    check, settings = check_settings(path)
    assert check.status == "fail" and "launcher" in check.detail and str(path) in check.fix
    assert settings.launcher == "local"


def test_a_file_in_place_of_the_runs_folder_fails(tmp_path):
    (tmp_path / "runs").write_text("not a folder")
    check = check_runs_folder(tmp_path / "runs")
    assert check.status == "fail" and "runs_dir" in check.fix


def test_truecolor_follows_colorterm(monkeypatch):
    assert check_truecolor().status == "warn"
    monkeypatch.setenv("COLORTERM", "truecolor")
    assert check_truecolor().status == "ok"


def test_without_the_job_no_compute_checks_run(tmp_path):
    checks = run_checks(None, None, tmp_path / "runs", tmp_path / "data", job=False, timeout=1)
    assert [check.name for check in checks] == [
        "settings",
        "slurm commands",
        "runs folder",
        "data folder",
        "truecolor",
        "torch and driver",
    ]
    assert checks[2].status == "ok" and (tmp_path / "runs").is_dir()
    assert checks[3].status == "warn" and "data fetch cifar10" in checks[3].fix
