"""Compare datasets the notebook (pandas) and the pipeline (Spark) wrote.

Equality here: the same column names in the same order, the same multiset of
rows (order ignored), floats equal within a relative tolerance of 1e-9, and
null and NaN treated alike (both are read back as NaN).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

RTOL = 1e-9


def read_dataset(path: Path) -> pd.DataFrame:
    """A CSV file written by pandas, or a directory of CSV part files written by Spark."""
    if path.is_dir():
        parts = sorted(p for p in path.iterdir() if p.name.startswith("part-") and p.stat().st_size > 0)
        frames = [pd.read_csv(p) for p in parts]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return pd.read_csv(path)


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    keys = [df[c].round(6) if pd.api.types.is_float_dtype(df[c]) else df[c].astype(str) for c in df.columns]
    order = pd.DataFrame({str(i): k for i, k in enumerate(keys)}).sort_values(list(map(str, range(len(keys))))).index
    return df.loc[order].reset_index(drop=True)


def assert_same_dataset(expected: pd.DataFrame, actual: pd.DataFrame, name: str) -> None:
    assert list(actual.columns) == list(expected.columns), f"{name}: columns differ"
    assert len(actual) == len(expected), f"{name}: {len(actual)} rows, expected {len(expected)}"
    pd.testing.assert_frame_equal(
        _canonical(actual), _canonical(expected), check_dtype=False, rtol=RTOL, obj=name
    )
