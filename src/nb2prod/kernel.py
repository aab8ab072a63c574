"""Which language a notebook's kernel runs (shared by the loaders; imports nothing, for the lint hook's start-up)."""


def kernel_language(nb: dict) -> str:
    """The kernel language of a notebook document, lower case: from ``kernelspec.language``,
    ``language_info.name``, or a ``python*`` kernel name; ``"python"`` when nothing says."""
    meta = nb.get("metadata") or {}
    kernelspec = meta.get("kernelspec") or {}
    language = kernelspec.get("language") or (meta.get("language_info") or {}).get("name")
    if not language:
        name = str(kernelspec.get("name") or "")
        language = "python" if not name or name.startswith("python") else name
    return str(language).lower()
