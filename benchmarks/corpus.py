"""Convert a corpus of real notebooks, run what runs offline, and write the results table.

The development corpus is real public notebooks (tutorials, book chapters, Kaggle-style analyses)
kept OUTSIDE the repository: neither the notebooks nor their data are committed, only this table.
For each notebook below CORPUS_DIR (``.ipynb_checkpoints`` skipped) it records:

* load: ``ok``, ``refused`` (exit 2 with a "not a notebook" / "invalid notebook" message) or
  ``traceback`` (the CLI printed one: always a bug);
* the convert exit code and wall time;
* readiness with the honest denominator (converted / all sites, driver and unresolved included),
  the tiers, and the pipeline audit's findings (pandas-only API on Spark values);
* whether every generated ``.py`` compiles;
* with ``--run``: whether the notebook runs by itself offline (nbclient, in its own directory, with a
  time limit), and for those whether the generated pipeline runs to the end
  (``python -m <package> run`` from the notebook's directory, the package on ``PYTHONPATH``), with the
  first line of its error;
* with ``--verify`` (implies ``--run``): ``nb2prod verify --format json``'s verdict and how many
  datasets it compared and found equal.

``--serve MAP.json`` serves the URLs a notebook reads from local copies, as a user offline would:
``{"http://bit.ly/uforeports": "justmarkham+pandas-videos/data/ufo.csv", ...}`` (paths relative to
the JSON file; take them from the repository's own README). A notebook that names one of them runs
with pandas' readers wrapped in its kernel (a cell put before its first, in memory: the file is not
changed), its pipeline with the same readers and ``compat.fetch`` wrapped, and verify with
``--input URL=PATH``; the per-notebook table marks it "served".

Usage:
    python benchmarks/corpus.py CORPUS_DIR [--run] [--verify] [--match REGEX] [--timeout 180] [--jobs 1]
                                [--serve MAP.json] [--out benchmarks/results/corpus.md]
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def notebooks(corpus: Path, match: str | None) -> list[Path]:
    found = [p for p in sorted(corpus.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts]
    return [p for p in found if match is None or re.search(match, str(p.relative_to(corpus)))]


def convert(notebook: Path, out: Path) -> dict:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "nb2prod", "convert", str(notebook), "-o", str(out), "--force"],
        capture_output=True, text=True,
    )
    row = {"convert_exit": proc.returncode, "convert_s": round(time.perf_counter() - started, 2)}
    err = proc.stderr.strip()
    if "Traceback" in err:
        row["load"] = "traceback"
        row["error"] = err.splitlines()[-1][:160]
    elif proc.returncode == 2 and ("not a notebook" in err or "invalid notebook" in err or "cannot read" in err):
        row["load"] = "refused"
        row["error"] = err.splitlines()[-1][:160]
    else:
        row["load"] = "ok" if proc.returncode == 0 else "error"
        if proc.returncode:
            row["error"] = (err.splitlines() or ["?"])[-1][:160]
    report_path = out / "conversion.json"
    if proc.returncode == 0 and report_path.is_file():
        report = json.loads(report_path.read_text())
        row["summary"] = report["summary"]
        row["audit"] = len(report.get("audit", []))
        row["package"] = report["package"]
        row["reasons"] = [
            (r["code"], _reason(r["message"]))
            for c in report["cells"] for r in c["reasons"] if r["outcome"] in ("partial", "not-converted")
        ]
        row["compiles"] = all(_compiles(p) for p in out.rglob("*.py"))
    return row


def _reason(message: str) -> str:
    """A reason message without what varies between sites (quoted code, what follows a second colon)."""
    message = re.sub(r"`[^`]*`", "`...`", message)
    head, _, rest = message.partition(": ")
    if head.endswith(")") and rest:  # "pd.read_csv(): read_csv() argument names is not supported"
        return f"{head}: {rest.split(': ')[0]}"[:90]
    return head[:90]


def _compiles(path: Path) -> bool:
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


#: Put before a served notebook's first cell, and run before its pipeline: pandas' readers (and the
#: package's ``compat.fetch``) given a served URL read its local copy instead.
SERVE_SHIM = """
def _corpus_serve(served, compat=None):
    import functools
    import pandas

    def wrap(reader):
        @functools.wraps(reader)
        def read(path, *args, **kwargs):
            return reader(served.get(path, path) if isinstance(path, str) else path, *args, **kwargs)
        return read

    for name in ("read_csv", "read_table", "read_json", "read_excel", "read_fwf", "read_parquet", "read_html"):
        setattr(pandas, name, wrap(getattr(pandas, name)))
    if compat is not None and hasattr(compat, "fetch"):
        compat.fetch = wrap(compat.fetch)
