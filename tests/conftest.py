"""Suite-wide ordering: the longest files start first.

`make test` runs the suite in several processes (pytest-xdist, one file per
process at a time). The few files that take minutes (a wheel installed into a
fresh virtualenv, every README block, the queueserver, the docs build) start
first, so that the hundreds of short ones fill the other processes meanwhile
instead of leaving one long file running alone at the end.
"""

from __future__ import annotations

import pytest

LONGEST_FIRST = (
    "tests/install/",
    "tests/docs/",
    "tests/serve/",
    "tests/site/",
)


def _rank(item: pytest.Item) -> int:
    path = item.nodeid
    for rank, prefix in enumerate(LONGEST_FIRST):
        if path.startswith(prefix):
            return rank
    return len(LONGEST_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the order within a rank is kept
