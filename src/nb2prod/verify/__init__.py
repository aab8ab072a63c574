"""``nb2prod verify``: run a notebook (pandas) and its converted pipeline (Spark) and compare their outputs.

Nothing here is imported by the other commands; PySpark, pandas and nbclient are imported only
when verify runs (``pip install 'nb2prod[spark,notebook]'``).
"""