"""


def served_inputs(notebook: Path, serve: dict[str, str]) -> dict[str, str]:
    """The entries of the ``--serve`` map whose URL the notebook's text names."""
    text = notebook.read_text(errors="replace")
    return {url: path for url, path in serve.items() if url in text}


def run_notebook(notebook: Path, timeout: int, served: dict[str, str] | None = None) -> tuple[bool, str]:
    """Execute a copy of the notebook in its own directory; (ran to the end, first error line)."""
    import nbclient
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    if served:
        nb.cells.insert(0, nbformat.v4.new_code_cell(f"{SERVE_SHIM}\n_corpus_serve({served!r})\ndel _corpus_serve"))
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}})
    started = time.monotonic()
    try:
        client.execute()
    except Exception as exc:  # CellExecutionError, timeouts, dead kernels: the notebook does not run by itself
        first = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()
        return False, (first[-1] if first else type(exc).__name__)[:120]
    finally:
        if time.monotonic() - started > timeout * 3:
            return False, "too slow"
    return True, ""


def run_pipeline(package: str, out: Path, cwd: Path, timeout: int, served: dict[str, str] | None = None) -> tuple[bool, str, float]:
    env = dict(os.environ, PYTHONPATH=str(out / "src"), PYSPARK_PYTHON=sys.executable)
    command = [sys.executable, "-m", package, "run"]
    if served:
        command = [sys.executable, "-c", (
            f"{SERVE_SHIM}\nimport importlib, runpy, sys\n"
            f"_corpus_serve({served!r}, importlib.import_module({package + '.compat'!r}))\n"
            f"sys.argv = [{package!r}, 'run']\nrunpy.run_module({package!r}, run_name='__main__', alter_sys=True)"
        )]
    started = time.perf_counter()
    try:
        proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "timed out", round(time.perf_counter() - started, 1)
    elapsed = round(time.perf_counter() - started, 1)
    if proc.returncode == 0:
        return True, "", elapsed
    lines = [l for l in proc.stderr.splitlines() if "failed:" in l] or proc.stderr.strip().splitlines() or ["?"]
    line = re.sub(r"^\d{4}-\d\d-\d\d [\d:,]+ \w+ [\w.]+: ", "", lines[-1])  # the log line's time, level and logger
    return False, re.sub(r"\s+", " ", line)[:160], elapsed


def verify(notebook: Path, out: Path, timeout: int, served: dict[str, str] | None = None) -> dict:
    inputs = [f"--input={url}={path}" for url, path in (served or {}).items()]
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "nb2prod", "verify", str(notebook), "--package", str(out), "--format", "json", *inputs],
            capture_output=True, text=True, timeout=timeout * 3, cwd=out,
        )
    except subprocess.TimeoutExpired:
        return {"verdict": "timed out"}
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {"verdict": f"exit {proc.returncode}"}
    row = {k: result.get(k) for k in ("verdict", "datasets_compared", "datasets_equal")}
    row["datasets_not_run"] = (result.get("summary") or {}).get("datasets_not_run", 0)
    return row


