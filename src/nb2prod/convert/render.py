"""Render the package files from the jinja2 templates in the top-level ``templates/``.

Rendering is deterministic: the same notebook gives byte-identical files (no
timestamps, sorted collections), so "convert, then ``git diff --exit-code``"
is a valid CI check.
"""

from __future__ import annotations

import ast

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import libcst as cst

from nb2prod import __version__
from nb2prod.convert.engine import Rewritten
from nb2prod.convert.report import inventory, summarise
from nb2prod.convert.schemas import PANDAS_NA
from nb2prod.convert.steps import _is_import, _is_pass, try_lines
from nb2prod.manifest import MANIFEST_NAME, build_manifest, dump_manifest
from nb2prod.notebook import Cell, Notebook

_EMPTY = cst.Module(body=[])

#: template (relative to templates/package) -> output path; {name} is the package name
PACKAGE_FILES = {
    "pyproject.toml.j2": "pyproject.toml",
    "README.md.j2": "README.md",
    "src/__init__.py.j2": "src/{name}/__init__.py",
    "src/__main__.py.j2": "src/{name}/__main__.py",
    "src/cli.py.j2": "src/{name}/cli.py",
    "src/config.py.j2": "src/{name}/config.py",
    "src/spark.py.j2": "src/{name}/spark.py",
    "src/compat.py.j2": "src/{name}/compat.py",
    "src/schemas.py.j2": "src/{name}/schemas.py",
    "src/pipeline.py.j2": "src/{name}/pipeline.py",
    "src/errors.py.j2": "src/{name}/errors.py",
    "src/logs.py.j2": "src/{name}/logs.py",
    "src/summary.py.j2": "src/{name}/summary.py",
    "src/staging.py.j2": "src/{name}/staging.py",
    "conf/base.yaml.j2": "src/{name}/conf/base.yaml",
    "conf/dev.yaml.j2": "src/{name}/conf/dev.yaml",
    "conf/staging.yaml.j2": "src/{name}/conf/staging.yaml",
    "conf/prod.yaml.j2": "src/{name}/conf/prod.yaml",
    "conf/cluster.yaml.j2": "src/{name}/conf/cluster.yaml",
    "conf/test.yaml.j2": "src/{name}/conf/test.yaml",
    "conf/log4j2.properties.j2": "src/{name}/conf/log4j2.properties",
    "tests/conftest.py.j2": "tests/conftest.py",
    "tests/test_pipeline.py.j2": "tests/test_pipeline.py",
    "tests/test_config.py.j2": "tests/test_config.py",
    "tests/test_steps.py.j2": "tests/test_steps.py",
}


