"""Pages of a long list for the HTML views: which slice to show and the links around it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from accord.ledger.store import NotFound

PER_PAGE = 50
Row = TypeVar("Row")


@dataclass(frozen=True, slots=True)
class Page:
    """Page `number` (from 1) of `total` rows, `size` rows a page."""

    number: int
    size: int
    total: int

    @property
    def count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 for an empty list)."""
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.offset + self.size)

    def rows(self, items: Sequence[Row]) -> list[Row]:
        return list(items[self.offset : self.offset + self.size])

    def context(self) -> dict[str, Any]:
        return {"number": self.number, "count": self.count, "total": self.total, "first": self.first,
                "last": self.last, "previous": self.number - 1 if self.number > 1 else None,
                "next": self.number + 1 if self.number < self.count else None}


def page_of(total: int, number: int | None, size: int | None = None) -> Page:
    """The page asked for (`size` rows a page, PER_PAGE unless given); a page past the end is refused in
    words (a link that no longer holds)."""
    n = number or 1
    page = Page(n, size or PER_PAGE, total)
    if n < 1 or n > page.count:
        raise NotFound(f"page {n} does not exist: there {'is' if page.count == 1 else 'are'} {page.count} "
                         f"page{'' if page.count == 1 else 's'}")
    return page
