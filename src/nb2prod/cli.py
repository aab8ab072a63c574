"""The ``nb2prod`` command line.

Each sub-command's module is imported only when that sub-command runs
(:class:`LazyGroup`), so the pre-commit hook ``nb2prod lint`` does not pay for
libcst, jinja2 or anything else the other commands need. ``nb2prod lint`` does
not even import click: :mod:`nb2prod.lint.fast` parses its plain command lines
and hands anything else (``--help``, usage errors) back to the click command.

Exit status: 0 success, 1 findings or differences, 2 usage errors and input
that cannot be processed (one line on stderr naming the file, never a traceback).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from nb2prod import __version__
from nb2prod.errors import Nb2ProdError

#: sub-command name -> "module:attribute" of its click command
COMMANDS = {
    "check": ("nb2prod.check.cli:check", "Fail CI on unconverted cells or drift between a notebook and its package."),
    "convert": ("nb2prod.convert.cli:convert", "Convert a notebook into a PySpark pipeline package."),
    "verify": ("nb2prod.verify.cli:verify", "Run the notebook (pandas) and its pipeline (Spark) on the same inputs and compare their outputs."),
    "lint": ("nb2prod.lint.cli:lint", "Flag notebook anti-patterns (the pre-commit hook)."),
    "rule": ("nb2prod.lint.cli:rule", "Show the documentation of a lint or conversion rule."),
}


def _build() -> None:
    """Define :class:`LazyGroup` and the :func:`cli` group (importing click) on first use."""
    import importlib

    import click

    class LazyGroup(click.Group):
        """A click group whose commands are imported on first use (click's documented lazy-loading pattern)."""

        def list_commands(self, ctx: click.Context) -> list[str]:
            return sorted(COMMANDS)

        def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
            if cmd_name not in COMMANDS:
                return None
            module_name, attribute = COMMANDS[cmd_name][0].split(":")
            return getattr(importlib.import_module(module_name), attribute)

        def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
            # Help text without importing every command module.
            with formatter.section("Commands"):
                formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])

    @click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="nb2prod")
    def cli() -> None:
        """Turn Jupyter notebooks into production PySpark pipelines."""

    globals().update(click=click, LazyGroup=LazyGroup, cli=cli)


def __getattr__(name: str) -> object:
    # ``cli``, ``LazyGroup`` and ``click`` are made on first use: ``nb2prod lint`` runs without click.
    if name in ("cli", "LazyGroup", "click"):
        _build()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _lint_fast(args: list[str]) -> int | None:
    """``nb2prod lint ...`` through :mod:`nb2prod.lint.fast` (no click), or None to run the click command."""
    if args[:1] != ["lint"] or os.name == "nt" or "_NB2PROD_COMPLETE" in os.environ:
        return None
    # No garbage collection while the hook imports its modules and lints (they make no reference
    # cycles): collections during the imports alone cost ~2 ms of its start-up.
    collecting = gc.isenabled()
    gc.disable()
    try:
        from nb2prod.lint.fast import run

        return run(args[1:])
    finally:
        if collecting:
            gc.enable()


def _hard_exit(status: int) -> None:
    """End the process now, without tearing the interpreter down (freeing every object takes the
    hook ~5 ms); mypy's ``hard_exit`` does the same. Output is flushed first."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        status = status or 1
    os._exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``) and return the exit status."""
    status = _lint_fast(list(argv) if argv is not None else sys.argv[1:])
    if status is not None:
        if argv is None:  # the nb2prod program itself (not a caller in the same process): nothing left to do
            _hard_exit(status)
        return status
    if "cli" not in globals():
        _build()
    cli, click = globals()["cli"], globals()["click"]
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="nb2prod", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("nb2prod: aborted", err=True)
        return 1
    except Nb2ProdError as exc:
        click.echo(f"nb2prod: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    return result if isinstance(result, int) else 0
