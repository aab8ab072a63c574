"""The ``nb2prod lint`` and ``nb2prod rule`` commands.

Exit status of ``lint``: 0 no findings, 1 findings (0 with ``--exit-zero``), 2 usage errors or a file
that cannot be linted (one line per file on stderr; the other files are still linted).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import click

from nb2prod.lint.engine import SelectionError, lint_paths, resolve
from nb2prod.lint.output import FORMATS, github_line, json_lines, render
from nb2prod.lint.rules import all_rules

__all__ = ["FORMATS", "github_line", "json_lines", "lint", "render", "rule"]


def _codes(values: Sequence[str], option: str) -> list[str]:
    """``--select NB1,NB401 --select NB5`` -> ["NB1", "NB401", "NB5"], each checked against the registry."""
    codes = [c.strip() for value in values for c in value.split(",") if c.strip()]
    try:
        resolve(codes, all_rules())
    except SelectionError as exc:
        raise click.BadParameter(f"no rule matches {str(exc)!r} (see 'nb2prod rule --list')", param_hint=option) from None
    return codes


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--select", multiple=True, metavar="CODES", help="Only these rules: codes, prefixes (NB4) or names, comma-separated.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rules (added to the configured ignore list).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
def lint(paths: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...], output_format: str, exit_zero: bool) -> int:
    """Flag notebook anti-patterns in PATHS (notebooks, or directories searched for *.ipynb).

    Findings read PATH:cell N:LINE:COL: CODE message, cells counted from 1 including markdown cells.
    Exit status: 0 clean, 1 findings, 2 usage error or unreadable notebook.
    """
    report = lint_paths(
        paths,
        select=_codes(select, "--select") if select else None,
        ignore=_codes(ignore, "--ignore"),
    )
    text = render(report, output_format)
    if text:
        click.echo(text)
    for problem in report.problems:
        click.echo(f"nb2prod: {problem}", err=True)
    for note in report.notes:
        click.echo(f"nb2prod: {note}", err=True)
    if report.problems:
        return 2
    return 1 if report.findings and not exit_zero else 0


def _explain_conversion_rule(code: str) -> str | None:
    try:
        module = importlib.import_module("nb2prod.convert.rules")
    except ImportError:
        return None
    explain = getattr(module, "explain", None)
    return explain(code) if callable(explain) else None


def _explain_check_code(code: str) -> str | None:
    """The meaning of an ``nb2prod check`` code (``CK101``), or None."""
    from nb2prod.check.codes import CODES

    found = CODES.get(code.upper())
    if found is None:
        return None
    return f"{found.code} {found.name}\n\nnb2prod check fails: {found.summary}.\nTo fix: {found.fix}.\nSee docs/ci.md.\n"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("code", required=False)
@click.option("--list", "list_rules", is_flag=True, help="List every lint rule.")
def rule(code: str | None, list_rules: bool) -> int:
    """Show the documentation of rule CODE (a lint code such as NB401, its name, or a conversion rule)."""
    rules = all_rules()
    if list_rules:
        for known, cls in rules.items():
            fix = "  [fixable by convert]" if cls.fixable_by_convert() else ""
            click.echo(f"{known}  {cls.name:<28} {cls.summary()}{fix}")
        return 0
    if not code:
        raise click.UsageError("give a rule code (for example NB401) or --list")
    wanted = code.strip()
    for known, cls in rules.items():
        if wanted.upper() == known or wanted == cls.name:
            click.echo(f"{known} {cls.name}\n\n{cls.doc()}")
            return 0
    text = _explain_conversion_rule(wanted) or _explain_check_code(wanted)
    if text:
        click.echo(text.rstrip("\n"))
        return 0
    click.echo(f"nb2prod: unknown rule {wanted!r} (see 'nb2prod rule --list')", err=True)
    return 2
