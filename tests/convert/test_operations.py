"""A generated pipeline that operates well: readable errors, logs, configuration per environment, Spark.

One small notebook (a CSV read, an inspection print, a filter, a write, a secret the pipeline reads
and one it does not) is converted once; its modules are imported from the package's ``src/``.
Command-line runs that never start Spark (bad configuration, a missing secret, a master that does
not answer) run in a subprocess; those that start Spark are marked slow.
"""

from __future__ import annotations

import importlib
import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nb2prod.convert.package import convert_notebook
from tests.convert.conftest import write_notebook

CELLS = [
    "import pandas as pd",
    "# md: The weather service key `WEATHER_API_KEY = 'wk_93jf83hf93hf83hf'` is not used below.",
    'DATA = "data/sales.csv"\nOUT = "out/big_sales.csv"\nTHRESHOLD = 10\napi_token = "ghp_1234567890abcdefghijklmnopqrstuvwxyz12"',
    "sales = pd.read_csv(DATA)\nprint(sales.shape)",
    "big = sales[sales.amount > THRESHOLD]\nbig.to_csv(OUT, index=False)",
    "headers = {'Authorization': f'token {api_token}'}",
]
SECRET = "test-token-value-1234"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """The notebook's directory: sales.ipynb, data/sales.csv, and the package in package/."""
    root = tmp_path_factory.mktemp("ops")
    (root / "data").mkdir()
    (root / "data" / "sales.csv").write_text("region,amount\nnorth,5\nsouth,20\neast,30\n")
    write_notebook(root / "sales.ipynb", CELLS)
    convert_notebook(root / "sales.ipynb", root / "package")
    return root


@pytest.fixture(scope="module")
def package(workdir):
    """The generated modules, imported: ``package.config``, ``.pipeline``, ``.errors``, ``.logs``, ``.spark``."""
    sys.path.insert(0, str(workdir / "package" / "src"))
    for name in [m for m in sys.modules if m == "sales" or m.startswith("sales.")]:
        del sys.modules[name]
    modules = {m: importlib.import_module(f"sales.{m}") for m in ("config", "pipeline", "errors", "logs", "spark", "compat", "summary")}
    yield type("Package", (), modules)
    sys.path.remove(str(workdir / "package" / "src"))


@pytest.fixture
def captured_logs(package):
    """logs.setup() writing to a string; the root logger's handlers (pytest's) restored after."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("sales").level, list(logging.getLogger("sales").filters))

    def setup(**kwargs):
        stream = io.StringIO()
        package.logs.setup(stream=stream, **kwargs)
        return stream

    yield setup
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.getLogger("sales").setLevel(saved[2])
    logging.getLogger("sales").filters[:] = saved[3]
    logging.captureWarnings(False)


def _cli(workdir, *args, env=None, timeout=120):
    """``python -m sales ARGS`` from the notebook's directory, with the package on the path."""
    environ = {**os.environ, "PYTHONPATH": str(workdir / "package" / "src"), "PYSPARK_PYTHON": sys.executable, **(env or {})}
    environ.pop("SPARK_REMOTE", None) if "SPARK_REMOTE" not in (env or {}) else None
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "sales", *args], cwd=workdir, env=environ, capture_output=True, text=True, timeout=timeout)
    return result, time.monotonic() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _our_lines(stderr: str) -> list[str]:
    """The pipeline's log lines (not the JVM's, nor Java's own start-up notice)."""
    return [line for line in stderr.splitlines() if re.match(r"\d{4}-\d\d-\d\d [\d:,]+ (DEBUG|INFO|WARNING|ERROR) sales[.:]", line)]


