"""``nb2prod convert NOTEBOOK [-o OUTDIR] [--name NAME] [--force]`` and ``nb2prod convert PATH... -o OUTDIR``."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("paths", metavar="NOTEBOOK|PATH...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), help="output directory [default: <name>_pipeline beside the notebook]")
@click.option("--name", help="package and console script name [default: from the notebook file name]")
@click.option("--force", is_flag=True, help="replace OUTDIR if it exists and is not empty")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="several notebooks: worker processes [default: one per CPU]")
@click.option(
    "--record-expected",
    is_flag=True,
    help="run the notebook (nbclient) on the test sample and record its outputs: the generated tests compare the pipeline's with them",
)
@click.option("-q", "--quiet", is_flag=True, help="several notebooks: no progress bar, one plain line per notebook")
def convert(
    paths: tuple[Path, ...], outdir: Path | None, name: str | None, force: bool, jobs: int | None, record_expected: bool, quiet: bool
) -> int:
    """Convert NOTEBOOK into an installable PySpark pipeline package.

    Writes the package, CONVERSION.md and conversion.json into OUTDIR.
    Exit status: 0 converted (see the report for cells that were not), 2 bad input.

    With --record-expected, the notebook is run with nbclient on the package's test sample and
    the datasets it writes are recorded in tests/expected/: the generated tests then compare the
    pipeline's outputs with them (skipped, saying why, when the notebook cannot run).

    Given several notebooks or a directory (searched for *.ipynb, skipping .ipynb_checkpoints and
    what .gitignore excludes), writes one package per notebook into OUTDIR/<name>/, goes on past
    failures, and ends with a summary table and OUTDIR/convert-summary.json.
    Exit status: 0 all converted, 1 some did not, 2 usage error.
    """
    if len(paths) != 1 or paths[0].is_dir():
        if record_expected:
            raise click.UsageError("--record-expected converts one notebook at a time")
        from nb2prod.convert.batch import run_batch

        return run_batch(paths, outdir, name, force, jobs, quiet)
    notebook = paths[0]
    from nb2prod.convert.package import convert_notebook
    from nb2prod.convert.passes.pandas_pass import COLLATERAL

    result = convert_notebook(notebook, outdir, name, force, record_expected=record_expected)
    s = result.summary
    click.echo(f"{notebook}: wrote package '{result.name}' to {result.outdir}")
    click.echo(
        f"  cells: {s['cells']} ({s['converted']} converted, {s['partial']} partial, "
        f"{s['not_converted']} not converted, {s['dropped']} dropped)"
    )
    tiers = ", ".join(f"{tier} {n}" for tier, n in s.get("tiers", {}).items())
    click.echo(
        f"  pandas calls: {s['pandas_calls_converted']}/{s['pandas_calls']} converted, readiness {s['readiness']:.1%}"
        + (f" ({tiers})" if tiers else "")
    )
    for cell in result.report["cells"]:
        if cell["status"] in ("partial", "not-converted"):
            failed = [r for r in cell["reasons"] if r["outcome"] in ("partial", "not-converted")]
            # the cause first: not a site that merely runs on the driver with its statement
            first = next((r for r in failed if not r["message"].endswith(COLLATERAL)), failed[0] if failed else None)
            why = f": {first['code']} {first['message']}" if first else ""
            click.echo(f"  {notebook}:cell {cell['cell']}: {cell['status']}{why}")
    tests = result.report.get("tests") or {}
    if record_expected:
        recorded = ", ".join(tests.get("outputs") or []) if tests.get("expected_recorded") else "nothing recorded"
        click.echo(f"  expected results: {recorded}" + (f" ({tests['note']})" if tests.get("note") else ""))
    click.echo(f"  report: {result.outdir / 'CONVERSION.md'}")
    return 0
