"""The ``nb2prod check`` command.

Exit status: 0 every notebook is converted and in sync with its package, 1 problems (one line
each), 2 a notebook or package that cannot be checked (one line each on stderr, never a traceback).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from nb2prod.check.engine import Problem, Result, run_check

FORMATS = ("text", "json", "github")

_SOURCE_KEY = re.compile(r'^\s*"source":')


def _source_lines(path: str) -> dict[int, int]:
    """cell number -> line of its ``"source"`` key in the .ipynb JSON; {} when that cannot be told."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        cells = json.loads(text).get("cells") or []
    except (OSError, ValueError, AttributeError):
        return {}
    found = [number for number, line in enumerate(text.splitlines(), start=1) if _SOURCE_KEY.match(line)]
    return dict(enumerate(found, start=1)) if len(found) == len(cells) else {}


def _escape(value: str, *, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if property_value else value


def github_line(problem: Problem, lines: dict[int, int]) -> str:
    """A GitHub Actions ``::error`` annotation on the cell's source in the .ipynb (line 1 for files and removed cells)."""
    line = lines.get(problem.cell, 1) if problem.cell is not None and problem.code != "CK203" else 1
    text = f"cell {problem.cell}: {problem.message}" if problem.cell is not None else problem.message
    return f"::error file={_escape(problem.path, property_value=True)},line={line},title={problem.code}::{_escape(text)}"


def render(result: Result, output_format: str) -> str:
    """The problems as text lines (with a summary line), a JSON list, or GitHub annotations."""
    if output_format == "json":
        return json.dumps([p._asdict() for p in result.problems], indent=2, ensure_ascii=False)
    if output_format == "github":
        cache: dict[str, dict[int, int]] = {}
        out = []
        for problem in result.problems:
            if problem.cell is not None and problem.path not in cache:
                cache[problem.path] = _source_lines(problem.path)
            out.append(github_line(problem, cache.get(problem.path, {})))
        return "\n".join(out)
    lines = [p.text() for p in result.problems]
    pairs = len(result.pairs)
    noun = "notebook" if pairs == 1 else "notebooks"
    if result.problems:
        failing = len({p.package for p in result.problems})
        count = len(result.problems)
        lines.append(f"Found {count} problem{'s' if count != 1 else ''} in {failing} of {pairs} converted {noun}.")
    elif pairs and not result.errors:
        lines.append(f"Checked {pairs} converted {noun}: all cells converted, notebook and package in sync.")
    return "\n".join(lines)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
def check(paths: tuple[str, ...], output_format: str) -> int:
    """Fail when a notebook's cells are not converted, or the notebook or its package changed since conversion.

    PATHS are notebooks (their packages are found by the manifest nb2prod.lock.json that points at
    them), package directories, or directories searched for packages; none means every package below
    the current directory. Problems read PATH:cell N: CODE message (codes CK1xx unconverted cells,
    CK2xx notebook drift, CK3xx hand-edited generated files; see docs/ci.md).

    Exit status: 0 all converted and in sync, 1 problems, 2 a notebook or package cannot be checked.
    """
    result = run_check(paths)
    text = render(result, output_format)
    if text:
        click.echo(text)
    for error in result.errors:
        click.echo(f"nb2prod: {error}", err=True)
    if result.errors:
        return 2
    return 1 if result.problems else 0
