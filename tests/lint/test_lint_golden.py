"""Golden tests: each rule's bad notebook gives exactly the expected lines; its clean counterpart gives none."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cases import CASES, SECRETS, Case
from lint_helpers import DATA, write_notebook

from nb2prod.lint.rules import all_rules

GOLDEN = DATA / "golden"


@pytest.fixture
def update(request: pytest.FixtureRequest) -> bool:
    """Rewrite golden files instead of comparing (``--update-golden`` or NB2PROD_UPDATE_GOLDEN=1); read the diff."""
    return bool(request.config.getoption("--update-golden", default=False)) or os.environ.get("NB2PROD_UPDATE_GOLDEN") == "1"


def _ids(case: Case) -> str:
    return f"{case.code}-{case.rule}-{case.bad_name}"


def _golden_path(case: Case) -> Path:
    same_rule = [c for c in CASES if c.rule == case.rule]
    suffix = "" if same_rule.index(case) == 0 else f"-{same_rule.index(case) + 1}"
    return GOLDEN / f"{case.rule.replace('-', '_')}{suffix}.txt"  # named after the rule's module


def _setup(project: Path, case: Case, cells: list, name: str) -> Path:
    for relative, text in case.files.items():
        (project / relative).write_text(text, encoding="utf-8")
    return write_notebook(project / name, cells)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_bad_notebook_gives_the_golden_lines(case: Case, project: Path, run, update: bool) -> None:
    """``nb2prod lint --select CODE`` on the bad cells prints exactly the golden file and exits 1."""
    path = _setup(project, case, case.bad, case.bad_name)
    result = run("lint", "--select", case.code, path.name)
    golden = _golden_path(case)
    if update:
        golden.write_text(result.out, encoding="utf-8")
    assert result.err == ""
    assert result.out == golden.read_text(encoding="utf-8")
    assert result.code == 1
    assert all(line.split(": ", 1)[1].startswith(case.code) for line in result.out.splitlines()[:-1])


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_clean_counterpart_gives_nothing(case: Case, project: Path, run) -> None:
    path = _setup(project, case, case.clean, case.clean_name)
    result = run("lint", "--select", case.code, path.name)
    assert (result.code, result.out, result.err) == (0, "", "")


def test_every_rule_has_a_golden_case() -> None:
    covered = {case.code for case in CASES}
    assert covered == set(all_rules())
    names = {case.rule for case in CASES}
    assert names == {cls.name for cls in all_rules().values()}


def test_no_golden_file_is_orphaned() -> None:
    expected = {_golden_path(case).name for case in CASES} | {"messy.txt"}
    assert {p.name for p in GOLDEN.glob("*.txt")} == expected


def test_secrets_are_never_printed() -> None:
    """The golden output of the secret rules names cells and variables, never the values."""
    for name in ("hard_coded_secret.txt", "secret_in_output.txt"):
        text = (GOLDEN / name).read_text(encoding="utf-8")
        assert text.strip()
        for secret in SECRETS:
            assert secret not in text


def test_messy_fixture_notebook_gives_the_golden_report(
    run, update: bool, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """A realistic messy notebook (also used by the benchmark), every rule selected.

    Linted from a copy in a project of its own that declares pandas and matplotlib (not numpy,
    not seaborn), so what nb2prod's own pyproject.toml declares does not change NB404's findings.
    """
    (tmp_path / ".git").mkdir()  # the copy's own repository root: the search for declarations stops here
    (tmp_path / "requirements.txt").write_text("pandas>=2\nmatplotlib\n")
    (tmp_path / "messy.ipynb").write_bytes((DATA / "messy.ipynb").read_bytes())
    monkeypatch.chdir(tmp_path)
    result = run("lint", "messy.ipynb")
    if update:
        (GOLDEN / "messy.txt").write_text(result.out, encoding="utf-8")
    assert result.out == (GOLDEN / "messy.txt").read_text(encoding="utf-8")
    assert (result.code, result.err) == (1, "")


def test_clean_fixture_notebook_has_no_findings(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    assert run("lint", "clean.ipynb") == (0, "", "")
