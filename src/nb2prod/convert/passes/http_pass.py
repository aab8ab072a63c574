"""Pass: HTTP calls go through the pipeline's one retrying session.

* ``requests.get/post/put/patch/delete/head/options/request(...)`` (HT101)
  becomes the same call on ``web``, the pipeline's ``requests.Session``
  (``web = http_client.session(config)`` at the start of ``run``, see the generated
  ``http_client.py``): connection errors, timeouts and HTTP 429/500/502/503/504 are
  retried with exponential backoff (``urllib3.util.Retry``, ``Retry-After``
  respected; only methods safe to repeat are retried after the request was
  sent), and every call has a timeout. ``http.retries``, ``http.backoff_factor``
  and ``http.timeout_s`` in ``conf/base.yaml`` set them.
* ``urllib.request.urlopen(url)`` (HT102) becomes ``web.urlopen(url)``: the
  same session, a file-like response as ``urlopen`` returns (``.read()``,
  ``with ... as r``), and an error for an HTTP error status, as ``urlopen``
  raises one; a ``urllib.request.Request`` keeps its method, headers and data.
  A call with ``context=`` (its own SSL settings) is left as it is.

Calls on a session the notebook made itself (``s = requests.Session()``) and
other modules' functions are left unchanged. Follows:
https://urllib3.readthedocs.io/en/stable/reference/urllib3.util.html#urllib3.util.Retry
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from nb2prod.convert.passes.base import CellPass

#: codes this pass reports: code -> (kebab-case name, what it means for the user)
CODES = {
    "HT101": ("requests-through-session", "requests.get/post/... go through the pipeline's one session: retries with backoff on connection errors and HTTP 429/5xx, Retry-After respected, a timeout on every call (http.* in conf/base.yaml)."),
    "HT102": ("urlopen-through-session", "urllib.request.urlopen(url) goes through the pipeline's session (web.urlopen): the same retries and timeout, a file-like response."),
}

#: functions of requests that send one request
REQUESTS_FUNCTIONS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
#: the name of the session inside the generated run() (see templates/package/src/http_client.py.j2)
SESSION = "web"


class HttpPass(CellPass):
    """Route ``requests`` calls and ``urllib.request.urlopen`` through the pipeline's session."""

    METADATA_DEPENDENCIES = (*CellPass.METADATA_DEPENDENCIES, QualifiedNameProvider)

    @classmethod
    def needed(cls, source: str) -> bool:
        """Only a module whose text names ``requests`` or ``urlopen`` can hold a call this pass
        rewrites (a qualified name ``requests.*`` needs an import naming requests; ``urlopen`` is
        named where it is called, as ``urlopen(...)`` or ``x.urlopen(...)``)."""
        return "requests" in source or "urlopen" in source

    def _qualified(self, node: cst.CSTNode) -> set[str]:
        try:
            return {q.name for q in self.get_metadata(QualifiedNameProvider, node)}
        except KeyError:
            return set()

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        names = self._qualified(original_node.func)
        method = next((n[len("requests."):] for n in names if n.startswith("requests.") and n[len("requests."):] in REQUESTS_FUNCTIONS), None)
        if method is not None:
            self._use()
            self.report(original_node, "HT101", "converted", f"requests.{method}() goes through the pipeline's retrying session")
            return updated_node.with_changes(func=cst.parse_expression(f"{SESSION}.{method}"))
        if "urllib.request.urlopen" in names and self._plain_urlopen(original_node):
            self._use()
            self.report(original_node, "HT102", "converted", "urlopen() goes through the pipeline's retrying session")
            return updated_node.with_changes(func=cst.parse_expression(f"{SESSION}.urlopen"))
        return updated_node

    @staticmethod
    def _plain_urlopen(call: cst.Call) -> bool:
        """``urlopen(url_or_request[, data][, timeout=...])``: no SSL context, no ``*args``."""
        if any(a.star or (a.keyword is not None and a.keyword.value not in ("data", "timeout")) for a in call.args):
            return False
        return bool(call.args)

    def _use(self) -> None:
        self.state.uses.add("http")
