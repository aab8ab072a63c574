"""The ``nb2prod verify`` command.

Exit status: 0 every output equal, 1 an output differs or a pipeline step fails (the conversion is
wrong), 2 verify could not run (missing dependencies, the notebook fails by itself, bad input).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

INSTALL_HINT = "pip install 'nb2prod[spark,notebook]'"


def _missing_dependency() -> str | None:
    """The first of PySpark, pandas, nbclient that cannot be imported, or None."""
    for module in ("pyspark.sql", "pandas", "nbclient"):
        try:
            __import__(module)
        except ImportError:
            return module.split(".")[0]
    return None


def render_text(result: Any) -> list[str]:
    """The report: one verdict line per output (differing rows below it), then the summary."""
    from nb2prod.verify.compare import format_row

    lines: list[str] = []
    error = result.error
    if error is not None:
        where = f"{result.notebook}:cell {error['cell']}" if error.get("cell") else result.notebook
        if error["side"] == "notebook":
            lines.append(f"ERROR {where}: the notebook itself fails (not a conversion difference): {error['type']}: {error['message']}")
        elif error["side"] == "pipeline":
            step = f"pipeline step cell {error['cell']}" if error.get("cell") else "pipeline"
            lines.append(f"FAIL {step} ({where}): {error['message']}")
        else:
            lines.append(f"ERROR {result.notebook}: {error['message']}")
        return lines
    for output in result.outputs:
        if output.verdict == "OK":
            lines.append(f"OK {output.name} ({output.message})")
            continue
        lines.append(f"{output.verdict} {output.name}: {output.message}")
        c = output.comparison
        if c is not None and c.shown_notebook:
            lines.append(f"  only in the notebook (first {len(c.shown_notebook)} of {c.only_in_notebook}):")
            lines += [f"    {format_row(row)}" for row in c.shown_notebook]
        if c is not None and c.shown_pipeline:
            lines.append(f"  only in the pipeline (first {len(c.shown_pipeline)} of {c.only_in_pipeline}):")
            lines += [f"    {format_row(row)}" for row in c.shown_pipeline]
    compared = [o for o in result.outputs if o.verdict != "SKIP"]
    failing = [o for o in compared if o.verdict != "OK"]
    inputs = f"first {result.sample_rows} rows of each CSV/JSON-lines input" if result.sample_rows is not None else "full inputs"
    if not compared:
        lines.append(f"{result.notebook}: the notebook writes no dataset verify can compare ({inputs})")
    elif failing:
        lines.append(f"{result.notebook}: {len(failing)} of {len(compared)} outputs differ ({inputs})")
    else:
        lines.append(f"{result.notebook}: all {len(compared)} outputs equal ({inputs})")
    lines.append(
        f"tolerance: numbers within rtol={result.rtol:g}, atol={result.atol:g}; null equals NaN; "
        "rows compared as multisets (order not compared)"
    )
    return lines


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--package", "package", type=click.Path(exists=True, file_okay=False, path_type=Path), help="A package nb2prod convert wrote (default: convert into a temporary directory).")
@click.option("--sample-rows", type=click.IntRange(min=0), default=None, help="Keep the header and first N rows of each CSV / JSON-lines input.")
@click.option("--rtol", type=click.FloatRange(min=0), default=1e-9, show_default=True, help="Relative tolerance for numbers.")
@click.option("--atol", type=click.FloatRange(min=0), default=1e-12, show_default=True, help="Absolute tolerance for numbers.")
@click.option("--timeout", type=click.IntRange(min=1), default=600, show_default=True, help="Seconds per notebook cell.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("--keep-workspace", is_flag=True, help="Keep the temporary workspace (its path is printed).")
def verify(notebook: Path, package: Path | None, sample_rows: int | None, rtol: float, atol: float, timeout: int, output_format: str, keep_workspace: bool) -> int:
    """Run NOTEBOOK (pandas) and its pipeline (Spark) on the same inputs and compare their outputs.

    Both run in temporary copies of the notebook's directory and of its input files (the settings
    that point at existing files), never in your directories. Every dataset the notebook writes
    (CSV, Parquet, JSON lines) is compared with the one the pipeline writes at the same relative
    path: column names and order, rows as multisets, numbers within --rtol/--atol, null equal to
    NaN. Writes verify.json into the package directory with --package, else the current directory.

    Exit status: 0 all equal, 1 differences or a failing pipeline step, 2 could not run (the
    notebook fails by itself, missing PySpark/nbclient, unreadable input).
    """
    missing = _missing_dependency()
    if missing is not None:
        click.echo(f"nb2prod verify: {missing} is not installed; install what verify needs with: {INSTALL_HINT}", err=True)
        return 2
    from nb2prod.verify.engine import VerifyError, verify_notebook

    try:
        result = verify_notebook(
            notebook, package=package, sample_rows=sample_rows, rtol=rtol, atol=atol, timeout=timeout, keep_workspace=keep_workspace
        )
    except VerifyError as exc:
        click.echo(f"nb2prod verify: {exc}", err=True)
        return exc.exit_code
    report = result.to_json()
    target = (package if package is not None else Path.cwd()) / "verify.json"
    try:
        target.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    except OSError as exc:
        click.echo(f"nb2prod verify: cannot write {target}: {exc}", err=True)
        target = None
    if output_format == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    else:
        lines = render_text(result)
        if result.error is not None:
            click.echo("\n".join(lines), err=True)
        else:
            click.echo("\n".join(lines))
    if target is not None:
        click.echo(f"wrote {target}", err=output_format == "json" or result.error is not None)
    if result.workspace:
        click.echo(f"workspace kept: {result.workspace}", err=True)
    return result.exit_code