def templates_dir() -> Path:
    """The templates: packaged with nb2prod (wheel) or the repository's top-level ``templates/``."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent.parent / "templates"):
        if (candidate / "package").is_dir():
            return candidate
    raise FileNotFoundError("nb2prod templates not found; reinstall nb2prod")


def environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


_PATH_SUFFIX = re.compile(r"\.(csv|tsv|txt|json|jsonl|parquet|orc|avro|xlsx?|feather|pkl|pickle)$", re.IGNORECASE)


def looks_like_path(value: str) -> bool:
    """Whether a configuration string is a local file or directory path (URLs are not)."""
    if "://" in value or "\n" in value:
        return False
    return value in (".", "..") or "/" in value or "\\" in value or bool(_PATH_SUFFIX.search(value))


def pipeline_module(
    rewritten: Rewritten, name: str, notebook: str, cells: Sequence[Cell] | None = None
) -> tuple[str, str, list[dict[str, Any]], str]:
    """The imports block and the step functions and ``run`` wiring of ``pipeline.py``.

    The cells are split into steps (:func:`nb2prod.convert.steps.plan_steps`: headings, ``step:``
    tags, else dataflow). Imports at the top level of cells move to the top of the module, helper
    ``def``/``class`` statements follow them; each step becomes one function of its inputs (and
    ``spark``/``settings``/``driver``/``web`` when it uses them) returning its outputs (one value,
    or a NamedTuple for several), decorated with ``compat.step`` (logs, duration, a failure names
    the step and its cell); ``run(spark, config)`` calls them in notebook order, unpersists cached
    frames after the last step using them, and returns every output by name. Imports left unused
    are removed. Imports after the notebook changes ``sys.path`` stay in their step.

    Args:
        rewritten: the passes' result.
        name: the package name.
        notebook: the notebook's file name (for messages).
        cells: every cell of the notebook (markdown headings name the steps); default: the code
            cells of ``rewritten`` only.

    Returns:
        (imports code, module body code (helpers, steps, run, STEPS), steps as
        [{"name", "cells", "inputs", "outputs", "headings", "doc"}], the code of the imports left in
        steps, for the dependency list).
    """
    uses = rewritten.state.uses
    fixed = [
        "from __future__ import annotations",
        "import logging",
        "from collections.abc import Mapping",
        "from typing import Any",
        "from pyspark.sql import SparkSession",
    ]
    if "F" in uses:
        fixed.append("from pyspark.sql import functions as F")
    if "Window" in uses:
        fixed.append("from pyspark.sql import Window")
    if "compat" in uses or "driver" in uses:
        fixed.append(f"from {name} import compat")
    fixed.append(f"from {name}.compat import step")
    if "http" in uses:
        fixed.append(f"from {name} import http_client")
    if "schemas" in uses:
        fixed.append(f"from {name} import schemas")
    if "require_env" in uses:
        fixed.append(f"from {name}.config import require_env")
    imports: list[str] = []
    path_changed = False
    for report in rewritten.cells:
        for statement in rewritten.statements.get(report.number, []):
            if _is_import(statement) and not path_changed:
                code = _EMPTY.code_for_node(statement.with_changes(leading_lines=())).strip()
                if code not in imports and code not in fixed:
                    imports.append(code)
            else:
                path_changed = path_changed or "sys.path" in _EMPTY.code_for_node(statement)
    plan = _plan(rewritten, cells, imports)
    late_imports = [
        _EMPTY.code_for_node(s.with_changes(leading_lines=())).strip() for step in plan.steps for s in step.body if _is_import(s)
    ]
    if plan.uses_partial:
        imports.insert(0, "import functools")
    parts: list[str] = [_EMPTY.code_for_node(h.with_changes(leading_lines=())).rstrip() for h in plan.helpers]
    producers: dict[str, str] = {}
    step_info = []
    from nb2prod.convert.steps import dead_steps

    dead = dead_steps(plan.steps)
    for s in plan.steps:
        parts.extend(_step_code(s, producers))
        for o in s.outputs:
            producers[o] = s.name
        body = "\n".join(_EMPTY.code_for_node(b) for b in s.body)
        step_info.append({"name": s.name, "cells": list(s.cells), "inputs": list(s.inputs), "outputs": list(s.outputs),
                          "headings": list(s.headings), "runtime": list(s.runtime),
                          "data_dependent": bool(re.search(r"\.pivot\(|get_dummies|\.crosstab\(|\bunstack\(", body)),
                          "not_run": dead.get(s.name)})  # fmt: skip
    parts.append(_run_code(plan.steps, uses))
    parts.append(
        "#: the steps in notebook order (``<package> steps`` lists them, ``<package> run --step NAME`` runs one)\n"
        f"STEPS = ({', '.join(s.name for s in plan.steps)}{',' if len(plan.steps) == 1 else ''})"
    )
    if any(s.kinds.get(o) == "DataFrame" for s in plan.steps for o in (*s.inputs, *s.outputs)):
        fixed[fixed.index("from pyspark.sql import SparkSession")] = "from pyspark.sql import DataFrame, SparkSession"
    if any(len(s.outputs) > 1 for s in plan.steps):
        fixed[fixed.index("from typing import Any")] = "from typing import Any, NamedTuple"
    header = "\n".join(fixed + imports) + "\n\nlog = logging.getLogger(__name__)\n\n\n"
    code = remove_unused_imports(header + "\n\n\n".join(parts) + "\n")
    split = code.index("\nlog = logging.getLogger")
    return code[:split].rstrip() + "\n", code[split:].split("\n\n\n", 1)[1], step_info, "\n".join(late_imports)


#: names pipeline.py binds itself: no step is named after them
_RESERVED = frozenset({"log", "F", "Window", "compat", "step", "schemas", "http_client", "require_env", "logging", "Mapping", "Any",
                       "SparkSession", "DataFrame", "NamedTuple", "annotations", "spark", "config", "settings"})  # fmt: skip


def plan_for(rewritten: Rewritten, cells: Sequence[Cell] | None = None):
    """The steps of the generated ``pipeline.py``, exactly as :func:`pipeline_module` writes them
    (for other generated files, such as a scheduler's DAG: ``.name``, ``.cells``, ``.inputs``, ``.outputs``).

    Args:
        rewritten: the passes' result.
        cells: every cell of the notebook (markdown headings name the steps); default: the code cells.

    Returns:
        A :class:`nb2prod.convert.steps.Plan`; its ``steps`` in notebook order.
    """
    imports: list[str] = []
    path_changed = False
    for report in rewritten.cells:
        for statement in rewritten.statements.get(report.number, []):
            if _is_import(statement) and not path_changed:
                imports.append(_EMPTY.code_for_node(statement.with_changes(leading_lines=())).strip())
            else:
                path_changed = path_changed or "sys.path" in _EMPTY.code_for_node(statement)
    return _plan(rewritten, cells, imports)


def _plan(rewritten: Rewritten, cells: Sequence[Cell] | None, imports: Sequence[str]):
    from nb2prod.convert.steps import plan_steps

    if cells is None:
        cells = [Cell(number=r.number, cell_type="code", source=r.source, id=r.id or "", tags=tuple(r.tags or ())) for r in rewritten.cells]
    key = (tuple((c.number, c.cell_type, c.source, tuple(c.tags or ())) for c in cells), tuple(imports))
    plan = rewritten.plans.get(key)
    if plan is None:  # pipeline.py and the DAG ask for the same plan: made once
        reserved = set(_RESERVED)
        for line in imports:
            reserved |= _bound_by_import(line)
        plan = rewritten.plans[key] = plan_steps(cells, rewritten.statements, reserved)
    return plan


def _bound_by_import(line: str) -> set[str]:
    try:
        statement = cst.parse_statement(line)
    except cst.ParserSyntaxError:
        return set()
    names: set[str] = set()
    lines = try_lines(statement) if isinstance(statement, cst.Try) else [statement]  # an optional import: its lines
    for small in (s for line in lines if isinstance(line, cst.SimpleStatementLine) for s in line.body):
        if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
            for alias in small.names:
                bound = alias.asname.name if alias.asname is not None else alias.name
                names.add(_EMPTY.code_for_node(bound).split(".")[0])
    return names


def _cells_text(cells: Sequence[int]) -> str:
    if len(cells) == 1:
        return f"cell {cells[0]}"
    if list(cells) == list(range(cells[0], cells[-1] + 1)):
        return f"cells {cells[0]}-{cells[-1]}"
    return "cells " + ", ".join(str(c) for c in cells)


_RUNTIME_TYPES = {"spark": "SparkSession", "settings": "Mapping[str, Any]", "driver": "compat.Driver", "web": "http_client.Session"}


def _outputs_class(step) -> str:
    return "".join(p.capitalize() for p in step.name.split("_") if p) + "Outputs"


def _local_releases(step, visible) -> list[str]:
    """The frames ``step`` releases that ``run()`` does not hold: neither an earlier step's output
    (``visible``) nor the step's own. They are the step's locals, so the step unpersists them
    itself before it returns (in ``run()`` their names are not defined)."""
    return [n for n in step.release if n not in visible and n not in step.outputs and n not in step.inputs]


def _step_code(step, producers: Mapping[str, str]) -> list[str]:
    """The code of one step: its outputs' NamedTuple (several outputs) and its function."""
    out: list[str] = []
    kind = {o: step.kinds.get(o, "Any") for o in step.outputs}
    if len(step.outputs) > 1:
        fields = "\n".join(f"    {o}: {kind[o]}" for o in step.outputs)
        out.append(f"class {_outputs_class(step)}(NamedTuple):\n    \"\"\"What {step.name} returns.\"\"\"\n\n{fields}")
        returns = _outputs_class(step)
    elif step.outputs:
        returns = kind[step.outputs[0]]
    else:
        returns = "None"
    params = []
    if "spark" in step.runtime:
        params.append("spark: SparkSession")
    params += [f"{i}: {step.kinds.get(i, 'Any')}" for i in step.inputs]
    params += [f"{r}: {_RUNTIME_TYPES[r]}" for r in step.runtime if r != "spark"]
    title = "; ".join(h for h in step.headings if h)
    first = f"{title.rstrip('.')} (notebook {_cells_text(step.cells)})." if title else f"Notebook {_cells_text(step.cells)}."
    lines = [first, ""]
    if step.inputs or "settings" in step.runtime:
        lines.append("Args:")
        for i in step.inputs:
            lines.append(f"    {i}: from step {producers[i]}." if i in producers else f"    {i}: from an earlier step.")
        if "settings" in step.runtime:
            lines.append("    settings: the configuration (conf/base.yaml and overlays).")
        lines.append("")
    if step.outputs:
        lines.append("Returns:")
        lines.append(f"    {', '.join(step.outputs)}.")
        lines.append("")
    if len(lines) == 2:  # the summary line only
        doc = f'"""{lines[0]}"""'
    else:
        doc = '"""' + "\n    ".join(lines).rstrip() + '\n    """'
        doc = doc.replace("\n    \n", "\n\n")
    signature = f"def {step.name}({', '.join(params)}) -> {returns}:"
    if len(signature) > 110 and params:
        signature = f"def {step.name}(\n    " + ",\n    ".join(params) + f",\n) -> {returns}:"
    decorator = f"@step(cells=({', '.join(str(c) for c in step.cells)}{',' if len(step.cells) == 1 else ''})"
    if step.outputs:
        decorator += f", outputs=({', '.join(json.dumps(o) for o in step.outputs)}{',' if len(step.outputs) == 1 else ''})"
    decorator += ")"
    function = cst.parse_statement(f"{decorator}\n{signature}\n    {doc}\n    pass\n")
    body: list[cst.BaseStatement] = [function.body.body[0]]
    for i, statement in enumerate(step.body):
        lines = _strip_blank(statement.leading_lines) if i == 0 else list(statement.leading_lines)
        # blank lines carry no indentation (no trailing whitespace); at most one in a row
        tidy: list[cst.EmptyLine] = []
        for line in lines:
            if line.comment is None:
                if tidy and tidy[-1].comment is None:
                    continue
                line = line.with_changes(indent=False, whitespace=cst.SimpleWhitespace(""))
            tidy.append(line)
        body.append(statement.with_changes(leading_lines=tidy))
    for name in _local_releases(step, producers):  # cached in this step, read by no other: released here
        body.append(cst.parse_statement(f"{name}.unpersist()\n"))
    if len(step.outputs) > 1:
        body.append(cst.parse_statement(f"return {_outputs_class(step)}({', '.join(step.outputs)})\n"))
    elif step.outputs:
        body.append(cst.parse_statement(f"return {step.outputs[0]}\n"))
    function = function.with_changes(body=function.body.with_changes(body=body))
    out.append(_EMPTY.code_for_node(function).rstrip())
    return out


def _strip_blank(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    lines = list(lines)
    while lines and lines[0].comment is None:
        lines.pop(0)
    return lines


def _run_code(steps, uses: set[str]) -> str:
    """``run(spark, config)``: the steps in order, cached frames released, every output returned; a dead
    step (:func:`nb2prod.convert.steps.dead_steps`) is not called, a comment says so."""
    doc = (
        '"""Run every step in notebook order; return what the steps produce, by name.\n\n'
        "    Args:\n        spark: the SparkSession (see build_session in spark.py).\n"
        "        config: the loaded configuration (see load_config in config.py).\n\n"
        "    Returns:\n        output name -> value (Spark DataFrames, or what the notebook computed on the driver).\n\n"
        "    Raises:\n        StepError: a step failed; the message names the step and its cell.\n"
        '    """'
    )
    lines = [f"def run(spark: SparkSession, config: Mapping[str, Any]) -> dict[str, Any]:", f"    {doc}"]
    if not steps:
        lines.append('    log.info("the notebook had no code to convert")')
        lines.append("    return {}")
        return "\n".join(lines)
    from nb2prod.convert.steps import dead_steps

    dead = dead_steps(steps)
    needs = {r for s in steps if s.name not in dead for r in s.runtime}
    if "driver" in needs:
        lines.append("    driver = compat.Driver(spark, config)")
    if "web" in needs:
        lines.append("    web = http_client.session(config)  # the one HTTP session of the run (nb2prod rule HT101)")
    produced: list[str] = []
    earlier: set[str] = set()  # every earlier step's outputs, as _step_code's producers
    for s in steps:
        args = (["spark"] if "spark" in s.runtime else []) + list(s.inputs)
        args += [f"{r}={'config' if r == 'settings' else r}" for r in s.runtime if r != "spark"]
        call = f"{s.name}({', '.join(args)})"
        local = set(_local_releases(s, earlier))
        earlier |= set(s.outputs)
        if s.name in dead:  # its function stays (run --step runs it); CONVERSION.md says why run() does not
            lines.append(f"    # not run: {s.name} (nothing that runs reads it, and it writes, logs and draws nothing: see CONVERSION.md)")
            for name in s.release:
                if name in produced:
                    lines.append(f"    {name}.unpersist()")
            continue
        elif len(s.outputs) == 1:
            lines.append(f"    {s.outputs[0]} = {call}")
        elif s.outputs:
            lines.append(f"    {', '.join(s.outputs)} = {call}")
        else:
            lines.append(f"    {call}")
        for name in s.release:
            if name not in local:
                lines.append(f"    {name}.unpersist()")
        produced += [o for o in s.outputs if o not in produced]
    items = ", ".join(f'"{o}": {o}' for o in produced)
    lines.append(f"    return {{{items}}}")
    return "\n".join(lines)


#: what makes libcst's RemoveUnusedImportsCommand keep or find more than scope analysis alone says:
#: suppression comments, ``__all__`` exports, ``typing.TypeVar`` strings; text matches are enough to
#: send a module to the command itself (the rare case), so the fast path never decides them
_NEEDS_FULL_COMMAND = re.compile(r"noqa|lint-ignore|__all__|TypeVar")


def remove_unused_imports(code: str) -> str:
    """``code`` without the imports that nothing uses, exactly as libcst's
    ``RemoveUnusedImportsCommand`` writes it, at the cost of one scope analysis.

    The command resolves positions, scopes and qualified names twice over two deep copies of the
    module and visits it five times with matcher-based visitors: a quarter of a medium notebook's
    conversion and half of a 5,000-line cell's. Here the module is parsed once, its scopes resolved
    once (no copy: the tree is fresh), and only the top-level lines holding an unused import are
    rebuilt (the whole module when one is nested in a block, such as ``run``); an import is unused when no
    name it binds has a reference, as the command decides. Modules where the command would
    decide otherwise than scopes alone, or that it refuses (suppression comments, ``__all__``,
    ``TypeVar``, string annotations, relative imports, one module imported under two ``as``
    names), go through the command itself.

    Args:
        code: a Python module's source (``pipeline.py`` before clean-up).

    Returns:
        The module's source with unused imports removed.

    Raises:
        libcst.ParserSyntaxError: ``code`` does not parse.
    """
    from libcst.metadata import ImportAssignment, MetadataWrapper, ScopeProvider
    from libcst.metadata.scope_provider import _gen_dotted_names

    module = cst.parse_module(code)
    if _NEEDS_FULL_COMMAND.search(code):
        return _remove_unused_imports_command(module)
    imports = _import_nodes(module)
    aliases: dict[str, str | None] = {}
    for node in imports:
        if isinstance(node, cst.ImportFrom) and node.relative:
            return _remove_unused_imports_command(module)  # the command refuses these (no package name)
        if isinstance(node, cst.Import):
            for alias in node.names:
                if aliases.setdefault(alias.evaluated_name, alias.evaluated_alias) != alias.evaluated_alias:
                    return _remove_unused_imports_command(module)  # the command keeps one of them: let it
    unused: dict[cst.ImportAlias, cst.Import | cst.ImportFrom] = {}
    unreferenced = _unreferenced_imports(code)
    scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider) if unreferenced is None else {}
    for node in imports:
        if isinstance(node.names, cst.ImportStar) or (isinstance(node, cst.ImportFrom) and node.module.value == "__future__"):
            continue
        if unreferenced is not None:
            unused.update((alias, node) for alias in node.names if _bound_name(alias) in unreferenced)
            continue
        scope = scopes[node]
        if scope is None:
            continue
        for alias in node.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            if not any(
                isinstance(a, ImportAssignment) and a.references for name, _ in _gen_dotted_names(bound) for a in scope[name]
            ):
                unused[alias] = node
    if not unused:
        return code
    if _has_string_annotation(module):  # names in string annotations count as uses
        return _remove_unused_imports_command(module)
    remover = _RemoveImports(set(unused))
    top = {id(s) for statement in module.body if isinstance(statement, cst.SimpleStatementLine) for s in statement.body}
    if any(id(node) not in top for node in unused.values()):  # one nested in a block: rebuild the module
        return module.visit(remover).code
    statements = {id(node) for node in unused.values()}
    body = []
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine) and any(id(s) in statements for s in statement.body):
            statement = statement.visit(remover)
            if isinstance(statement, cst.RemovalSentinel) or statement._is_removable():
                continue
        body.append(statement)
    return module.with_changes(body=body).code


