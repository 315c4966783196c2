"""The perfwh command line on a warehouse published from the seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from pipeline import cli
from pipeline.cli import app
from seed_warehouse import seed_warehouse  # noqa: F401 - fixture

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Tables wide enough that no value is folded away."""
    monkeypatch.setattr(cli, "console", Console(width=1000))


def test_query_prints_the_answer_as_a_table(seed_warehouse: Path):  # noqa: F811
    result = runner.invoke(app, ["query", "select count(*) as n from projects", "--warehouse", str(seed_warehouse)])
    assert result.exit_code == 0, result.output
    assert "13" in result.output


def test_query_runs_a_documented_sql_file(seed_warehouse: Path):  # noqa: F811
    sql = Path(__file__).resolve().parent.parent / "docs" / "queries" / "01_execution_under_90_percent.sql"
    result = runner.invoke(app, ["query", str(sql), "--warehouse", str(seed_warehouse)])
    assert result.exit_code == 0, result.output
    assert "行业信访" in result.output


def test_validate_passes_on_the_published_warehouse(seed_warehouse: Path):  # noqa: F811
    result = runner.invoke(app, ["validate", "--warehouse", str(seed_warehouse)])
    assert result.exit_code == 0, result.output
    assert "FAILED" not in result.output


def test_bad_sql_is_an_error_message_not_a_traceback(seed_warehouse: Path):  # noqa: F811
    result = runner.invoke(app, ["query", "select * from no_such_table", "--warehouse", str(seed_warehouse)])
    assert result.exit_code == 2
    assert "no_such_table" in result.output


def test_build_publishes_into_a_fresh_folder(tmp_path: Path):
    raw = Path(__file__).resolve().parent.parent / "data" / "raw"
    result = runner.invoke(app, ["build", "--raw", str(raw), "--warehouse", str(tmp_path), "--workers", "1", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "warehouse.duckdb").exists()
    assert "indicators" in result.output and "172" in result.output


def test_missing_warehouse_is_reported(tmp_path: Path):
    result = runner.invoke(app, ["query", "select 1", "--warehouse", str(tmp_path)])
    assert result.exit_code == 2
    assert "make run" in result.output


def _program(*args: str) -> subprocess.CompletedProcess:
    """``perfwh`` as installed: ``pipeline.cli:main`` in a process of its own."""
    code = "import sys; from pipeline.cli import main; sys.argv[0] = 'perfwh'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "COLUMNS": "1000"})


def test_the_program_keeps_the_exit_code_and_the_whole_output(seed_warehouse: Path, tmp_path: Path):  # noqa: F811
    """It ends without the interpreter's teardown: nothing printed may be lost on the way."""
    done = _program("query", "select count(*) as n from projects", "--warehouse", str(seed_warehouse))
    assert done.returncode == 0, done.stderr
    assert "13" in done.stdout
    missing = _program("query", "select 1", "--warehouse", str(tmp_path))
    assert missing.returncode == 2 and "make run" in missing.stdout
    usage = _program("no-such-command")
    assert usage.returncode == 2 and "no-such-command" in usage.stderr
