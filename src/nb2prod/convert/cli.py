"""``nb2prod convert NOTEBOOK [-o OUTDIR] [--name NAME] [--force]``."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("notebook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), help="output directory [default: <name>_pipeline beside the notebook]")
@click.option("--name", help="package and console script name [default: from the notebook file name]")
@click.option("--force", is_flag=True, help="replace OUTDIR if it exists and is not empty")
def convert(notebook: Path, outdir: Path | None, name: str | None, force: bool) -> int:
    """Convert NOTEBOOK into an installable PySpark pipeline package.

    Writes the package, CONVERSION.md and conversion.json into OUTDIR.
    Exit status: 0 converted (see the report for cells that were not), 2 bad input.
    """
    from nb2prod.convert.package import convert_notebook
    from nb2prod.convert.passes.pandas_pass import COLLATERAL

    result = convert_notebook(notebook, outdir, name, force)
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
    click.echo(f"  report: {result.outdir / 'CONVERSION.md'}")
    return 0
