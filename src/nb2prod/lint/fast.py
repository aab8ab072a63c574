"""``nb2prod lint`` without click: the pre-commit hook's start-up path.

Importing click costs about 25 ms of CPU, a quarter of a one-notebook run. :func:`run` parses the
plain forms of the ``lint`` command line itself::

    nb2prod lint [--select CODES] [--ignore CODES] [--format text|json|github] [--exit-zero] PATH...

(``--opt VALUE`` or ``--opt=VALUE``, options and paths in any order, ``--`` ends the options) and
returns the exit status. For anything else -- ``--help``, an unknown option, a missing or invalid
value, no path, a code that matches no rule, an unreadable path, output that click would treat
specially -- it returns None *before doing any work*, and :func:`nb2prod.cli.main` runs the click
command, which then reports the usage error exactly as it always has. Output and exit statuses are
those of :func:`nb2prod.lint.cli.lint`, which runs the same engine and renderer.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from nb2prod.errors import Nb2ProdError
from nb2prod.lint.engine import SelectionError, lint_paths, resolve
from nb2prod.lint.output import FORMATS, render
from nb2prod.lint.rules import all_rules

_VALUED = ("--select", "--ignore", "--format")


class _Args:
    __slots__ = ("paths", "select", "ignore", "output_format", "exit_zero")

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.select: list[str] = []
        self.ignore: list[str] = []
        self.output_format = "text"
        self.exit_zero = False


def parse(argv: Sequence[str]) -> _Args | None:
    """The arguments after ``lint``, or None if click must handle (and perhaps reject) them."""
    args = _Args()
    tokens = list(argv)
    index = 0
    options_done = False
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if options_done or not token.startswith("-") or token == "-":
            if token == "-":
                return None  # click's business (a dash is a path to it, but keep the fast path plain)
            args.paths.append(token)
            continue
        if token == "--":
            options_done = True
            continue
        if token == "--exit-zero":
            args.exit_zero = True
            continue
        name, equals, value = token.partition("=")
        if name not in _VALUED:
            return None  # --help, -h, unknown options, abbreviations
        if not equals:
            if index >= len(tokens):
                return None  # missing value
            value = tokens[index]
            index += 1
        if value.startswith("-"):
            return None
        if name == "--select":
            args.select.append(value)
        elif name == "--ignore":
            args.ignore.append(value)
        elif value in FORMATS:
            args.output_format = value
        else:
            return None
    if not args.paths:
        return None
    for path in args.paths:
        # click.Path(readable=True) rejects an existing path that cannot be read
        if not os.access(path, os.R_OK) and os.path.exists(path):
            return None
    return args


def _codes(values: Sequence[str]) -> list[str] | None:
    """As :func:`nb2prod.lint.cli._codes`; None when a code matches no rule (click reports it)."""
    codes = [c.strip() for value in values for c in value.split(",") if c.strip()]
    try:
        resolve(codes, all_rules())
    except SelectionError:
        return None
    return codes


def _plain(stream: object, text: str) -> bool:
    """Whether ``click.echo`` would write ``text`` to ``stream`` unchanged (no ANSI codes to strip, a sane encoding)."""
    if "\x1b" in text:
        return False
    encoding = str(getattr(stream, "encoding", None) or "ascii").lower().replace("_", "-")
    return encoding not in ("ascii", "us-ascii", "646", "ansi-x3.4-1968")


def echo(text: str, err: bool = False) -> None:
    """``click.echo(text, err=err)`` for the cases that need no click."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    if not _plain(stream, text):
        import click

        click.echo(text, err=err)
        return
    stream.write(text + "\n")
    stream.flush()


def run(argv: Sequence[str]) -> int | None:
    """Run ``nb2prod lint ARGV``; None means "not handled here, run the click command instead"."""
    args = parse(argv)
    if args is None:
        return None
    select = _codes(args.select) if args.select else None
    ignore = _codes(args.ignore)
    if (args.select and select is None) or ignore is None:
        return None
    collecting = gc.isenabled()
    # The rules build no reference cycles; the collector would only walk the many AST nodes again.
    gc.disable()
    try:
        report = lint_paths(args.paths, select=select, ignore=ignore)
        text = render(report, args.output_format)
        if text:
            echo(text)
        for problem in report.problems:
            echo(f"nb2prod: {problem}", err=True)
        for note in report.notes:
            echo(f"nb2prod: {note}", err=True)
    except (EOFError, KeyboardInterrupt):  # as click does: a blank line, then nb2prod's "aborted"
        echo("", err=True)
        echo("nb2prod: aborted", err=True)
        return 1
    except Nb2ProdError as exc:
        echo(f"nb2prod: {exc}", err=True)
        return exc.exit_code
    except BrokenPipeError:  # as click does: quiet exit 1 when the reader went away
        import click.utils

        wrapper = getattr(click.utils, "_PacifyFlushWrapper", None) or click.utils.PacifyFlushWrapper  # type: ignore[attr-defined]
        sys.stdout = wrapper(sys.stdout)
        sys.stderr = wrapper(sys.stderr)
        sys.exit(1)
    finally:
        if collecting:
            gc.enable()
    if report.problems:
        return 2
    return 1 if report.findings and not args.exit_zero else 0
