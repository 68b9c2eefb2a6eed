"""The one refusal every adapter raises for a request it will not take."""

from __future__ import annotations


class BadRequest(ValueError):
    """A request refused with HTTP `status` (400, or 413 when too large); `reason` is safe to
    return to the client and to log: it never holds what a user said."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