# -- errors a person can read ----------------------------------------------------------------------
@pytest.mark.spark
def test_a_failed_read_is_one_line_naming_the_step_the_spark_error_and_the_setting(spark, package, workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("API_TOKEN", SECRET)
    config = package.config.load_config(environ={}, overrides=["data=data/missing.csv"])

    with pytest.raises(package.compat.StepError) as failure:
        package.pipeline.run(spark, config)

    line = package.errors.step_summary(failure.value, config)
    missing = workdir / "data" / "missing.csv"
    assert line == f"load_sales (cell 4) failed: AnalysisException: [PATH_NOT_FOUND] Path does not exist: file:{missing}. SQLSTATE: 42K03 (setting data)"


def test_a_raw_java_error_is_told_by_its_root_cause(package):
    class Java:
        def __init__(self, name, message, cause=None):
            self.name, self.message, self.cause = name, message, cause

        def getCause(self):  # noqa: N802 (py4j's Java names)
            return self.cause

        def getMessage(self):  # noqa: N802
            return self.message

        def getClass(self):  # noqa: N802
            return type("Class", (), {"getSimpleName": lambda _: self.name})()

    class Py4JJavaError(Exception):
        java_exception = Java("SparkException", "Job aborted.", Java("AccessDeniedException", "/data/out/part-0000.csv\n\tat org.apache..."))

    error = package.compat.StepError("cell 19 failed: Py4JJavaError: An error occurred while calling o177.csv.\n: org.apache...")
    error.__cause__ = Py4JJavaError("An error occurred while calling o177.csv.")
    line = package.errors.step_summary(error, {"output_dir": "/data/out"})
    assert line == "cell 19 failed: AccessDeniedException: /data/out/part-0000.csv (setting output_dir)"


def test_python_errors_keep_their_own_message(package):
    assert package.errors.describe(KeyError("amount")) == "KeyError: 'amount'"
    assert package.errors.describe(ValueError("bad\nsecond line")) == "ValueError: bad"


# -- logs ----------------------------------------------------------------------------------------
@pytest.mark.spark
def test_json_logs_carry_step_and_run_id_and_inspection_runs_no_job_below_debug(spark, package, workdir, monkeypatch, captured_logs):
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("API_TOKEN", SECRET)
    config = package.config.load_config(environ={}, overrides=["out=../ops-out-info/big.csv"])
    tracker = spark.sparkContext.statusTracker()

    def jobs(level, out):
        stream = captured_logs(level=level, log_format="json", run_id="run-1")
        spark.sparkContext.setJobGroup(f"ops-{level}", "test")
        package.pipeline.run(spark, {**config, "out": str(workdir / out)})
        count = len(tracker.getJobIdsForGroup(f"ops-{level}"))
        return count, [json.loads(line) for line in stream.getvalue().splitlines()]

    info_jobs, info = jobs("INFO", "out-info")
    debug_jobs, debug = jobs("DEBUG", "out-debug")
    spark.sparkContext.setJobGroup("", "")

    assert {tuple(sorted(r)) for r in info} == {("level", "logger", "message", "run_id", "step", "time")}
    assert all(r["run_id"] == "run-1" for r in info)
    assert any({"step": "load_sales", "logger": "sales.load_sales", "message": "load_sales: started"}.items() <= r.items() for r in info)
    assert not any("(3, 2)" in r["message"] for r in info)  # print(sales.shape): debug only
    assert any(r["message"] == "(3, 2)" and r["level"] == "DEBUG" and r["step"] == "load_sales" for r in debug)
    assert debug_jobs > info_jobs  # the inspection's count() runs only at debug level
    assert SECRET not in json.dumps(debug)


def test_text_logs_name_the_step_as_a_child_logger(package, captured_logs):
    stream = captured_logs(level="INFO")
    log = logging.getLogger("sales")
    log.info("%s: started", "cell 7")
    log.info("rows kept")
    log.info("%s: done in %.1f s", "cell 7", 0.1)
    log.info("after the steps")
    lines = [line.split(" ", 3)[3] for line in stream.getvalue().splitlines()]
    assert lines == ["sales.cell_7: cell 7: started", "sales.cell_7: rows kept", "sales.cell_7: cell 7: done in 0.1 s", "sales: after the steps"]


# -- configuration per environment -----------------------------------------------------------------
def test_every_environment_has_an_overlay_and_your_conf_dir_wins(package, workdir, tmp_path, monkeypatch):
    for env in ("dev", "staging", "prod", "cluster", "test"):
        assert "spark" in package.config.load_config(env=env, environ={})
    assert package.config.load_config(env="prod", environ={})["spark"]["master"] is None

    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "prod.yaml").write_text("spark:\n  master: yarn\nthreshold: 25\n")
    monkeypatch.chdir(tmp_path)  # ./conf is read when it exists
    config = package.config.load_config(env="prod", environ={})
    assert (config["spark"]["master"], config["threshold"], config["spark"]["app_name"]) == ("yarn", 25, "sales")
    assert package.config.load_config(environ={})["threshold"] == 10  # no overlay asked: base values

    with pytest.raises(package.config.ConfigError, match="configuration directory /no/such/dir not found"):
        package.config.load_config(conf_dir="/no/such/dir", environ={})


