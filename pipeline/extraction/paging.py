"""What a connector's record stream may carry besides records, and the guard on its paging.

A connector yields vendor records one by one. Two things that are not records travel in the
same stream, so that landing (which decides where everything goes) sees them in order and
nothing is lost between the connector and the warehouse:
- `LostPage`: a page the vendor kept answering with a body we cannot read (truncated JSON, an
  HTML error page, a list where an object belongs). Its records are unknown, so it becomes one
  page-level dead letter naming the request, and the extract is marked partial.
- `Unavailable`: an optional endpoint this account does not have (404/403). A warning, not a
  failure: the rest of the day still lands and posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A ceiling no honest listing reaches (100 000 pages of 100 records and more), yet one that
# stops a vendor that never says "no more" before it runs for hours.
DEFAULT_MAX_PAGES = 100_000


class PagingError(RuntimeError):
    """Paging cannot go on safely: a page token came back again, or the ceiling was reached."""


@dataclass(frozen=True)
class LostPage:
    """A page lost after retries: `request` names it (method, URL with port, page or cursor)."""

    request: dict[str, Any]
    reason: str


@dataclass(frozen=True)
class Unavailable:
    """An optional endpoint the account does not have; `reason` is the vendor's one-line no."""

    reason: str


@dataclass
class PageGuard:
    """Counts the pages of one listing and refuses any page token seen before.

    Every token is remembered (not just the previous one): a vendor cycling A -> B -> A would
    otherwise page forever while each step looks new.
    """

    endpoint: str
    max_pages: int = DEFAULT_MAX_PAGES
    pages: int = 0
    _tokens: set[str] = field(default_factory=set)

    def next(self, token: object) -> None:
        """Call before fetching the page `token` names (None for the first page)."""
        if token is not None:
            key = str(token)
            if key in self._tokens:
                raise PagingError(
                    f"{self.endpoint}: page token {key[:60]!r} came back again after "
                    f"{self.pages} pages; stopping"
                )
            self._tokens.add(key)
        if self.pages >= self.max_pages:
            raise PagingError(
                f"{self.endpoint}: still more after {self.max_pages} pages (the page ceiling); "
                "stopping"
            )
        self.pages += 1
