"""``nb2prod check``: fail CI on unconverted cells and on drift between a notebook and its package.

``nb2prod convert`` writes a manifest (:mod:`nb2prod.manifest`) into the package;
``check`` reads it back and compares it with the notebook as it is now and with the
package's files as they are now. Each problem is a :class:`~nb2prod.check.engine.Problem`
with a stable ``CKnnn`` code (:mod:`nb2prod.check.codes`).
"""
