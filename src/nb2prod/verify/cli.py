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


#: text tags of the dataset verdicts
TAGS = {"equal": "OK", "different": "DIFF", "missing in pipeline": "MISSING", "extra in pipeline": "EXTRA", "not comparable": "SKIP", "not run by design": "NOT RUN"}


def _dataset_line(d: Any) -> str:
    tag = TAGS[d.verdict]
    where = {"cell": f" (end of cell {d.cell})", "expression": " [not in the package: not counted]"}.get(d.kind, "")
    name = f"{d.name}{where}"
    if d.verdict == "equal":
        details = [d.message]
        if d.kind != "file":
            details.append(d.order or "multiset")
            if d.pipeline_engine == "pandas":
                details.append("the pipeline's value is pandas")
        if d.dtypes:
            details.append("dtypes differ: " + ", ".join(f"{t['column']} {t['notebook']}/{t['pipeline']}" for t in d.dtypes))
        if d.seeded:
            details.append("seeded")
        return f"{tag} {name} ({'; '.join(details)})"
    line = f"{tag} {name}: {d.message}"
    if d.verdict == "different" and d.dtypes:
        line += " (dtypes differ: " + ", ".join(f"{t['column']} {t['notebook']}/{t['pipeline']}" for t in d.dtypes) + ")"
    return line


def render_text(result: Any) -> list[str]:
    """The report: one verdict line per dataset (differing rows below it), then the summary."""
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
        if not result.datasets:
            return lines
        lines.append("before the failing step, the cells' displayed values:")
    for d in result.datasets:
        lines.append(_dataset_line(d))
        if d.verdict == "different":
            if d.shown_notebook:
                lines.append(f"  only in the notebook (first {len(d.shown_notebook)}):")
                lines += [f"    {format_row(row)}" for row in d.shown_notebook]
            if d.shown_pipeline:
                lines.append(f"  only in the pipeline (first {len(d.shown_pipeline)}):")
                lines += [f"    {format_row(row)}" for row in d.shown_pipeline]
    first = result.first_difference
    if first is not None:
        lines.append(f"{result.notebook}:cell {first['cell']}: the first cell at whose end a named DataFrame differs: {', '.join(first['names'])}")
        for detail in first["details"]:
            lines.append(f"  {detail['name']}: {detail['message']}")
    elif result.per_cell:
        lines.append(f"{result.notebook}: no named DataFrame differs at the end of any cell (--per-cell)")
    if result.randomness:
        lines.append(f"{result.notebook}: {result.randomness}")
    if error is not None:
        return lines
    summary = result.summary
    inputs = f"first {result.sample_rows} rows of each CSV/JSON-lines input" if result.sample_rows is not None else "full inputs"
    if summary["expressions_compared"]:
        lines.append(
            f"{result.notebook}: {summary['expressions_equal']} of {summary['expressions_compared']} displayed expressions "
            "that the package drops (LG103) compute the same when converted (not counted below)"
        )
    not_run = summary.get("datasets_not_run", 0)
    dead = f"; {not_run} not computed: only steps run() does not call compute them (NOT RUN above)" if not_run else ""
    if summary["verdict"] == "nothing compared":
        lines.append(f"{result.notebook}: nothing compared: no DataFrame, Series or written dataset on both sides ({inputs}{dead})")
    elif summary["verdict"] == "equal":
        lines.append(f"{result.notebook}: equal: all {summary['datasets_compared']} datasets compared are equal ({inputs}{dead})")
    else:
        failing = summary["datasets_different"] + summary["datasets_missing"]
        lines.append(
            f"{result.notebook}: different: {failing} of {summary['datasets_compared'] + summary['datasets_missing']} datasets "
            f"differ or are missing ({summary['datasets_equal']} equal; {inputs}{dead})"
        )
    lines.append(
        f"tolerance: numbers within rtol={result.rtol:g}, atol={result.atol:g}; null equals NaN; "
        "rows compared as multisets, and in order where the pipeline keeps a sort"
    )
    return lines


def _inputs(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        url, sep, path = value.partition("=")
        if not sep or not url or not path:
            raise click.BadParameter(f"{value!r}: expected URL=PATH", param_hint="--input")
        out[url] = path
    return out


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--package", "package", type=click.Path(exists=True, file_okay=False, path_type=Path), help="A package nb2prod convert wrote (default: convert into a temporary directory).")
@click.option("--sample-rows", type=click.IntRange(min=0), default=None, help="Keep the header and first N rows of each CSV / JSON-lines input.")
@click.option("--rtol", type=click.FloatRange(min=0), default=1e-9, show_default=True, help="Relative tolerance for numbers.")
@click.option("--atol", type=click.FloatRange(min=0), default=1e-12, show_default=True, help="Absolute tolerance for numbers.")
@click.option("--timeout", type=click.IntRange(min=1), default=600, show_default=True, help="Seconds per notebook cell.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("--keep-workspace", is_flag=True, help="Keep the temporary workspace (its path is printed).")
@click.option("--max-rows", type=click.IntRange(min=1), default=1_000_000, show_default=True, help="Values with more rows are not compared (reported).")
@click.option("--per-cell", is_flag=True, help="Also compare the named DataFrames at the end of every cell; report the first cell where they differ.")
@click.option("--input", "inputs", multiple=True, metavar="URL=PATH", help="Serve the input the notebook reads from URL from the local file PATH (both sides; repeatable).")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
def verify(
    notebook: Path, package: Path | None, sample_rows: int | None, rtol: float, atol: float, timeout: int, output_format: str,
    keep_workspace: bool, max_rows: int, per_cell: bool, inputs: tuple[str, ...], quiet: bool,
) -> int:  # fmt: skip
    """Run NOTEBOOK (pandas) and its pipeline (Spark) on the same inputs and compare their outputs.

    Both run in temporary copies of the notebook's directory and of its input files (the settings
    that point at existing files), never in your directories. Compared: every dataset the notebook
    writes (CSV, Parquet, JSON lines) with the one the pipeline writes at the same relative path;
    every pandas DataFrame/Series bound to a top-level name at the end of the notebook with the
    pipeline's value of that name; each cell's displayed DataFrame/Series (a bare name) with the
    pipeline's value at the end of that step. Keys in the index become columns; column names
    and order, rows as multisets (in order where the pipeline keeps a sort), numbers within
    --rtol/--atol, null equal to NaN. Writes verify.json into the package directory with
    --package, else the current directory.

    Exit status: 0 all equal, 1 differences, nothing compared, or a failing pipeline step, 2 could
    not run (the notebook fails by itself, missing PySpark/nbclient, unreadable input).
    """
    missing = _missing_dependency()
    if missing is not None:
        click.echo(f"nb2prod verify: {missing} is not installed; install what verify needs with: {INSTALL_HINT}", err=True)
        return 2
    from nb2prod.verify.engine import VerifyError, verify_notebook

    served = _inputs(inputs)
    progress = None if quiet else (lambda line: click.echo(f"verify: {line}", err=True))
    try:
        result = verify_notebook(
            notebook, package=package, sample_rows=sample_rows, rtol=rtol, atol=atol, timeout=timeout, keep_workspace=keep_workspace,
            max_rows=max_rows, per_cell=per_cell, inputs=served, progress=progress,
        )  # fmt: skip
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