def test_only_secrets_the_pipeline_reads_are_required(package, workdir):
    assert package.config.SECRETS == ["API_TOKEN"]  # WEATHER_API_KEY is only in a markdown cell
    with pytest.raises(package.config.ConfigError, match="API_TOKEN not set"):
        package.config.check_secrets(environ={"WEATHER_API_KEY": "x"})
    package.config.check_secrets(environ={"API_TOKEN": "x"})
    readme = (workdir / "package" / "README.md").read_text()
    assert "API_TOKEN" in readme and "WEATHER_API_KEY" not in readme


def test_cli_missing_secret_and_bad_configuration_exit_2_before_spark_starts(workdir):
    result, seconds = _cli(workdir, "run", env={"API_TOKEN": ""})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].endswith("configuration: environment variable API_TOKEN not set (the pipeline reads secrets from them)")
    assert "Spark" not in result.stderr

    result, _ = _cli(workdir, "run", "--env", "nowhere", env={"API_TOKEN": SECRET})
    assert result.returncode == 2 and "no configuration for environment 'nowhere'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- Spark, any way it is reached ------------------------------------------------------------------
def test_endpoints_of_master_and_connect_urls(package):
    endpoint = package.spark.endpoint
    assert endpoint("spark://master.example:7077") == ("master.example", 7077)
    assert endpoint("spark://master.example") == ("master.example", 7077)
    assert endpoint("sc://connect.example/;token=abc") == ("connect.example", 15002)
    assert endpoint("k8s://https://api.example:6443") == ("api.example", 6443)
    assert endpoint("local[*]") is None and endpoint("yarn") is None


def test_an_unreachable_master_fails_fast_with_one_line_naming_it(workdir):
    master = f"spark://127.0.0.1:{_free_port()}"
    result, seconds = _cli(workdir, "run", env={"API_TOKEN": SECRET, "SALES__SPARK__MASTER": master})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"cannot reach Spark at {master} (spark.master) within 30 s: Connection refused" in lines[0]
    assert seconds < 20


def test_a_master_that_never_answers_fails_within_the_configured_time(package):
    with socket.socket() as listener:  # accepts nothing: connections queue, then time out once the backlog is full
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        for _ in range(8):
            try:
                fillers.append(socket.create_connection(("127.0.0.1", port), timeout=0.3))
            except TimeoutError:
                break  # the backlog is full: the next connection waits
        try:
            started = time.monotonic()
            with pytest.raises(package.spark.SparkStartError, match=rf"sc://127.0.0.1:{port} \(SPARK_REMOTE\) within 0.5 s: no answer"):
                package.spark.build_session({"connect_timeout_s": 0.5}, environ={"SPARK_REMOTE": f"sc://127.0.0.1:{port}"})
            assert time.monotonic() - started < 5
        finally:
            for filler in fillers:
                filler.close()


