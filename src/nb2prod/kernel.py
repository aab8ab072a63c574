"""Which language a notebook's kernel runs (shared by the loaders; imports nothing, for the lint hook's start-up)."""


def kernel_language(nb: dict) -> str:
    """The kernel language of a notebook document, lower case: from ``kernelspec.language``,
    ``language_info.name``, or a ``python*`` kernel name; ``"python"`` when nothing says.
    Fields of the wrong type (a string where an object belongs) count as saying nothing."""
    meta = nb.get("metadata") if isinstance(nb, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    kernelspec = meta.get("kernelspec")
    kernelspec = kernelspec if isinstance(kernelspec, dict) else {}
    info = meta.get("language_info")
    info = info if isinstance(info, dict) else {}
    language = kernelspec.get("language") or info.get("name")
    if not language:
        name = str(kernelspec.get("name") or "")
        language = "python" if not name or name.startswith("python") else name
    return str(language).lower()
