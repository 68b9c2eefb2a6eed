"""Effects: things the core asks the host to do in the world, and how their outcome comes back.

A flow puts effects in `Reply.effects`; the host carries them out right after the core has
answered, inside the same turn (the household's row is still locked), and feeds each
outcome back into the core as a pseudo-intent event:

| the host saw                      | event it sends back (data)                            |
|-----------------------------------|-------------------------------------------------------|
| the effect worked                 | `@EffectDone` {purpose, effect, id}                   |
| permission missing (HTTP 401/403) | `@EffectFailed` {purpose, effect, reason, scope}      |
|                                   | with reason "permission"                              |
| throttled (429)                   | `@EffectFailed` … reason "throttled"                  |
| Amazon down (5xx), bad answer     | `@EffectFailed` … reason "unavailable"                |
| device offline (504 on timers)    | `@EffectFailed` … reason "offline"                    |
| no answer in time / no connection | `@EffectFailed` … reason "timeout"                    |
| refused as invalid (400)          | `@EffectFailed` … reason "invalid"                    |
| the user answered a permission    | `@PermissionAnswer` {status, scope}, status ACCEPTED, |
| prompt                            | DENIED or NOT_ANSWERED                                |

If the outcome's reply has speech, it replaces the first reply (the timer did not start,
so "your evening has started" must not be said); a silent outcome (`@EffectDone`) keeps
the first reply. The generic handling of these events (remember the id, ask for
permission by voice, apologise honestly) is in `dialogue.flows.alerts`.

`purpose` names what the effect is for ("evening", "cuddle", "hug", "checkin", …): it is the
key under which `Household.alerts` keeps what is running, and under which
`Household.pending` keeps a request waiting for permission. A flow that emits an effect
which may need permission first calls `alerts.remember_request(turn, offer, purpose, scope,
**params)`: when the user grants permission, the engine runs the flow's offer `offer`
again (it reads its parameters back from `turn.household.pending["params"]`).

A weekly reminder ("remind us every Sunday at eight"), for example:

    ScheduleReminder(
        at=datetime(2026, 11, 29, 20, 0),   # first time, wall clock in `time_zone`
        text="It's time for your weekly check-in.",
        purpose="checkin",
        time_zone="Europe/Berlin",
        recurrence=Recurrence(freq="WEEKLY", days=("SU",)),
    )
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dialogue.model import Effect

TIMERS_SCOPE = "alexa::alerts:timers:skill:readwrite"
REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
# The longest timer we ask Amazon's Timers API for; anything longer becomes a reminder.
MAX_TIMER = timedelta(hours=24)

# reasons an effect can fail, as `@EffectFailed` data["reason"]
PERMISSION = "permission"
THROTTLED = "throttled"
UNAVAILABLE = "unavailable"
OFFLINE = "offline"
TIMEOUT = "timeout"
INVALID = "invalid"
REASONS = (PERMISSION, THROTTLED, UNAVAILABLE, OFFLINE, TIMEOUT, INVALID)

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # RFC 5545 day codes, Monday first


@dataclass(frozen=True)
class StartTimer(Effect):
    """Start a device timer that announces `announce` (plain text) when it ends."""

    duration: timedelta
    label: str
    announce: str
    purpose: str

    @property
    def scope(self) -> str:
        """The permission this effect needs."""
        return TIMERS_SCOPE


@dataclass(frozen=True)
class CancelTimer(Effect):
    """Cancel a timer this skill started; without its id (its start's outcome never reached
    the state), the skill's timers named `label` (the Timers API lists them)."""

    timer_id: str
    purpose: str
    label: str = ""

    @property
    def scope(self) -> str:
        """The permission this effect needs."""
        return TIMERS_SCOPE


@dataclass(frozen=True)
class Recurrence:
    """How a reminder repeats: `freq` "WEEKLY" on `days` (RFC 5545 codes) or "DAILY"."""

    freq: str = "WEEKLY"
    days: tuple[str, ...] = ()
    interval: int = 1

    def __post_init__(self) -> None:
        if self.freq not in ("WEEKLY", "DAILY"):
            raise ValueError(f"unsupported recurrence {self.freq}")
        if any(day not in WEEKDAYS for day in self.days):
            raise ValueError(f"days must be among {WEEKDAYS}")


@dataclass(frozen=True)
class ScheduleReminder(Effect):
    """A reminder that speaks `text` at `at` (wall clock in `time_zone`), once or recurring.

    `at` is naive local time; with a recurrence it is the first occurrence, and its hour
    and minute are the time of every later one.
    """

    at: datetime
    text: str
    purpose: str
    time_zone: str | None = None
    recurrence: Recurrence | None = None

    @property
    def scope(self) -> str:
        """The permission this effect needs."""
        return REMINDERS_SCOPE


@dataclass(frozen=True)
class CancelReminder(Effect):
    """Delete a reminder this skill created."""

    reminder_id: str
    purpose: str

    @property
    def scope(self) -> str:
        """The permission this effect needs."""
        return REMINDERS_SCOPE


@dataclass(frozen=True)
class AskPermission(Effect):
    """Ask the user by voice to grant `scope` (Alexa: Connections.SendRequest AskFor).

    The reply that carries it hands the conversation to the platform: the answer comes
    back as a `@PermissionAnswer` event.
    """

    scope: str
    token: str


@dataclass(frozen=True)
class ConsentCard(Effect):
    """Show the platform's card that lets the user grant `scope` in the companion app."""

    scope: str
