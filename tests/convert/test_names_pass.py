"""The names pass's textual pre-check (NamesPass.needed)."""

from __future__ import annotations

from nb2prod.convert.passes.names_pass import NamesPass


def test_names_pass_is_skipped_for_attributes_of_its_names() -> None:
    """``np.log`` or ``x.config = 1`` bind none of the pipeline's names: the names pass (and its scope
    analysis) is not needed for them; a binding of one still is."""
    assert not NamesPass.needed("df.apply(np.log)\nx.config = 1\n")
    assert NamesPass.needed("a, log = f()\n")
