"""Errors nb2prod reports to users as one line, never as a traceback."""

from __future__ import annotations

# pathlib for annotations only: the lint hook imports it itself, without urllib (see nb2prod.lint.fast)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def display_path(path: object) -> str:
    """A path as text that can always be printed: bytes of a name that are not UTF-8 shown as ``\\xNN``."""
    import os

    text = os.fsencode(path).decode("utf-8", "backslashreplace") if not isinstance(path, str) or not path.isascii() else path  # type: ignore[arg-type]
    if not text.isprintable():  # a newline or a control character in a file name: the message stays one line
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text


class Nb2ProdError(Exception):
    """A problem with the user's input that ends the command.

    Args:
        path: the file the problem is in.
        message: one line saying what is wrong (no trailing period needed).
        cell: 1-based cell number (see :mod:`nb2prod.notebook`), if the problem is in one cell.

    ``str(error)`` is the line shown to the user: ``path:cell N: message``.
    """

    exit_code = 2

    def __init__(self, path: str | Path, message: str, cell: int | None = None) -> None:
        self.path = display_path(path)
        self.message = " ".join(str(message).split())
        self.cell = cell
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.cell is None else f"{self.path}:cell {self.cell}"
        return f"{where}: {self.message}"


class NotebookError(Nb2ProdError):
    """The file is not a readable Python Jupyter notebook."""


class ConversionError(Nb2ProdError):
    """nb2prod itself failed on this notebook (a bug to report); the message names the notebook."""


class OutputError(Nb2ProdError):
    """The output location cannot be written as asked (exists, not empty, not writable)."""


class SecretLeakError(Nb2ProdError):
    """A generated file would still hold a secret found in the notebook; nothing is written.

    The message names the file and the cell, never the value.
    """


class PackageError(Nb2ProdError):
    """The generated package would not work (a file that does not compile or parse); nothing is written."""