def _import_nodes(module: cst.Module) -> list[cst.Import | cst.ImportFrom]:
    """Every ``import`` statement of ``module``, nested ones too, in order."""
    found: list[cst.Import | cst.ImportFrom] = []

    class _Visit(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> bool:
            found.append(node)
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            found.append(node)
            return False

    module.visit(_Visit())
    return found


def _bound_name(alias: cst.ImportAlias) -> str:
    """The name an import alias binds (``np`` for ``numpy as np``, ``os`` for ``os``)."""
    return alias.evaluated_alias or alias.evaluated_name


def _unreferenced_imports(code: str) -> set[str] | None:
    """The names that imports in ``code`` bind and nothing reads, decided from Python's ``ast``
    where that is certain to be what libcst's scopes decide; None where it is not.

    Certain when every imported name is bound by one import only and by nothing else anywhere (no
    assignment, parameter, ``def``, ``class``, ``except ... as`` of the same name, so that no scope
    can shadow it) and no import is dotted without ``as`` (``import a.b``, whose references libcst
    counts per dotted name): then a name is referenced exactly when some expression reads it.
    """
    tree = ast.parse(code)
    imported: list[str] = []
    others: set[str] = set()
    reads: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (others if isinstance(node.ctx, ast.Store) else reads).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    continue
                if isinstance(node, ast.Import) and alias.asname is None and "." in alias.name:
                    return None
                imported.append(alias.asname or alias.name)
        elif isinstance(node, ast.arg):
            others.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            others.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            others.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal, ast.NamedExpr, ast.Match)):
            return None
    if len(set(imported)) != len(imported) or others & set(imported):
        return None
    return set(imported) - reads


