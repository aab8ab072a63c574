"""Window specifications shared by the window-form rules (PS139, PS146, PS147)."""

from __future__ import annotations

from nb2prod.convert.rules._base import NotConvertible, py_str, str_list


def order_by(order: tuple[tuple[str, bool], ...]) -> str:
    """``F.asc_nulls_last("a"), F.desc_nulls_last("b")`` for (column, ascending) pairs."""
    return ", ".join(f"F.{'asc' if up else 'desc'}_nulls_last({py_str(c)})" for c, up in order)


def window(order: tuple[tuple[str, bool], ...], keys: tuple[str, ...] = ()) -> str:
    """``Window.partitionBy(keys).orderBy(order)``; raise NotConvertible without an order.

    pandas' cumulative and shifting operations follow row order; Spark rows have
    none until sorted, so the notebook must have sorted the DataFrame
    (``sort_values``) for these to be converted.
    """
    if not order:
        raise NotConvertible("needs a row order: sort the DataFrame with sort_values first")
    spec = f"Window.partitionBy({str_list(list(keys))})" if keys else "Window"
    return f"{spec}.orderBy({order_by(order)})"
