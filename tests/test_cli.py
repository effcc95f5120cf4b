"""Tests for the command line (``python -m jiceng``): each command runs and prints what it should."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from jiceng.__main__ import DEMO_SECTIONS, build_parser, main

DATA = Path(__file__).parent / "data"


def test_demo_prints_every_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for _, heading in DEMO_SECTIONS:
        assert heading in out
    assert "城管局" in out and "综合协调" in out and "已结案" in out and "回访" in out


def test_demo_one_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--section", "lifecycle"]) == 0
    out = capsys.readouterr().out
    assert "工单闭环" in out and "智能派单" not in out


def test_assess_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "smart_door", "--lang", "en"]) == 0
    assert "fail" in capsys.readouterr().out.lower()


def test_simulate_prints_metrics_and_progress(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["simulate", "--per-hour", "9", "--handlers", "10", "--days", "2", "--seed", "1"]) == 0
    )
    captured = capsys.readouterr()
    assert "100.0%" in captured.err
    assert captured.out.strip()


def test_replay_a_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = DATA / "nyc311_micro_replay.csv"
    if not source.exists():
        pytest.skip("tests/data/nyc311_micro_replay.csv is absent")
    assert main(["replay", str(source), "--preset", "nyc_311"]) == 0
    out = capsys.readouterr().out
    with source.open(newline="", encoding="utf-8", errors="replace") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))
    tasks, errors = (int(part.split(":")[1]) for part in out.splitlines()[0].split("   "))
    assert tasks + errors == rows


def test_missing_file_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "/nonexistent/file.csv"]) == 2
    assert "error:" in capsys.readouterr().err


def test_parser_rejects_unknown_commands() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["fly"])


def test_module_entry_point_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jiceng", "demo", "--section", "lifecycle"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "城管局" in done.stdout
