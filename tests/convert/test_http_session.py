"""The generated package's HTTP session (templates/package/src/http_client.py.j2) against loopback servers.

Each server is an ``http.server`` in a thread bound to 127.0.0.1: one that rate-limits once
(429 with ``Retry-After: 1``), one that answers 503 forever, one that never answers.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("requests")


@pytest.fixture(scope="module")
def http(tmp_path_factory):
    """The rendered http_client.py, imported as a module."""
    from nb2prod.convert.render import environment

    path = tmp_path_factory.mktemp("http") / "http_session.py"
    path.write_text(environment().get_template("package/src/http_client.py.j2").render(name="demo", notebook="demo.ipynb"))
    spec = importlib.util.spec_from_file_location("rendered_http_session", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _serve(answers):
    """A loopback server answering each request with the next of ``answers`` (the last repeats):
    (status, headers, body), or None to hang. Returns (base URL, list of request times, server)."""
    seen: list[float] = []
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            seen.append(time.monotonic())
            answer = answers[min(len(seen), len(answers)) - 1]
            if answer is None:
                release.wait(10)
                return
            status, headers, body = answer
            self.send_response(status)
            for key, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.release = release
    return f"http://127.0.0.1:{server.server_port}/data.json", seen, server


@pytest.fixture
def serve():
    servers = []

    def start(answers):
        url, seen, server = _serve(answers)
        servers.append(server)
        return url, seen

    yield start
    for server in servers:
        server.release.set()
        server.shutdown()
        server.server_close()


def test_rate_limited_once_then_ok_waits_for_retry_after(http, serve):
    url, seen = serve([(429, {"Retry-After": "1"}, b"slow down"), (200, {"Content-Type": "application/json"}, b'{"ok": true}')])
    web = http.session({"http": {"retries": 3, "backoff_factor": 0.01, "timeout_s": 5}})

    response = web.get(url)

    assert response.status_code == 200 and response.json() == {"ok": True}
    assert len(seen) == 2
    assert seen[1] - seen[0] >= 0.9  # Retry-After: 1 honoured, not the 0.01 s backoff


def test_unavailable_forever_fails_with_one_line_after_the_configured_retries(http, serve):
    url, seen = serve([(503, {}, b"down")])
    web = http.session({"http": {"retries": 2, "backoff_factor": 0.01, "timeout_s": 5}})

    with pytest.raises(http.HttpError) as failure:
        web.get(url)

    message = str(failure.value)
    assert len(seen) == 3  # the first attempt and 2 retries
    assert "\n" not in message
    assert message.startswith(f"GET {url}: ") and "503" in message and "after 2 retries" in message


def test_hanging_server_hits_the_timeout(http, serve):
    url, seen = serve([None])
    web = http.session({"http": {"retries": 1, "backoff_factor": 0.01, "timeout_s": 0.5}})

    started = time.monotonic()
    with pytest.raises(http.HttpError, match=r"no answer within 0\.5 s.*http\.timeout_s"):
        web.get(url)

    assert time.monotonic() - started < 5
    assert len(seen) == 2  # GET is safe to repeat: one retry after the timeout


def test_post_is_not_repeated_after_the_server_got_it(http, serve):
    url, seen = serve([(503, {}, b"down"), (200, {}, b"ok")])
    web = http.session({"http": {"retries": 3, "backoff_factor": 0.01, "timeout_s": 5}})

    response = web.post(url, data=b"x")

    assert response.status_code == 503 and len(seen) == 1


def test_refused_connection_names_the_url(http):
    import socket

    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    web = http.session({"http": {"retries": 1, "backoff_factor": 0.01, "timeout_s": 2}})

    with pytest.raises(http.HttpError, match=rf"GET http://127.0.0.1:{port}/x: cannot connect after 1 retries"):
        web.get(f"http://127.0.0.1:{port}/x")


def test_urlopen_reads_like_urllib(http, serve):
    url, _ = serve([(429, {"Retry-After": "0"}, b""), (200, {}, b"a,b\n1,2\n")])
    web = http.session({"http": {"retries": 2, "backoff_factor": 0.01}})

    with web.urlopen(url) as response:
        assert response.read() == b"a,b\n1,2\n"


def test_default_timeout_applies_to_every_call(http):
    web = http.session({})
    assert (web.retries, web.timeout_s) == (5, 30.0)


def test_converted_notebook_calls_go_through_the_session(tmp_path, serve, monkeypatch):
    """A notebook's requests.get, converted, survives a rate limit with the package's settings."""
    import sys

    from nb2prod.convert.package import convert_notebook
    from tests.convert.conftest import write_notebook

    notebook = write_notebook(tmp_path / "api.ipynb", [
        "import requests",
        'API_URL = "https://api.example.com/v1/data.json"',
        "rows = requests.get(API_URL).json()\nprint(len(rows))",
    ])  # fmt: skip
    result = convert_notebook(notebook, tmp_path / "package")
    package = result.outdir
    pipeline_code = (package / "src" / "api" / "pipeline.py").read_text()
    assert "web = http_client.session(config)" in pipeline_code and "rows = web.get(API_URL).json()" in pipeline_code
    assert any(d.startswith("requests") for d in result.report["dependencies"])
    assert "timeout_s: 30" in (package / "src" / "api" / "conf" / "base.yaml").read_text()

    url, seen = serve([(429, {"Retry-After": "1"}, b""), (200, {}, b"[1, 2, 3]")])
    monkeypatch.syspath_prepend(str(package / "src"))
    for name in [m for m in sys.modules if m == "api" or m.startswith("api.")]:
        del sys.modules[name]
    from api import config as config_module
    from api import pipeline

    config = config_module.load_config(environ={}, overrides=[f"api_url={url}", "http.backoff_factor=0.01"])
    pipeline.run(None, config)
    assert len(seen) == 2