def measure(work: tuple) -> dict:
    """One notebook's row: convert it and, when asked, run it, its pipeline and verify."""
    corpus, notebook, out, run, check, timeout, serve = work
    row = {"notebook": str(notebook.relative_to(corpus))}
    row.update(convert(notebook, out))
    served = served_inputs(notebook, serve)
    if served:
        row["served"] = sorted(served)
    if run and row.get("package"):
        ran, why = run_notebook(notebook, timeout, served)
        row["runs_offline"] = ran
        if not ran:
            row["notebook_error"] = why
        else:
            ok, error, seconds = run_pipeline(row["package"], out, notebook.parent, timeout, served)
            row.update(pipeline_ran=ok, pipeline_error=error, pipeline_s=seconds)
            if check:
                row["verify"] = verify(notebook, out, timeout, served)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--run", action="store_true", help="run notebooks and, where they run, their pipelines")
    parser.add_argument("--verify", action="store_true", help="also run nb2prod verify where the notebook runs")
    parser.add_argument("--match", help="only notebooks whose path (relative to CORPUS_DIR) matches this regular expression")
    parser.add_argument("--timeout", type=int, default=180, help="seconds per notebook run and per pipeline run")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "corpus.md")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks measured at once (each in its own process)")
    parser.add_argument("--rows", type=Path, help="render the table from a run's log of JSON rows instead of measuring")
    parser.add_argument("--serve", type=Path, help="JSON map of URL -> local copy (relative to the map) that notebooks read instead")
    args = parser.parse_args()
    args.run = args.run or args.verify
    corpus = args.corpus.resolve()
    if args.rows is not None:  # the table again from a run's log (one JSON row per line), nothing measured
        rows = [json.loads(line) for line in args.rows.read_text().splitlines() if line.startswith("{")]
        for row in rows:
            row["reasons"] = [tuple(reason) for reason in row.get("reasons", [])]
        args.out.write_text(render(rows, args, corpus))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        serve = {}
        if args.serve is not None:
            serve = {url: str((args.serve.parent / path).resolve()) for url, path in json.loads(args.serve.read_text()).items()}
        work = [
            (corpus, notebook, Path(tmp) / f"p{i}", args.run, args.verify, args.timeout, serve)
            for i, notebook in enumerate(notebooks(corpus, args.match), 1)
        ]
        with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
            rows = []
            for row in pool.map(measure, work):
                print(json.dumps(row), flush=True)
                rows.append(row)
                args.out.write_text(render(rows, args, corpus))  # a table so far, should the run be cut short
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    args.out.write_text(render(rows, args, corpus))
    return 0


def _error_class(line: str) -> str:
    """The exception class of a pipeline's failure line (``... cell 7 failed: TypeError: ...``), or the line."""
    match = re.search(r"failed: ([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b)", line)
    if match:
        return match.group(1)
    match = re.search(r"\b([A-Z]\w*(?:Error|Exception))\b", line)
    return match.group(1) if match else (line or "?")


