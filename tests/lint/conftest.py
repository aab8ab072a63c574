"""Fixtures for the lint tests: a project directory as cwd, and ``nb2prod`` run in-process."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from nb2prod.cli import main


class Result(NamedTuple):
    code: int
    out: str
    err: str


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory (a git repository root, so nothing above it is looked at), as cwd."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    """Run ``nb2prod ARGS...`` in-process and return (exit status, stdout, stderr)."""

    def _run(*args: str) -> Result:
        status = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(status, captured.out, captured.err)

    return _run
