"""``nb2prod convert PATH... -o OUTDIR``: many notebooks, one package each.

Notebooks named on the command line are converted whatever their name; directories are
searched for ``*.ipynb``, skipping hidden directories (``.ipynb_checkpoints``, ``.git``), the
directories :data:`nb2prod.lint.engine.SKIP_DIRS` names, and whatever the ``.gitignore`` files of
the directory, of its parents up to the repository root and of its sub-directories exclude
(matched with ``pathspec``, git's own rules).

Each notebook becomes ``OUTDIR/<name>/``, built and moved into place atomically by
:func:`nb2prod.convert.package.convert_notebook`; names that collide (``a/etl.ipynb`` and
``b/etl.ipynb``) get distinct names (``etl``, ``etl_2``) in path order, so that the same inputs
always give the same layout. A notebook that fails is reported and the others go on. The
notebooks are converted in worker processes (one per CPU, ``--jobs``); each package is the same,
byte for byte, whatever the number of workers. ``OUTDIR/convert-summary.json`` records every
notebook's status, package and readiness.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import click

#: the summary file written into OUTDIR
SUMMARY_FILE = "convert-summary.json"


@dataclass
class BatchResult:
    """One notebook's outcome in a batch.

    Attributes:
        notebook: the notebook's path as found (relative when given relative).
        name: the package name chosen for it (unique in the batch).
        outdir: ``OUTDIR/<name>``.
        status: ``converted`` or ``failed``.
        message: for a failure, the one-line error (``path: what is wrong``); else empty.
        summary: the ``summary`` of the package's ``conversion.json`` (empty for a failure).
    """

    notebook: str
    name: str
    outdir: str
    status: str
    message: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


def _gitignore_specs(directory: Path) -> list[tuple[Path, Any]]:
    """(base directory, spec) of the ``.gitignore`` files that apply above ``directory``, outermost first.

    Parents are read up to the repository root (the first with ``.git``); with no repository,
    only ``directory`` itself counts (a ``.gitignore`` outside a repository means nothing to git).
    """
    directory = directory.resolve()
    chain = [directory, *directory.parents]
    root = next((d for d in chain if (d / ".git").exists()), None)
    bases = chain[: chain.index(root) + 1] if root is not None else [directory]
    specs = []
    for base in reversed(bases):
        spec = _read_gitignore(base)
        if spec is not None:
            specs.append((base, spec))
    return specs


def _read_gitignore(directory: Path) -> Any:
    path = directory / ".gitignore"
    if not path.is_file():
        return None
    import pathspec

    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(path: Path, is_dir: bool, specs: list[tuple[Path, Any]]) -> bool:
    """Whether git ignores ``path``: the deepest ``.gitignore`` with a matching pattern decides."""
    verdict = False
    for base, spec in specs:
        try:
            rel = path.relative_to(base).as_posix()
        except ValueError:
            continue
        result = spec.check_file(rel + "/" if is_dir else rel)
        if result.include is not None:
            verdict = result.include
    return verdict


def find_notebooks(paths: Iterable[str | Path], exclude: Path | None = None) -> tuple[list[Path], list[str]]:
    """The notebooks ``paths`` name, each once, in the order given (directories: sorted).

    Args:
        paths: notebook files (taken whatever their name) and directories (searched for ``*.ipynb``).
        exclude: a directory never searched (the batch's OUTDIR).

    Returns:
        (notebooks, problems): problems are one-line messages for paths that do not exist.
    """
    from nb2prod.lint.engine import SKIP_DIRS

    found: list[Path] = []
    problems: list[str] = []
    seen: set[Path] = set()
    skip = exclude.resolve() if exclude is not None else None

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append(path)

    for given in map(Path, paths):
        if given.is_dir():
            real_given = given.resolve()
            specs = {real_given: _gitignore_specs(real_given)}
            hits = []
            for root, dirs, files in os.walk(given):
                real_root = Path(root).resolve()
                if real_root not in specs:
                    local = _read_gitignore(real_root)
                    inherited = specs.get(real_root.parent, [])
                    specs[real_root] = [*inherited, (real_root, local)] if local is not None else inherited
                here = specs[real_root]
                kept = []
                for d in sorted(dirs):
                    real = real_root / d
                    if d.startswith(".") or d in SKIP_DIRS or real == skip or _ignored(real, True, here):
                        continue
                    kept.append(d)
                dirs[:] = kept
                hits.extend(Path(root) / f for f in files if f.endswith(".ipynb") and not _ignored(real_root / f, False, here))
            for hit in sorted(hits):
                add(hit)
        elif given.exists():
            add(given)
        else:
            problems.append(f"{given}: no such file or directory")
    return found, problems


def batch_names(notebooks: Sequence[Path]) -> list[str]:
    """A distinct package name per notebook: its own name, then ``_2``, ``_3``... in the order given."""
    from nb2prod.convert.package import package_name

    taken: set[str] = set()
    names = []
    for notebook in notebooks:
        base = package_name(notebook.stem)
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        names.append(name)
    return names


def convert_one(notebook: str, outdir: str, name: str, force: bool) -> BatchResult:
    """Convert one notebook of a batch; every failure is a :class:`BatchResult`, never an exception."""
    from nb2prod.convert.package import convert_notebook
    from nb2prod.errors import Nb2ProdError

    try:
        result = convert_notebook(notebook, outdir, name, force)
    except Nb2ProdError as exc:
        return BatchResult(notebook, name, outdir, "failed", str(exc))
    except Exception as exc:  # a bug: reported on its line, the batch goes on
        if os.environ.get("NB2PROD_DEBUG"):
            raise
        message = f"{notebook}: internal error ({type(exc).__name__}: {' '.join(str(exc).split())}); set NB2PROD_DEBUG=1 for details"
        return BatchResult(notebook, name, outdir, "failed", message)
    return BatchResult(notebook, name, outdir, "converted", "", dict(result.summary))


def default_jobs(count: int) -> int:
    """Worker processes for ``count`` notebooks: one per available CPU, at most one per notebook."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, count))


def convert_batch(
    notebooks: Sequence[Path],
    outdir: Path,
    force: bool = False,
    jobs: int | None = None,
    done: Callable[[BatchResult], None] | None = None,
) -> list[BatchResult]:
    """Convert ``notebooks`` into ``outdir/<name>/`` each, going on past failures.

    Args:
        notebooks: the notebooks, in the order of the summary.
        outdir: the directory that receives one package per notebook.
        force: replace packages that exist already.
        jobs: worker processes (default :func:`default_jobs`); 1 converts in this process.
        done: called in this process with each result as it completes (for progress).

    Returns:
        One :class:`BatchResult` per notebook, in the order of ``notebooks``.
    """
    names = batch_names(notebooks)
    work = [(str(nb), str(outdir / name), name, force) for nb, name in zip(notebooks, names)]
    jobs = default_jobs(len(work)) if jobs is None else max(1, jobs)
    results: list[BatchResult | None] = [None] * len(work)
    if jobs == 1 or len(work) <= 1:
        for i, item in enumerate(work):
            results[i] = convert_one(*item)
            if done:
                done(results[i])
        return results  # type: ignore[return-value]

    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
        futures = {pool.submit(convert_one, *item): i for i, item in enumerate(work)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except BrokenProcessPool:
                nb, out, name, _ = work[i]
                results[i] = BatchResult(nb, name, out, "failed", f"{nb}: the worker process converting it died")
            if done:
                done(results[i])  # type: ignore[arg-type]
    return results  # type: ignore[return-value]


def _tiers(summary: dict[str, Any]) -> str:
    return ", ".join(f"{tier} {n}" for tier, n in summary.get("tiers", {}).items())


def summary_table(results: Sequence[BatchResult]) -> str:
    """The table shown at the end of a batch: notebook, status, package, readiness, tiers."""
    rows = [("notebook", "status", "package", "readiness", "tiers")]
    for r in results:
        if r.status == "converted":
            rows.append((r.notebook, r.status, r.name, f"{r.summary.get('readiness', 0.0):.1%}", _tiers(r.summary)))
        else:
            rows.append((r.notebook, r.status, r.name, "-", "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1] for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def write_summary(outdir: Path, results: Sequence[BatchResult]) -> Path:
    """Write ``outdir/convert-summary.json`` atomically; returns its path.

    Shape: ``{"notebooks": N, "converted": n, "failed": n, "results": [BatchResult as a dict...]}``.
    """
    converted = sum(r.status == "converted" for r in results)
    data = {
        "notebooks": len(results),
        "converted": converted,
        "failed": len(results) - converted,
        "results": [asdict(r) for r in results],
    }
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / SUMMARY_FILE
    staging = outdir / f".{SUMMARY_FILE}.{os.getpid()}.tmp"
    try:
        staging.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
    return target


def _line(result: BatchResult, index: int, total: int) -> str:
    if result.status == "converted":
        tiers = _tiers(result.summary)
        more = f", {tiers}" if tiers else ""
        return f"[{index}/{total}] {result.notebook}: converted -> {result.outdir} (readiness {result.summary.get('readiness', 0.0):.1%}{more})"
    return f"[{index}/{total}] {result.message}"


def run_batch(paths: Sequence[Path], outdir: Path | None, name: str | None, force: bool, jobs: int | None, quiet: bool) -> int:
    """The batch side of ``nb2prod convert``: find, convert, show progress, print and write the summary.

    Returns:
        0 when every notebook converted, 1 when some did not.

    Raises:
        click.UsageError: no ``-o``, ``--name`` given, a path that does not exist, no notebook
            found, or a non-empty OUTDIR without ``--force`` (exit status 2).
    """
    if outdir is None:
        raise click.UsageError("converting several notebooks needs -o OUTDIR (one package per notebook goes under it)")
    if name is not None:
        raise click.UsageError("--name names one package; with several notebooks each is named after its file")
    if outdir.exists() and not outdir.is_dir():
        raise click.UsageError(f"{outdir}: output path exists and is not a directory")
    notebooks, problems = find_notebooks(paths, exclude=outdir)
    if problems:
        raise click.UsageError("; ".join(problems))
    if not notebooks:
        raise click.UsageError(f"no notebook (*.ipynb) found in {', '.join(map(str, paths))}")
    if outdir.is_dir() and any(outdir.iterdir()) and not force:
        raise click.UsageError(f"{outdir}: output directory exists and is not empty (use --force to replace its packages)")

    total = len(notebooks)
    bar_wanted = not quiet and sys.stderr.isatty()
    if bar_wanted:
        with click.progressbar(length=total, label=f"converting {total} notebooks", file=sys.stderr, show_pos=True) as bar:
            results = convert_batch(notebooks, outdir, force, jobs, done=lambda r: bar.update(1, r.notebook))
    else:
        count = [0]

        def plain(result: BatchResult) -> None:
            count[0] += 1
            click.echo(_line(result, count[0], total), err=True)

        results = convert_batch(notebooks, outdir, force, jobs, done=plain)

    click.echo(summary_table(results))
    failed = [r for r in results if r.status != "converted"]
    for r in failed:
        click.echo(f"nb2prod: {r.message}", err=True)
    summary = write_summary(outdir, results)
    click.echo(f"{total - len(failed)} of {total} notebooks converted; summary: {summary}")
    return 1 if failed else 0
