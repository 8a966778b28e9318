"""Small-cell suppression for tables of counts, so no resident can be picked out of a breakdown.

Primary: a count from 1 to ``threshold - 1`` is hidden (shown as "fewer than 5"). Zero is shown: it
describes nobody.

Secondary: a hidden count must not be recoverable by subtraction. Each table says which groups of its
cells add up to a total the reader can see (a row's total, a column's total on the results page); in any
such group with exactly one hidden cell, the smallest other non-zero cell is hidden too, and this is
repeated until nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

SMALL_CELL_THRESHOLD = 5

Cell = tuple[int, int]  # (row, column)


def suppressed_cells(
    counts: Sequence[Sequence[int]], lines: Iterable[Sequence[Cell]], threshold: int = SMALL_CELL_THRESHOLD
) -> set[Cell]:
    """The cells to hide in ``counts``, given the ``lines`` (groups of cells with a known total)."""
    hidden = {(row, column) for row, values in enumerate(counts) for column, value in enumerate(values) if 0 < value < threshold}
    lines = [list(line) for line in lines]
    changed = True
    while changed:
        changed = False
        for line in lines:
            in_line = [cell for cell in line if cell in hidden]
            if len(in_line) != 1:
                continue
            others = [cell for cell in line if cell not in hidden and counts[cell[0]][cell[1]] > 0]
            if others:
                hidden.add(min(others, key=lambda cell: (counts[cell[0]][cell[1]], cell)))
                changed = True
    return hidden


def table_lines(rows: int, columns: int, row_groups: Iterable[Sequence[int]] = ()) -> list[list[Cell]]:
    """Every whole row and every whole column, plus each row's ``row_groups`` (column subsets with a total)."""
    lines = [[(row, column) for column in range(columns)] for row in range(rows)]
    lines += [[(row, column) for row in range(rows)] for column in range(columns)]
    for group in row_groups:
        lines += [[(row, column) for column in group] for row in range(rows)]
    return lines