def _remove_unused_imports_command(module: cst.Module) -> str:
    from libcst.codemod import CodemodContext
    from libcst.codemod.commands.remove_unused_imports import RemoveUnusedImportsCommand

    return RemoveUnusedImportsCommand(CodemodContext()).transform_module(module).code


def _has_string_annotation(node: cst.CSTNode) -> bool:
    """Whether an annotation (of a parameter, a return, an annotated assignment) in ``node`` holds a
    string. Annotations stand only in statements, so expressions are not searched."""
    if isinstance(node, cst.Annotation):
        return _holds_string(node)
    if isinstance(node, cst.BaseExpression):
        return False
    return any(_has_string_annotation(child) for child in node.children)


def _holds_string(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.BaseString) or any(_holds_string(child) for child in node.children)


class _RemoveImports(cst.CSTTransformer):
    """Remove the given import aliases as libcst's ``RemoveImportsVisitor`` does (the statement when
    none is left, the trailing comma of a new last alias, comments after a removed alias's comma)."""

    def __init__(self, unused: set[cst.ImportAlias]) -> None:
        super().__init__()
        self.unused = unused

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import):
        keep = [a for a in original_node.names if a not in self.unused]
        if keep == list(original_node.names):
            return updated_node
        if not keep:
            return cst.RemoveFromParent()
        if keep[-1] != original_node.names[-1]:
            keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(names=keep)

    def leave_Try(self, original_node: cst.Try, updated_node: cst.Try):
        """``try: import seaborn / except ImportError: pass`` with the import gone does nothing: removed."""
        blocks = [updated_node.body, *(h.body for h in updated_node.handlers)]
        blocks += [b.body for b in (updated_node.orelse, updated_node.finalbody) if b is not None]
        if all(_is_pass(line) for block in blocks for line in block.body):
            return cst.RemoveFromParent()
        return updated_node

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom):
        names = original_node.names
        if isinstance(names, cst.ImportStar):
            return updated_node
        updates: dict[str, Any] = {}
        keep: list[cst.ImportAlias] = []
        for alias in names:
            if alias not in self.unused:
                keep.append(alias)
                continue
            comma = alias.comma
            if isinstance(comma, cst.Comma):
                if keep:
                    prev = keep[-1]
                    if isinstance(prev.comma, cst.Comma):
                        prev = prev.with_deep_changes(
                            prev.comma, whitespace_after=_merge_whitespace_after(prev.comma.whitespace_after, comma.whitespace_after)
                        )
                    else:
                        prev = prev.with_changes(comma=comma)
                    keep[-1] = prev
                elif isinstance(updated_node.lpar, cst.LeftParen):
                    lpar = updated_node.lpar
                    updates["lpar"] = lpar.with_changes(
                        whitespace_after=_merge_whitespace_after(lpar.whitespace_after, comma.whitespace_after)
                    )
        if keep == list(names):
            return updated_node
        if not keep:
            return cst.RemoveFromParent()
        if keep[-1] != names[-1]:
            keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(names=keep, **updates)


