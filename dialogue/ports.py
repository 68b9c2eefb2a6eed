"""What the host hands the core: a clock and a source of randomness (more ports join as flows need them)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Ports:
    """The outside world as the core sees it; tests pass a seeded rng and a fixed clock."""

    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], datetime] = _utc_now