# -- whole runs (Spark starts in a subprocess: slow) -----------------------------------------------
@pytest.mark.slow
@pytest.mark.spark
def test_cli_run_ends_with_a_summary_and_a_failed_step_is_one_line(workdir):
    ok, _ = _cli(workdir, "run", env={"API_TOKEN": SECRET, "SALES__SPARK__MASTER": "local[1]"}, timeout=300)
    assert ok.returncode == 0, ok.stderr[-2000:]
    last = _our_lines(ok.stderr)[-1]
    assert "pipeline finished in " in last
    assert "environment base; Spark master local[1]; inputs: data/sales.csv; outputs: out/big_sales.csv" in last
    assert SECRET not in ok.stderr

    failed, _ = _cli(workdir, "run", "--set", "data=data/nothing.csv", env={"API_TOKEN": SECRET, "SALES__SPARK__MASTER": "local[1]"}, timeout=300)
    assert failed.returncode == 1
    errors = [line for line in _our_lines(failed.stderr) if " ERROR " in line]
    assert len(errors) == 1 and errors[0].endswith("(setting data)"), failed.stderr[-3000:]
    assert "load_sales (cell 4) failed: AnalysisException: [PATH_NOT_FOUND] Path does not exist" in errors[0]
    assert "Traceback" not in failed.stderr and "\tat org.apache" not in failed.stderr
    assert len(failed.stderr.splitlines()) < 20


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory):
    """A Spark Connect server from the installed pyspark, on 127.0.0.1, in its own process."""
    pytest.importorskip("grpc")
    script = tmp_path_factory.mktemp("connect") / "server.py"
    script.write_text(
        "import sys\n"
        "from pyspark.sql import SparkSession\n"
        "SparkSession.builder.master('local[1]')"
        ".config('spark.plugins', 'org.apache.spark.sql.connect.SparkConnectPlugin')"
        ".config('spark.connect.grpc.binding.address', '127.0.0.1')"
        ".config('spark.connect.grpc.binding.port', sys.argv[1])"
        ".config('spark.ui.enabled', 'false').getOrCreate()\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n"
    )
    port = _free_port()
    server = subprocess.Popen([sys.executable, str(script), str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()  # blocks until the server is up (or has died)
        assert line.strip() == "ready", "the Spark Connect server did not start"
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.slow
@pytest.mark.spark
def test_pipeline_runs_on_spark_connect(workdir, connect_server):
    result, _ = _cli(workdir, "run", "--set", "out=out/connect_sales.csv", env={"API_TOKEN": SECRET, "SPARK_REMOTE": connect_server}, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Spark Connect at {connect_server}" in result.stderr
    assert f"; Spark Connect {connect_server}; inputs: data/sales.csv; outputs: out/connect_sales.csv" in _our_lines(result.stderr)[-1]
    written = "".join(p.read_text() for p in (workdir / "out" / "connect_sales.csv").glob("part-*"))
    assert written.splitlines() == ["region,amount", "south,20", "east,30"]


@pytest.mark.slow
@pytest.mark.spark
def test_spark_submit_runs_the_package_with_env_cluster(workdir):
    spark_submit = Path(sys.executable).parent / "spark-submit"
    if not spark_submit.exists():
        pytest.skip("pyspark's spark-submit is not installed next to this Python")
    main = workdir / "package" / "src" / "sales" / "__main__.py"
    environ = {**os.environ, "PYTHONPATH": str(workdir / "package" / "src"), "PYSPARK_PYTHON": sys.executable, "API_TOKEN": SECRET}
    environ["PATH"] = f"{spark_submit.parent}{os.pathsep}{environ.get('PATH', '')}"  # spark-submit finds Spark with this python
    environ.pop("SPARK_REMOTE", None)
    result = subprocess.run(
        [str(spark_submit), "--master", "local[1]", "--conf", "spark.ui.enabled=false", str(main), "run", "--env", "cluster", "--set", "out=out/submitted.csv"],
        cwd=workdir, env=environ, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    # spark-submit's PythonRunner sends the driver's stderr to its stdout
    assert "environment cluster; Spark master local[1];" in _our_lines(result.stdout + result.stderr)[-1]
    assert (workdir / "out" / "submitted.csv" / "_SUCCESS").exists()


@pytest.mark.spark
def test_step_rows_are_logged_free_for_pandas_and_on_request_for_spark(spark, package, workdir, monkeypatch, captured_logs):
    import pandas as pd

    monkeypatch.chdir(workdir)
    monkeypatch.setenv("API_TOKEN", SECRET)
    config = package.config.load_config(environ={}, overrides=[f"out={workdir / 'out-rows'}"])
    frames = {"small": pd.DataFrame({"a": [1, 2]}), "sales": spark.createDataFrame([(1,), (2,), (3,)], "a int")}

    stream = captured_logs(level="INFO")
    package.summary.StepRows(count_spark=False)("cell 4", frames)
    package.summary.StepRows(count_spark=True)("cell 4", frames)
    messages = [line.split(": ", 1)[1] for line in stream.getvalue().splitlines()]
    assert messages == ["cell 4: small has 2 rows", "cell 4: small has 2 rows", "cell 4: sales has 3 rows"]

    stream = captured_logs(level="INFO", log_format="json")
    observer = package.summary.StepRows(count_spark=True)
    package.compat.STEP_OBSERVERS.append(observer)
    try:
        package.pipeline.run(spark, config)
    finally:
        package.compat.STEP_OBSERVERS.remove(observer)
    rows = [(r["step"], r["message"]) for r in map(json.loads, stream.getvalue().splitlines()) if "rows" in r["message"]]
    assert rows == [("load_sales", "load_sales: sales has 3 rows"), ("make_big", "make_big: big has 2 rows")]


def test_an_error_names_its_step_when_only_warnings_are_shown(package, captured_logs):
    stream = captured_logs(level="WARNING", log_format="json")
    log = logging.getLogger("sales")
    log.info("%s: started", "cell 9")
    log.error("cell 9 failed: KeyError: 'amount'")
    assert [(r["level"], r["step"], r["logger"]) for r in map(json.loads, stream.getvalue().splitlines())] == [("ERROR", "cell 9", "sales.cell_9")]
    assert not logging.getLogger("sales").isEnabledFor(logging.DEBUG)