def _merge_whitespace_after(left, right):
    if not isinstance(right, cst.ParenthesizedWhitespace):
        return left
    if not isinstance(left, cst.ParenthesizedWhitespace):
        return right
    return left.with_changes(empty_lines=tuple(line for line in right.empty_lines if line.comment is not None))


def render_package(
    notebook: Notebook,
    rewritten: Rewritten,
    name: str,
    samples: dict[str, bytes],
    notebook_dir: str,
    dependencies: Callable[[list[str], list[str], str], list[str]],
    third_party_imports: Callable[[str], list[str]],
    outdir: Path | None = None,
    schemas: dict[str, dict[str, str]] | None = None,
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Every file of the package as bytes, and the ``conversion.json`` report.

    Args:
        notebook: the loaded notebook.
        rewritten: the passes' result.
        name: the package name.
        samples: test data files (path under ``tests/data`` -> bytes).
        notebook_dir: the notebook's directory relative to ``tests/data``.
        dependencies, third_party_imports: see :mod:`nb2prod.convert.package`.
        outdir: where the package will be written (default ``<name>_pipeline`` beside the
            notebook); the manifest records the notebook's path relative to it.
        schemas: CSV input schemas for ``schemas.py`` (see :func:`nb2prod.convert.schemas.csv_schemas`).
    """
    import yaml

    state = rewritten.state
    imports, run_function, steps, late_imports = pipeline_module(rewritten, name, notebook.path.name, notebook.cells)
    # imports after a sys.path change are mostly the notebook's own project modules: only installed ones count
    late: list[str] = []
    if late_imports:
        from importlib.metadata import packages_distributions  # a scan of every installed distribution

        installed = packages_distributions()
        late = [m for m in third_party_imports(late_imports) if m in installed]
    deps = dependencies(sorted({*third_party_imports(imports), *late}), [*state.requirements, *runtime_requirements(state.uses)], name)
    env_prefix = name.upper()
    config_entries = [
        {
            "line": yaml.safe_dump({k: v}, default_flow_style=False, allow_unicode=True, sort_keys=False).strip(),
            "origin": state.config_origin.get(k, ""),
        }
        for k, v in state.config.items()
    ]
    example_key, example_value = next(
        ((k, v) for k, v in state.config.items() if isinstance(v, (int, float)) and not isinstance(v, bool)),
        ("spark.master", "local[2]"),
    )
    path_keys = [k for k, v in state.config.items() if isinstance(v, str) and looks_like_path(v)]
    # secrets the pipeline reads: required (before Spark starts); others found in the notebook are not
    secrets = sorted(set(re.findall(r"require_env\(\s*[\"']([^\"']+)[\"']", run_function)))
    writes_outputs = any(e.code == "PS125" and e.outcome != "not-converted" for e in state.events)
    context = {
        "name": name,
        "dist_name": name.replace("_", "-"),
        "notebook": safe_name(notebook.path.name),
        "notebook_dir": safe_name(notebook.path.parent.name) or ".",
        "nb2prod_version": __version__,
        "dependencies": deps,
        "env_prefix": env_prefix,
        "env_vars": {k: v for k, v in sorted(state.env_vars.items()) if k in secrets},
        "env_vars_list": secrets,
        "secrets": secrets,
        "config_entries": config_entries,
        "example_key": example_key,
        "example_value": example_value,
        "imports": imports,
        "run_function": run_function,
        "steps": steps,
        "data_dependent_steps": [s["name"] for s in steps if s["data_dependent"]],
        "notebook_dir_in_samples": notebook_dir,
        "writes_outputs": writes_outputs,
        "path_keys": path_keys,
        "uses_driver": "driver" in state.uses,
        "uses_http": "http" in state.uses,
        "csv_schemas": schemas or {},
        "pandas_na": PANDAS_NA,
    }
    env = environment()
    files: dict[str, bytes] = {}
    for template, target in PACKAGE_FILES.items():
        files[target.format(name=name)] = env.get_template(f"package/{template}").render(context).encode()
    if "http" in state.uses:
        files[f"src/{name}/http_client.py"] = env.get_template("package/src/http_client.py.j2").render(context).encode()
    for rel, content in sorted(samples.items()):
        files[f"tests/data/{rel}"] = content
    from nb2prod.convert.audit import audit_pipeline

    audit = [f.as_dict() for f in audit_pipeline(files[f"src/{name}/pipeline.py"].decode())]
    report = {
        "nb2prod": __version__,
        "notebook": safe_name(notebook.path.name),
        "package": name,
        "summary": summarise(rewritten.cells, state.events),
        "cells": [c.as_dict() for c in rewritten.cells],
        "inventory": inventory(state.events),
        "config": {k: state.config_origin.get(k, "") for k in state.config},
        "environment_variables": dict(sorted(state.env_vars.items())),
        "dependencies": deps,
        "audit": audit,
        "steps_not_run": [s["not_run"] for s in steps if s["not_run"]],
    }
    files["conversion.json"] = (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode()
    files["CONVERSION.md"] = env.get_template("CONVERSION.md.j2").render(
        report=report, cells=rewritten.cells, name=name, redact=_redactor(state.redact)
    ).encode()
    package_dir = outdir if outdir is not None else notebook.path.parent / f"{name}_pipeline"
    manifest = build_manifest(notebook, report["cells"], files, relpath(notebook.path.resolve(), package_dir.resolve()))
    files[MANIFEST_NAME] = dump_manifest(manifest)
    return dict(sorted(files.items())), report


#: what helpers of the generated code need at run time, by the name in ConversionState.uses
RUNTIME_REQUIREMENTS = {
    # the driver tier (compat.Driver, compat.from_pandas): pandas next to PySpark 4 (below 3), Arrow for toPandas()
    "driver": ("pandas>=2.2,<3", "pyarrow>=15"),
    "from_pandas": ("pandas>=2.2,<3", "pyarrow>=15"),
    "fetch": ("urllib3>=2",),  # compat.fetch downloads URL inputs with urllib3's Retry
    "http": ("requests>=2.31", "urllib3>=2"),  # http_client.session(): requests with urllib3's Retry (HT101)
}


def runtime_requirements(uses: set[str]) -> list[str]:
    """The requirements the generated helpers named in ``uses`` need (PEP 508 strings, sorted, no repeats)."""
    return sorted({r for use in uses for r in RUNTIME_REQUIREMENTS.get(use, ())})


def _redactor(secrets: dict[str, str]) -> Callable[[str], str]:
    """A function that replaces each secret literal in a text by a pointer to its environment variable."""

    def redact(text: str) -> str:
        for literal, var in secrets.items():
            text = text.replace(literal, f'"<secret: read from ${var}>"')
        return text

    return redact


def safe_name(name: str) -> str:
    """A file name as the templates may quote it (TOML and Python strings, comments): quotes,
    backslashes, control characters and undecodable bytes become ``_``."""
    return "".join("_" if c in "\"'\\`" or not c.isprintable() or "\ud800" <= c <= "\udfff" else c for c in name)


def relpath(path: Path, start: Path) -> str:
    return os.path.relpath(path, start).replace(os.sep, "/")
