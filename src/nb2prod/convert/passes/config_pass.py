"""Pass: hard-coded configuration moves to ``conf/base.yaml``; secrets to the environment.

* A top-level ``NAME = <literal>`` (string, number, boolean, possibly negative)
  whose name is bound only once in the notebook is configuration (CF101): the
  value goes to ``conf/base.yaml`` under ``name`` in lower case and the code
  becomes ``NAME = config["name"]``. Paths, URLs, thresholds, dates and sample
  sizes in notebooks are written exactly like this.
* A literal path given straight to ``pd.read_*`` or ``.to_csv`` / ``.to_parquet``
  / ``.to_json`` / ``savefig`` (CF102) becomes a config key ``input_<stem>`` /
  ``output_<stem>``.
* A value that looks like a credential (CF201) is never written to any generated
  file: the code reads ``require_env("NAME")`` and the report names the variable.
  What a credential is comes from :mod:`nb2prod.convert.secrets` (the linter's
  detector): a string stored under a name that says secret — a variable, an
  attribute, ``os.environ["X"] = ...``, a dict key (``{"api_key": ...}``,
  ``{"Authorization": ...}``), a keyword argument — moves to the environment
  whole; a provider pattern (AWS, Google, GitHub, Slack, Stripe, JWT, private-key
  blocks), a URL password or a ``Bearer`` token inside any other string or
  f-string is cut out of it: ``f"postgresql://admin:{require_env('URL_PASSWORD')}@{host}"``.
  This applies at any depth (inside functions too), and to values found only in
  markdown or outputs (:data:`KNOWN_SECRETS`) that the code repeats.

Names bound more than once (counters, accumulators) are variables, not
configuration, and stay as they are. Twelve-factor config:
https://12factor.net/config
"""

from __future__ import annotations

import ast
import json
import re
from contextvars import ContextVar

import libcst as cst
from libcst.metadata import GlobalScope, QualifiedNameProvider

from nb2prod.convert.passes import base
from nb2prod.convert.passes.base import CellPass
from nb2prod.convert.secrets import LABEL_VARIABLES, SHORT, code_secrets

#: secret values found elsewhere in the notebook (markdown, outputs) -> label, set by
#: :func:`nb2prod.convert.package.convert_notebook` around the passes; the pass adds the code's own
KNOWN_SECRETS: ContextVar[dict[str, str] | None] = ContextVar("KNOWN_SECRETS", default=None)
_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)

#: codes this pass reports: code -> (kebab-case name, what it means for the user)
CODES = {
    "CF101": ("literal-to-config", "A top-level literal assigned once (path, URL, threshold, date, size) moves to conf/base.yaml; the code reads config[key]."),
    "CF102": ("io-path-to-config", "A literal path given to a pandas reader or writer moves to conf/base.yaml as input_<stem> / output_<stem>."),
    "CF201": ("secret-to-environment", "A value that looks like a credential is read from an environment variable with require_env(); it is written to no generated file."),
}

READERS = ("read_csv", "read_parquet", "read_json", "read_excel", "read_table", "read_feather", "read_pickle")
WRITERS = ("to_csv", "to_parquet", "to_json", "to_excel", "to_feather", "to_pickle", "savefig")


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


#: top-level sections of the generated package's configuration; a notebook constant is never stored under one
RESERVED_KEYS = frozenset({"spark", "metrics", "http", "driver", "airflow", "profiling", "staging", "logging", "pipeline", "env"})


def _key(text: str) -> str:
    key = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    return key or "value"


