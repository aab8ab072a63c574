"""Pass: IPython magics and shell escapes.

IPython's input transformers (see :mod:`nb2prod.convert.cells`) have already
turned ``%name args`` into ``get_ipython().run_line_magic('name', 'args')`` and
``!cmd`` into ``get_ipython().system('cmd')``. This pass removes those calls
from the pipeline and reports each one:

* ``%pip install x`` / ``!pip install x`` (MG101): ``x`` becomes a dependency when the
  pipeline imports it (an install only to fetch data is not one)
  of the generated package.
* any other line magic or shell command (MG102): dropped; it configures the
  notebook session (``%matplotlib inline``, ``%load_ext``) or times code.
* ``%run``, and shell output bound to a name (``files = !ls``) (MG103): not
  converted, because the pipeline depends on something outside the notebook.
  The statement stays (as IPython's ``get_ipython()`` call) with a
  ``# nb2prod: MG103`` comment, so later uses of the name still read.
"""

from __future__ import annotations

import shlex

import libcst as cst

from nb2prod.convert.passes.base import CellPass


#: codes this pass reports: code -> (kebab-case name, what it means for the user)
CODES = {
    "MG101": ("inline-install", "%pip install / !pip install: dropped; the packages the pipeline imports become dependencies of the generated package (with the notebook's version)."),
    "MG102": ("session-magic", "A line magic or shell command that configures or inspects the notebook session; dropped."),
    "MG104": ("invalid-requirement", "A pip install argument that is not a PEP 508 requirement ({pkg}, $PKG, x==, a bare URL or git+ link); left out of the dependencies."),
    "MG103": ("needs-notebook-session", "%run, %load, or shell output used by the code; kept with a marker, not converted."),
}


def ipython_call(node: cst.BaseExpression) -> tuple[str, list[str]] | None:
    """``("run_line_magic", ["pip", "install x"])`` for ``get_ipython().run_line_magic('pip', 'install x')``."""
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return None
    owner = node.func.value
    if not (isinstance(owner, cst.Call) and isinstance(owner.func, cst.Name) and owner.func.value == "get_ipython"):
        return None
    args = []
    for arg in node.args:
        if isinstance(arg.value, cst.SimpleString):
            args.append(arg.value.evaluated_value)
        else:
            args.append("")
    return node.func.attr.value, args


def pip_requirements(command: str) -> list[str]:
    """Distribution specifiers named by a ``pip install`` command line (options skipped)."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    if words[:1] in (["python"], ["python3"]) and words[1:3] == ["-m", "pip"]:
        words = words[2:]
    if words[:2] != ["pip", "install"] and words[:2] != ["pip3", "install"]:
        return []
    out, skip = [], False
    for word in words[2:]:
        if skip:
            skip = False
            continue
        if word in ("-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-e"):
            skip = True
            continue
        if word.startswith("-"):
            continue
        out.append(word)
    return out


class MagicsPass(CellPass):
    """Remove IPython magics and shell escapes, collecting ``pip install`` requirements."""

    def __init__(self, context) -> None:
        super().__init__(context)
        self.depth = 0

    @classmethod
    def needed(cls, source: str) -> bool:
        """Only a module that calls ``get_ipython()`` (what IPython's transformers make of magics) has
        anything for this pass."""
        return "get_ipython" in source

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.depth += 1

    def leave_IndentedBlock(self, original_node, updated_node):
        self.depth -= 1
        return updated_node

    def _handle(self, node: cst.CSTNode, value: cst.BaseExpression, bound: bool) -> bool | str:
        """Report an IPython call: True to drop the statement, a comment to keep it, False if not IPython."""
        found = ipython_call(value)
        if found is None:
            return False
        kind, args = found
        if kind == "run_line_magic" and args:
            name, line = args[0], (args[1] if len(args) > 1 else "")
            command = f"%{name} {line}".strip()
            if name == "pip":
                self._install(node, "pip " + line, command)
            elif name in ("run", "load") or bound:
                return self._keep(node, f"`{command}` needs the notebook session")
            else:
                self.report(node, "MG102", "dropped", f"`{command}` configures the notebook session; dropped")
        elif kind in ("system", "getoutput") and args:
            command = args[0]
            if bound:
                return self._keep(node, f"shell output of `!{command}` is used")
            elif pip_requirements(command):
                self._install(node, command, f"!{command}")
            else:
                self.report(node, "MG102", "dropped", f"shell command `!{command}` dropped")
        else:
            return self._keep(node, f"IPython call get_ipython().{kind}()")
        return True

    def _keep(self, node: cst.CSTNode, what: str) -> str:
        self.report(node, "MG103", "not-converted", f"{what}; not converted")
        return f"# nb2prod: MG103 not converted: {what}"

    def _install(self, node: cst.CSTNode, command: str, shown: str) -> None:
        from nb2prod.convert.gate import requirement_problem

        names = []
        for name in pip_requirements(command):
            problem = requirement_problem(name)
            if problem is None:
                names.append(name)
            else:
                self.report(node, "MG104", "info", f"pip install argument {name!r} left out of the dependencies: {problem}")
        self.state.requirements.extend(n for n in names if n not in self.state.requirements)
        if names:
            self.report(node, "MG101", "dropped", f"`{shown}`: {', '.join(names)} added to the package dependencies if the pipeline imports them")
        else:
            self.report(node, "MG101", "dropped", f"`{shown}` dropped; no valid requirement to add")

    def leave_SimpleStatementLine(self, original_node, updated_node):
        keep, comments = [], []
        for statement, updated in zip(original_node.body, updated_node.body):
            handled: bool | str = False
            if isinstance(statement, cst.Expr):
                handled = self._handle(original_node, statement.value, bound=False)
            elif isinstance(statement, cst.Assign):
                handled = self._handle(original_node, statement.value, bound=True)
            if isinstance(handled, str):
                comments.append(cst.EmptyLine(comment=cst.Comment(handled)))
                keep.append(updated)
            elif not handled:
                keep.append(updated)
        if comments:
            updated_node = updated_node.with_changes(leading_lines=[*updated_node.leading_lines, *comments])
        if len(keep) == len(original_node.body):
            return updated_node
        if keep:
            return updated_node.with_changes(body=keep)
        if self.depth:
            return updated_node.with_changes(body=[cst.Pass()])
        return cst.RemoveFromParent()
