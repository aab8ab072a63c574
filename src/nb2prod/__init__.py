"""nb2prod: turn a Jupyter notebook into a production PySpark pipeline package.

Sub-commands live in their own modules and are imported only when run, so
``nb2prod lint`` (a pre-commit hook) starts fast and never needs PySpark.
"""

__version__ = "0.1.0"
