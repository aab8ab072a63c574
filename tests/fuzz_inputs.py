"""A seeded fuzzer for nb2prod's inputs, shared by ``tests/test_fuzz.py`` (a few hundred cases in CI)
and ``benchmarks/fuzz.py`` (thousands).

Inputs are made from small hand-written notebooks by four kinds of mutation: byte flips (flip,
insert, delete, truncate), JSON-level mutations (a value replaced by one of another type, a key
deleted, deep nesting, huge numbers, cells duplicated or retyped), random Python source from the
standard library as cells, and random magics. :func:`run_case` runs one command in-process and says
what went wrong, if anything: an exit status outside {0, 1, 2}, a traceback (an exception out of
``main``), a hang (over the time limit), the input changed, a staging directory left behind.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import signal
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}

BASE_CELLS = [
    [
        ("markdown", "# Flights\nA look at delays."),
        ("code", "import pandas as pd\nimport numpy as np"),
        ("code", "df = pd.read_csv('data/flights.csv')\ndf = df[df['arr_delay'] > 0]\nTHRESHOLD = 15"),
        ("code", "summary = df.groupby('carrier').agg({'arr_delay': 'mean'})\nprint(summary.head())"),
        ("code", "summary.to_csv('out/summary.csv')"),
    ],
    [
        ("code", "%matplotlib inline\nimport pandas as pd"),
        ("code", "!pip install seaborn"),
        ("code", "penguins = pd.DataFrame({'a': [1, 2, 3], 'b': ['x', 'y', None]})\npenguins['c'] = penguins['a'] * 2"),
        ("markdown", "Some *notes*."),
        ("code", "def f(x):\n    return x + 1\n\npenguins['d'] = penguins['a'].apply(f)"),
    ],
]

MAGICS = [
    "%matplotlib inline", "%load_ext autoreload", "%autoreload 2", "!ls -la", "!pip install {pkg}", "!pip install $PKG",
    "%pip install 'a\"b'", "files = !ls", "%run other.ipynb", "%%bash\necho hi", "%%time\nx = 1", "%%capture\ny = 2",
    "%timeit sum(range(10))", "%%sql\nSELECT 1", "%who", "!pip install git+https://github.com/a/b.git x==", "%%", "%", "!",
    "%%writefile a.py\nprint(1)", "get_ipython().run_line_magic('matplotlib', 'inline')", "%env A=1", "?str", "str?",
]

_ODD_VALUES: list[Any] = [
    None, True, -1, 0, 2**70, 1.5e308, "", "x", "5", [], {}, [None], {"a": None}, [[[[[]]]]], "\udcff", "\x00",
    "a" * 5000,
]


def _stdlib_files() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    return sorted(p for p in root.glob("*.py"))[:400]


_STDLIB: list[Path] | None = None


def stdlib_chunk(rng: random.Random) -> str:
    """A random run of lines from a random standard-library module (often not valid Python on its own)."""
    global _STDLIB
    if _STDLIB is None:
        _STDLIB = _stdlib_files()
    if not _STDLIB:
        return "x = 1"
    try:
        lines = rng.choice(_STDLIB).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "x = 1"
    if not lines:
        return ""
    start = rng.randrange(len(lines))
    return "\n".join(lines[start : start + rng.randint(1, 80)])


def base_notebook(rng: random.Random) -> dict[str, Any]:
    cells = []
    for kind, source in rng.choice(BASE_CELLS):
        cell: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": source}
        if kind == "code":
            cell.update(outputs=[], execution_count=None)
        cells.append(cell)
    return {"cells": cells, "metadata": json.loads(json.dumps(KERNEL)), "nbformat": 4, "nbformat_minor": rng.choice([4, 5])}


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out, stack = [], [(node, prefix)]
    while stack and len(out) < 2000:
        value, path = stack.pop()
        out.append(path)
        if isinstance(value, dict):
            stack.extend((v, (*path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(value))
    return out


def _get(node: Any, path: tuple) -> Any:
    for key in path:
        node = node[key]
    return node


def json_mutation(rng: random.Random, nb: dict[str, Any]) -> None:
    """Change the document in place: a value of another type, a key deleted, a cell duplicated or retyped."""
    choice = rng.random()
    paths = [p for p in _paths(nb) if p]
    if choice < 0.5 and paths:
        path = rng.choice(paths)
        parent = _get(nb, path[:-1])
        value = rng.choice(_ODD_VALUES)
        if rng.random() < 0.1:
            value = json.loads("[" * 50 + "]" * 50)
        parent[path[-1]] = value
    elif choice < 0.7 and paths:
        path = rng.choice(paths)
        parent = _get(nb, path[:-1])
        del parent[path[-1]]
    elif choice < 0.85 and isinstance(nb.get("cells"), list) and nb["cells"]:
        cell = rng.choice(nb["cells"])
        nb["cells"].insert(rng.randrange(len(nb["cells"]) + 1), json.loads(json.dumps(cell)))
    elif isinstance(nb.get("cells"), list) and nb["cells"]:
        cell = rng.choice(nb["cells"])
        if isinstance(cell, dict):
            cell["cell_type"] = rng.choice(["code", "markdown", "raw", "heading", 3])
            if rng.random() < 0.5:
                cell["execution_count"] = rng.choice([1, "2", None, -5])
                cell["outputs"] = rng.choice([[], [{"output_type": "stream", "text": "x"}], "no"])


def byte_mutation(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not data:
            break
        kind, at = rng.random(), rng.randrange(len(data))
        if kind < 0.4:
            data[at] = rng.randrange(256)
        elif kind < 0.6:
            data.insert(at, rng.choice(b'{}[]",:\\0x\xff'))
        elif kind < 0.8:
            del data[at]
        else:
            del data[at:]
    return bytes(data)


def make_case(seed: int) -> bytes:
    """The bytes of one fuzzed notebook file, determined by ``seed``."""
    rng = random.Random(seed)
    nb = base_notebook(rng)
    kind = seed % 4
    if kind == 0:
        return byte_mutation(rng, json.dumps(nb, indent=1).encode())
    if kind == 1:
        for _ in range(rng.randint(1, 3)):
            json_mutation(rng, nb)
    elif kind == 2:
        for _ in range(rng.randint(1, 3)):
            nb["cells"].insert(rng.randrange(len(nb["cells"]) + 1), {
                "cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": stdlib_chunk(rng)})
    else:
        for _ in range(rng.randint(1, 4)):
            magic = rng.choice(MAGICS)
            if rng.random() < 0.3:
                magic += " " + "".join(rng.choice("abc{}$%!'\"-=. \n") for _ in range(rng.randint(1, 12)))
            nb["cells"].insert(rng.randrange(len(nb["cells"]) + 1), {
                "cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": magic})
    return json.dumps(nb, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")


@dataclass
class Outcome:
    """What one run did: ``problem`` is None when all is well."""

    command: str
    seed: int
    status: int | None
    problem: str | None
    seconds: float


class _Timeout(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise _Timeout()


def run_case(command: str, seed: int, folder: Path, timeout: int = 60, content: bytes | None = None) -> Outcome:
    """Run ``nb2prod lint`` / ``convert`` / ``check`` in-process on the fuzzed notebook ``seed``.

    ``check`` runs on a package converted from a clean notebook whose manifest is then fuzzed
    (JSON-level and byte mutations). Returns an :class:`Outcome`.
    """
    import time

    from nb2prod.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    notebook = folder / "nb.ipynb"
    out = folder / "out"
    if command == "check":
        rng = random.Random(seed)
        clean = _clean_package(folder.parent / ".." / f"fuzz-clean-{seed % len(BASE_CELLS)}", seed % len(BASE_CELLS))
        if clean is None:
            return Outcome(command, seed, None, "the clean notebook did not convert", 0.0)
        shutil.copytree(clean, folder, dirs_exist_ok=True)
        lock = out / "nb2prod.lock.json"
        if seed % 2:
            lock.write_bytes(byte_mutation(rng, lock.read_bytes()))
        else:
            manifest = json.loads(lock.read_text())
            for _ in range(rng.randint(1, 3)):
                json_mutation(rng, manifest)
            lock.write_text(json.dumps(manifest))
        args = ["check", str(out)]
    else:
        notebook.write_bytes(content if content is not None else make_case(seed))
        args = ["lint", str(notebook)] if command == "lint" else ["convert", str(notebook), "-o", str(out), "--force"]
    before = notebook.read_bytes()
    stdout, stderr = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm) if hasattr(signal, "SIGALRM") else None
    if previous is not None:
        signal.alarm(timeout)
    started = time.perf_counter()
    status: int | None = None
    problem = None
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = main(args)
    except _Timeout:
        problem = f"hang: over {timeout} s"
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # noqa: BLE001 - anything out of main is a traceback for the user
        problem = f"traceback: {type(exc).__name__}: {str(exc)[:200]}"
    finally:
        if previous is not None:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - started
    text = stdout.getvalue() + stderr.getvalue()
    if problem is None and status not in (0, 1, 2):
        problem = f"exit status {status}"
    if problem is None and ("Traceback" in text or "internal error" in text):
        problem = "traceback or internal error in the output: " + text.strip().splitlines()[-1][:200]
    if problem is None and notebook.read_bytes() != before:
        problem = "the input notebook changed"
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    if problem is None and leftovers:
        problem = f"left behind: {leftovers}"
    if problem is None and command == "convert" and status == 0:
        problem = _package_problem(out)
    return Outcome(command, seed, status, problem, seconds)


def _clean_package(where: Path, index: int) -> Path | None:
    """A folder with ``nb.ipynb`` (base notebook ``index``) and its package ``out``, converted once and reused."""
    from nb2prod.cli import main

    where = where.resolve()
    if not (where / "out" / "nb2prod.lock.json").is_file():
        where.mkdir(parents=True, exist_ok=True)
        cells = []
        for kind, source in BASE_CELLS[index]:
            cell: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": source}
            if kind == "code":
                cell.update(outputs=[], execution_count=None)
            cells.append(cell)
        (where / "nb.ipynb").write_text(json.dumps({"cells": cells, "metadata": KERNEL, "nbformat": 4, "nbformat_minor": 4}))
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            if main(["convert", str(where / "nb.ipynb"), "-o", str(where / "out"), "--force"]) != 0:
                return None
    return where


def _package_problem(out: Path) -> str | None:
    """Exit 0 must mean a working package: every .py compiles, pyproject.toml parses."""
    import tomllib

    for file in out.rglob("*.py"):
        try:
            compile(file.read_bytes(), str(file), "exec")
        except (SyntaxError, ValueError) as exc:
            return f"exit 0 but {file.relative_to(out)} does not compile: {exc}"
    try:
        tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return f"exit 0 but pyproject.toml does not parse: {exc}"
    return None


def environment_ready() -> None:
    """Quiet the libraries the commands import (warnings are not findings here)."""
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