def render(rows: list[dict], args, corpus: Path) -> str:
    ok = [r for r in rows if "summary" in r]
    total = collections.Counter()
    for r in ok:
        s = r["summary"]
        total["sites"] += s["pandas_calls"]
        total["converted"] += s["pandas_calls_converted"]
        for tier, n in s["tiers"].items():
            total[f"tier:{tier}"] += n
    ran = [r for r in rows if r.get("runs_offline")]
    coded = [r for r in ran if (r.get("summary") or {}).get("pandas_calls")]
    lines = [
        "# Development corpus: real notebooks",
        "",
        f"`python benchmarks/corpus.py {corpus.name}{' --run' if args.run else ''}{' --verify' if args.verify else ''}"
        f"{' --match ' + args.match if args.match else ''}{' --serve ' + args.serve.name if getattr(args, 'serve', None) else ''}` on {platform.node() or 'this machine'}, Python {platform.python_version()}.",
        "The notebooks are public repositories fetched into a scratch folder (not committed; see the docstring of corpus.py).",
        "",
        "## Totals",
        "",
        f"- notebooks: {len(rows)}; converted (exit 0): {sum(r['convert_exit'] == 0 for r in rows)}; "
        f"refused: {sum(r['load'] == 'refused' for r in rows)}; tracebacks: {sum(r['load'] == 'traceback' for r in rows)}; "
        f"other errors: {sum(r['load'] == 'error' for r in rows)}",
        f"- packages whose every .py compiles: {sum(bool(r.get('compiles')) for r in ok)} / {len(ok)}",
        f"- audit findings (pandas-only API on Spark values, outside the driver tier): {sum(r.get('audit', 0) for r in ok)}",
        f"- pandas call sites: {total['sites']}; converted (native + executor fallbacks): {total['converted']} "
        f"= {total['converted'] / max(total['sites'], 1):.1%} readiness",
        "- by tier: " + ", ".join(f"{k.split(':', 1)[1]} {v}" for k, v in sorted(total.items()) if k.startswith("tier:")),
    ]
    if args.run:
        lines.append(
            f"- notebooks that run by themselves offline: {len(ran)}; their pipelines ran to the end: "
            f"{sum(bool(r.get('pipeline_ran')) for r in ran)} / {len(ran)}"
        )
        lines.append(
            f"- of those, with pandas code (at least one pandas call site; a notebook without one runs trivially): "
            f"{len(coded)}; their pipelines ran to the end: {sum(bool(r.get('pipeline_ran')) for r in coded)} / {len(coded)}"
        )
    if args.verify:
        for label, group in (("runnable notebooks", ran), ("runnable notebooks with pandas code", coded)):
            compared = [r for r in group if (r.get("verify") or {}).get("datasets_compared")]
            equal = [r for r in compared if r["verify"].get("verdict") == "equal"]
            lines.append(
                f"- verify on the {label}: at least one dataset compared on {len(compared)} / {len(group)}; "
                f"verdict equal (every compared dataset equal) on {len(equal)} / {len(group)}"
            )
    reasons = collections.Counter(
        reason for r in ok for reason in r.get("reasons", []) if reason[0] != "PS004" and "; runs on the d" not in reason[1]
    )
    follow = sum(1 for r in ok for reason in r.get("reasons", []) if reason[0] == "PS004")
    lines += [
        "",
        "## Commonest reasons a site is not converted",
        "",
        f"Causes only: the {follow} operations on values already on the driver (PS004) and the sites that run on the driver "
        "with their statement are the consequences of these.",
        "",
        "| count | code | reason |",
        "|---|---|---|",
    ]
    lines += [f"| {n} | {code} | {msg.replace('|', '/')} |" for (code, msg), n in reasons.most_common(15)]
    errors = collections.Counter(_error_class(r.get("pipeline_error", "")) for r in ran if not r.get("pipeline_ran"))
    if errors:
        lines += ["", "## Pipeline failures by error", "", "| count | error |", "|---|---|"]
        lines += [f"| {n} | {str(e).replace('|', '/')[:100]} |" for e, n in errors.most_common(15)]
    lines += [
        "",
        "## Per notebook",
        "",
        "| notebook | load | readiness | sites | driver | unresolved | audit | compiles | convert s | runs offline | pipeline |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = r.get("summary") or {}
        pipeline = ""
        if r.get("runs_offline"):
            pipeline = "ran" if r.get("pipeline_ran") else f"failed: {r.get('pipeline_error', '')[:70]}"
            if r.get("served"):
                pipeline = f"(served) {pipeline}"
            if r.get("verify"):
                v = r["verify"]
                pipeline += f"; verify {v.get('verdict')} {v.get('datasets_equal')}/{v.get('datasets_compared')}"
                if v.get("datasets_not_run"):
                    pipeline += f" ({v['datasets_not_run']} not computed: dead steps)"
        elif "runs_offline" in r:
            pipeline = f"(notebook: {r.get('notebook_error', '')[:50]})"
        lines.append(
            f"| {r['notebook'].replace('|', '/')} | {r['load']} | {s.get('readiness', 0):.0%} | {s.get('pandas_calls', '')} | "
            f"{s.get('pandas_calls_driver', '')} | {s.get('pandas_calls_unresolved', '')} | {r.get('audit', '')} | "
            f"{'yes' if r.get('compiles') else ('no' if 'compiles' in r else '')} | {r['convert_s']} | "
            f"{'yes' if r.get('runs_offline') else ('no' if 'runs_offline' in r else '')} | {pipeline.replace('|', '/')} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