class ConfigPass(CellPass):
    """Move hard-coded configuration to config lookups and secrets to environment variables."""

    METADATA_DEPENDENCIES = (*CellPass.METADATA_DEPENDENCIES, QualifiedNameProvider)

    def __init__(self, context) -> None:
        super().__init__(context)
        self.depth = 0
        self.concat = 0
        #: id of a string node -> the name it is stored under
        self.names: dict[int, str] = {}
        #: secret value -> label, for values stored under a name (moved whole) and found in text (cut out)
        self.whole: dict[str, str] = {}
        self.parts: dict[str, str] = {}
        #: ids of the string nodes whose secrets now come from the environment
        self.replaced: set[int] = set()

    def visit_Module(self, node: cst.Module) -> None:
        for secret in code_secrets(node.code) or ():
            (self.whole if secret.name else self.parts)[secret.value] = secret.label
        for value, label in (KNOWN_SECRETS.get() or {}).items():
            self.parts.setdefault(value, label)

    # -- secrets: which name each string is stored under --

    def _name(self, value: cst.BaseExpression, name: str | None) -> None:
        if name and isinstance(value, _STRINGS):
            self.names[id(value)] = name

    @staticmethod
    def _target_name(target: cst.BaseExpression) -> str | None:
        if isinstance(target, cst.Name):
            return target.value
        if isinstance(target, cst.Attribute):
            return target.attr.value
        if isinstance(target, cst.Subscript) and len(target.slice) == 1:
            index = target.slice[0].slice
            if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                key = index.value.evaluated_value
                return key if isinstance(key, str) else None
        return None

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._name(node.value, self._target_name(target.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._name(node.value, self._target_name(node.target))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._name(node.value, node.keyword.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        if isinstance(node.key, cst.SimpleString) and isinstance(node.key.evaluated_value, str):
            self._name(node.value, node.key.evaluated_value)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self.concat += 1

    # -- secrets: replacing them --

    def _variable(self, value: str, name: str | None, label: str) -> str:
        """The environment variable for a secret value (the same value always gets the same one)."""
        if value in self.state.secret_values:
            return self.state.secret_values[value]
        base = _key(name).upper() if name else LABEL_VARIABLES.get(label, "SECRET")
        if not base[0].isalpha():
            base = f"SECRET_{base}"
        var, n = base, 2
        while var in self.state.secret_values.values():
            var, n = f"{base}_{n}", n + 1
        self.state.secret_values[value] = var
        self.state.uses.add("require_env")
        return var

    def _record(self, node: cst.CSTNode, var: str, name: str | None, label: str) -> None:
        origin = f"cell {self.cell}, variable {name}" if name else f"cell {self.cell}, {label}"
        self.state.env_vars.setdefault(var, origin)
        what = f"secret `{name}`" if name else f"hard-coded {label}"
        self.report(node, "CF201", "converted", f"{what} is read from environment variable {var}")

    def _found(self, text: str) -> list[tuple[str, str]]:
        """(value, label) of the secrets in ``text``, longest first."""
        # a short value (`password = "data"`) only as a whole literal: as a substring it is ordinary text
        hits = [
            (v, lab) for v, lab in (*self.whole.items(), *self.parts.items())
            if len(v) >= 3 and (v == text if len(v) < SHORT else v in text)
        ]
        return sorted(hits, key=lambda hit: len(hit[0]), reverse=True)

    @staticmethod
    def _split(text: str, hits: list[tuple[str, str]]) -> list[tuple[str, str | None, str | None]]:
        """``text`` cut into (piece, secret value or None, label) at every occurrence of a secret."""
        pieces: list[tuple[str, str | None, str | None]] = [(text, None, None)]
        for value, label in hits:
            out = []
            for piece, secret, lab in pieces:
                if secret is not None or value not in piece:
                    out.append((piece, secret, lab))
                    continue
                chunks = piece.split(value)
                for i, chunk in enumerate(chunks):
                    if i:
                        out.append((value, value, label))
                    if chunk:
                        out.append((chunk, None, None))
            pieces = out
        return pieces

    def _replace_string(self, original: cst.BaseExpression, value: str | bytes, is_bytes: bool) -> cst.BaseExpression | None:
        """The expression that reads the secrets of a plain string literal from the environment, or None."""
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        hits = self._found(text)
        if not hits:
            return None
        self.replaced.add(id(original))
        name = self.names.get(id(original))
        encode = ".encode()" if is_bytes else ""
        if name or is_bytes or any(v == text for v, _ in hits):
            label = next((lab for v, lab in hits if v == text), hits[0][1])
            var = self._variable(text, name, label)
            self.state.redact[cst.Module(body=[]).code_for_node(original)] = var
            self._record(original, var, name, label)
            return cst.parse_expression(f'require_env("{var}"){encode}')
        terms = []
        for piece, secret, label in self._split(text, hits):
            if secret is None:
                terms.append(json.dumps(piece))  # a valid Python string literal, double-quoted
            else:
                var = self._variable(secret, None, label)
                self._record(original, var, None, label)
                terms.append(f'require_env("{var}")')
        return cst.parse_expression(f"({' + '.join(terms)})")

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString):
        if self.concat:
            return updated_node  # the whole concatenation is judged in leave_ConcatenatedString
        value = original_node.evaluated_value
        return self._replace_string(original_node, value, isinstance(value, bytes)) or updated_node

    def leave_ConcatenatedString(self, original_node: cst.ConcatenatedString, updated_node: cst.ConcatenatedString):
        self.concat -= 1
        if self.concat:
            return updated_node
        value = original_node.evaluated_value
        if value is not None:  # plain strings only
            return self._replace_string(original_node, value, isinstance(value, bytes)) or updated_node
        parts: list[cst.BaseExpression] = []
        node: cst.BaseExpression = updated_node
        while isinstance(node, cst.ConcatenatedString):
            parts.append(node.left)
            node = node.right
        parts.append(node)
        replaced = [
            (self._replace_string(p, p.evaluated_value, isinstance(p.evaluated_value, bytes)) if isinstance(p, cst.SimpleString) else None) or p
            for p in parts
        ]
        if all(r is p for r, p in zip(replaced, parts)):
            return updated_node
        self.replaced.add(id(original_node))
        code = " + ".join(cst.Module(body=[]).code_for_node(r) for r in replaced)
        return cst.parse_expression(f"({code})")

    def leave_FormattedString(self, original_node: cst.FormattedString, updated_node: cst.FormattedString):
        quote = "'" if '"' in updated_node.start else '"'
        changed, parts = False, []
        for part in updated_node.parts:
            hits = self._found(part.value) if isinstance(part, cst.FormattedStringText) else []
            if not hits:
                parts.append(part)
                continue
            changed = True
            for piece, secret, label in self._split(part.value, hits):
                if secret is None:
                    parts.append(cst.FormattedStringText(piece))
                    continue
                var = self._variable(secret, None, label)
                self._record(original_node, var, None, label)
                parts.append(cst.FormattedStringExpression(cst.parse_expression(f"require_env({quote}{var}{quote})")))
        if not changed:
            return updated_node
        self.replaced.add(id(original_node))
        return updated_node.with_changes(parts=parts)

    def leave_Comment(self, original_node: cst.Comment, updated_node: cst.Comment):
        text = updated_node.value
        for value, _label in self._found(text):
            var = self.state.secret_values.get(value)
            text = text.replace(value, f"<secret: read from ${var}>" if var else "<redacted secret>")
        return updated_node.with_changes(value=text) if text != updated_node.value else updated_node

    def visit_IndentedBlock(self, node) -> None:
        self.depth += 1

    def leave_IndentedBlock(self, original_node, updated_node):
        self.depth -= 1
        return updated_node

    def _bound_once(self, node: cst.Assign, name: str) -> bool:
        flat = self.flat_names()
        scoped = None
        if flat is None or base._CHECK_NAMES:
            scope = self.libcst_scopes().get(node)
            scoped = isinstance(scope, GlobalScope) and len(scope.assignments[name]) == 1
        if flat is None:
            return bool(scoped)
        once = flat.assignments(name) == 1  # flat code: every assignment statement is at module scope
        if base._CHECK_NAMES and once != scoped:
            base.NAME_MISMATCHES.append(f"{name!r} bound once: {once} != {scoped}")
        return once

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
        if id(original_node.value) in self.replaced or not self._bound_once(original_node, name):
            return updated_node  # a secret already read from the environment, or a variable
        key = self._unique(_key(name), value)
        self.state.config[key] = value
        self.state.config_origin.setdefault(key, f"cell {self.cell}: {name}")
        self.report(original_node, "CF101", "converted", f"`{name}` = {value!r} moved to config key `{key}`")
        return updated_node.with_changes(value=cst.parse_expression(f'config["{key}"]'))

    def _unique(self, key: str, value) -> str:
        if key in RESERVED_KEYS:  # AIRFLOW = 5 would replace the package's own airflow: section
            key = f"{key}_value"
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
        if id(first.value) in self.replaced:
            return updated_node  # the path held a secret, now read from the environment
        path = first.value.evaluated_value
        if not isinstance(path, str):
            return updated_node
        stem = path.rstrip("/").rsplit("/", 1)[-1].split(".", 1)[0]
        key = self._unique(f"{direction}_{_key(stem)}", path)
        self.state.config[key] = path
        self.state.config_origin.setdefault(key, f"cell {self.cell}: {direction} path")
        self.report(original_node, "CF102", "converted", f"path {path!r} moved to config key `{key}`")
        new_first = updated_node.args[0].with_changes(value=cst.parse_expression(f'config["{key}"]'))
        return updated_node.with_changes(args=[new_first, *updated_node.args[1:]])
