"""Pass: hard-coded configuration moves to ``conf/base.yaml``; secrets to the environment.

* A top-level ``NAME = <literal>`` (string, number, boolean, possibly negative)
  whose name is bound only once in the notebook is configuration (CF101): the
  value goes to ``conf/base.yaml`` under ``name`` in lower case and the code
  becomes ``NAME = config["name"]``. Paths, URLs, thresholds, dates and sample
  sizes in notebooks are written exactly like this.
* A literal path given straight to ``pd.read_*`` or ``.to_csv`` / ``.to_parquet``
  / ``.to_json`` (CF102) becomes a config key ``input_<stem>`` /
  ``output_<stem>``.
* A value that looks like a credential (CF201) — by its name (password, token,
  secret, api key, ...) or by a provider pattern (AWS ``AKIA...``, GitHub
  ``ghp_...``, Slack ``xox.-``, Stripe ``sk_live_``, private keys, URLs with a
  password) — is never written to any generated file: the code reads
  ``require_env("NAME")`` and the report names the variable.

Names bound more than once (counters, accumulators) are variables, not
configuration, and stay as they are. Twelve-factor config:
https://12factor.net/config
"""

from __future__ import annotations

import ast
import re

import libcst as cst
from libcst.metadata import GlobalScope, QualifiedNameProvider, ScopeProvider

from nb2prod.convert.passes.base import CellPass

#: codes this pass reports: code -> (kebab-case name, what it means for the user)
CODES = {
    "CF101": ("literal-to-config", "A top-level literal assigned once (path, URL, threshold, date, size) moves to conf/base.yaml; the code reads config[key]."),
    "CF102": ("io-path-to-config", "A literal path given to a pandas reader or writer moves to conf/base.yaml as input_<stem> / output_<stem>."),
    "CF201": ("secret-to-environment", "A value that looks like a credential is read from an environment variable with require_env(); it is written to no generated file."),
}

SECRET_NAME = re.compile(
    r"(?i)(pass(word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth[_-]?key)"
)
SECRET_VALUE = re.compile(
    r"(A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[baprs]-[A-Za-z0-9-]{10,}"
    r"|sk_live_[A-Za-z0-9]{16,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|://[^/\s:@]+:[^/\s@]+@"
)
READERS = ("read_csv", "read_parquet", "read_json", "read_excel", "read_table", "read_feather", "read_pickle")
WRITERS = ("to_csv", "to_parquet", "to_json", "to_excel", "to_feather", "to_pickle")


def literal_value(node: cst.BaseExpression):
    """The Python value of a scalar literal node, or raise ValueError."""
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString)) or (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, (cst.Integer, cst.Float))
    ):
        value = ast.literal_eval(cst.Module(body=[]).code_for_node(node))
        if isinstance(value, bytes):
            raise ValueError("bytes")
        return value
    raise ValueError("not a literal")


def _key(text: str) -> str:
    key = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    return key or "value"


class ConfigPass(CellPass):
    """Move hard-coded configuration to config lookups and secrets to environment variables."""

    METADATA_DEPENDENCIES = (*CellPass.METADATA_DEPENDENCIES, ScopeProvider, QualifiedNameProvider)

    def __init__(self, context) -> None:
        super().__init__(context)
        self.depth = 0

    def visit_IndentedBlock(self, node) -> None:
        self.depth += 1

    def leave_IndentedBlock(self, original_node, updated_node):
        self.depth -= 1
        return updated_node

    def _bound_once(self, node: cst.Assign, name: str) -> bool:
        scope = self.get_metadata(ScopeProvider, node, None)
        return isinstance(scope, GlobalScope) and len(scope.assignments[name]) == 1

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign):
        if self.depth or len(original_node.targets) != 1:
            return updated_node
        target = original_node.targets[0].target
        if not isinstance(target, cst.Name):
            return updated_node
        try:
            value = literal_value(original_node.value)
        except ValueError:
            return updated_node
        name = target.value
        if not self._bound_once(original_node, name):
            return updated_node
        if isinstance(value, str) and (SECRET_NAME.search(name) or SECRET_VALUE.search(value)):
            # credentials are text; a number named like one (MAX_TOKENS = 512) is configuration
            var = _key(name).upper()
            self.state.env_vars[var] = f"cell {self.cell}, variable {name}"
            self.state.redact[cst.Module(body=[]).code_for_node(original_node.value)] = var
            self.state.uses.add("require_env")
            self.report(original_node, "CF201", "converted", f"secret `{name}` is read from environment variable {var}")
            return updated_node.with_changes(value=cst.parse_expression(f'require_env("{var}")'))
        key = self._unique(_key(name), value)
        self.state.config[key] = value
        self.state.config_origin.setdefault(key, f"cell {self.cell}: {name}")
        self.report(original_node, "CF101", "converted", f"`{name}` = {value!r} moved to config key `{key}`")
        return updated_node.with_changes(value=cst.parse_expression(f'config["{key}"]'))

    def _unique(self, key: str, value) -> str:
        candidate, n = key, 2
        while candidate in self.state.config and self.state.config[candidate] != value:
            candidate, n = f"{key}_{n}", n + 1
        return candidate

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call):
        func = original_node.func
        direction = None
        if isinstance(func, cst.Attribute) and func.attr.value in WRITERS:
            direction = "output"
        else:
            names = {q.name for q in self.get_metadata(QualifiedNameProvider, func, set())}
            if any(n.startswith("pandas.") and n.rsplit(".", 1)[-1] in READERS for n in names):
                direction = "input"
        if direction is None or not original_node.args:
            return updated_node
        first = original_node.args[0]
        if first.keyword is not None or not isinstance(first.value, cst.SimpleString):
            return updated_node
        path = first.value.evaluated_value
        if not isinstance(path, str) or SECRET_VALUE.search(path):
            return updated_node
        stem = path.rstrip("/").rsplit("/", 1)[-1].split(".", 1)[0]
        key = self._unique(f"{direction}_{_key(stem)}", path)
        self.state.config[key] = path
        self.state.config_origin.setdefault(key, f"cell {self.cell}: {direction} path")
        self.report(original_node, "CF102", "converted", f"path {path!r} moved to config key `{key}`")
        new_first = updated_node.args[0].with_changes(value=cst.parse_expression(f'config["{key}"]'))
        return updated_node.with_changes(args=[new_first, *updated_node.args[1:]])
