"""Effects on Alexa: timers, reminders and the time zone through ask-sdk-core's service clients.

`AlexaEffects` is the `EffectHost` a turn gets (see skill.conversation): it carries out the
core's effects (dialogue.effects) with ask-sdk-core's service clients (built from the
request's `apiEndpoint` and `apiAccessToken`) and turns each outcome into an event for the
core, so every spoken answer comes from the dialogue:

| Amazon answered                       | event for the core                                         |
|---------------------------------------|------------------------------------------------------------|
| 2xx                                   | `@EffectDone` {purpose, effect, id}                         |
| 401 / 403                             | `@EffectFailed` {reason "permission", scope}                |
| 404 to a cancel (already gone)        | `@EffectDone`                                               |
| 429                                   | `@EffectFailed` {reason "throttled"}                        |
| 504 (timers: device offline)          | `@EffectFailed` {reason "offline"}                          |
| 400                                   | `@EffectFailed` {reason "invalid"}                          |
| other 5xx, unreadable answers         | `@EffectFailed` {reason "unavailable"}                      |
| no answer within the timeout          | `@EffectFailed` {reason "timeout"}                          |

`AskPermission` and `ConsentCard` are not API calls: `skill.alexa.translate` turns them into
a `Connections.SendRequest` directive and an `AskForPermissionsConsent` card. The device's
time zone (Alexa Settings API) is fetched only when the core asks for it, once per request;
any failure there is None, and the core then avoids clock times.

Every call runs with a short timeout (`TimeoutApiClient`), and never while a lock is held
(skill.conversation): Alexa waits only about eight seconds for the whole response.
ask-sdk-model's service clients and `requests` are imported with the first call, not at
start-up: most requests never call Amazon, and a Lambda cold start skips them
(bench/cold_start.py).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from dialogue import Effect, Event, intents
from dialogue import effects as fx

if TYPE_CHECKING:  # ask-sdk-model (3 MB, 35 ms of imports) loads with the first call to Amazon
    from ask_sdk_model.services import ApiClientRequest, ApiClientResponse, ServiceClientFactory

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 3.0


class TimeoutApiClient:
    """ask-sdk-core's `requests` client, with a timeout on every call to Amazon.

    An `ApiClient` for the service clients (they call only `invoke`); the client (and
    `requests`, about 50 ms of imports) is built on the first call.
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self._client: Any = None

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        """Send one request to Amazon through ask-sdk-core's `DefaultApiClient`, with the timeout."""
        client = self._client
        if client is None:  # two threads racing here build two equal clients: harmless
            client = self._client = _requests_client(self.timeout)
        response: ApiClientResponse = client.invoke(request)
        return response


def _requests_client(timeout: float) -> Any:
    """ask-sdk-core's `DefaultApiClient` passing `timeout` to every `requests` call."""
    from ask_sdk_core.api_client import DefaultApiClient  # imports requests

    class _Client(DefaultApiClient):
        def _resolve_method(self, request: Any) -> Callable[..., Any]:
            return functools.partial(super()._resolve_method(request), timeout=timeout)

    return _Client()


def iso_duration(length: timedelta) -> str:
    """ISO 8601 duration for the Timers API: "PT2H", "PT10M", "PT1H30M5S"."""
    seconds = max(1, round(length.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours}H" if hours else "", f"{minutes}M" if minutes else "", f"{seconds}S" if seconds else ""]
    return "PT" + "".join(parts)


def recurrence_rule(effect: fx.ScheduleReminder) -> str:
    """The RFC 5545 rule the Reminders API takes: "FREQ=WEEKLY;BYDAY=SU;BYHOUR=20;…"."""
    recurrence = effect.recurrence
    assert recurrence is not None
    parts = [f"FREQ={recurrence.freq}"]
    if recurrence.days:
        parts.append("BYDAY=" + ",".join(recurrence.days))
    parts += [f"BYHOUR={effect.at.hour}", f"BYMINUTE={effect.at.minute}", "BYSECOND=0"]
    parts.append(f"INTERVAL={recurrence.interval}")
    return ";".join(parts)


class AlexaEffects:
    """Carries out one request's effects against Amazon's APIs; see the module docstring.

    ask-sdk-core is the client: its service clients, built from the request's `apiEndpoint`
    and `apiAccessToken` (a request without them can carry out nothing).
    """

    def __init__(self, envelope: Mapping[str, Any], api_client: TimeoutApiClient) -> None:
        system = envelope["context"]["System"]
        self.locale = str(envelope["request"].get("locale") or "en-US")
        self.device_id = str((system.get("device") or {}).get("deviceId") or "")
        self._token, self._endpoint = system.get("apiAccessToken"), system.get("apiEndpoint")
        self._api_client = api_client
        self._time_zone: str | None = None
        self._asked_time_zone = False

    @functools.cached_property
    def factory(self) -> ServiceClientFactory | None:
        """ask-sdk-core's service clients for this request (None without a token and an endpoint)."""
        if not (self._token and self._endpoint):
            return None
        from ask_sdk_model.services import ApiConfiguration, ServiceClientFactory

        configuration = ApiConfiguration(
            serializer=_serializer(),
            api_client=self._api_client,  # type: ignore[arg-type]  # duck-typed: only invoke() is called
            authorization_value=self._token,
            api_endpoint=self._endpoint,
        )
        return ServiceClientFactory(configuration)

    def time_zone(self) -> str | None:
        """The device's time zone from the Alexa Settings API, or None when it cannot be had."""
        if not self._asked_time_zone:
            self._asked_time_zone = True
            self._time_zone = self._fetch_time_zone()
        return self._time_zone

    def _fetch_time_zone(self) -> str | None:
        if self.factory is None or not self.device_id:
            return None
        try:
            zone = self.factory.get_ups_service().get_system_time_zone(self.device_id)
        except Exception as error:  # any failure: the core falls back, nothing is said wrong
            log.warning("time zone unavailable: %s", _describe(error))
            return None
        return str(zone) if isinstance(zone, str) and zone else None

    def carry_out(self, effect: Effect) -> Event | None:
        """Do one effect; the outcome as an event for the core (None for directives)."""
        call = self._calls().get(type(effect))
        if call is None:
            return None  # AskPermission, ConsentCard: directives the response carries
        purpose = str(getattr(effect, "purpose", ""))
        done = {"purpose": purpose, "effect": type(effect).__name__}
        factory = self.factory
        if factory is None:  # no apiAccessToken in the request
            return self._failed(effect, done, fx.UNAVAILABLE)
        from ask_sdk_model.services import ServiceException

        try:
            created = call(factory, effect)
        except ServiceException as error:
            return self._after_error(effect, done, error)
        except Exception as error:  # an unreadable answer: never a crash
            log.warning("%s failed: %s", type(effect).__name__, _describe(error))
            return self._failed(effect, done, fx.UNAVAILABLE)
        return Event(intents.EFFECT_DONE, data={**done, "id": created or ""}, locale=self.locale)

    def _after_error(self, effect: Effect, done: dict[str, str], error: Any) -> Event:
        status = int(getattr(error, "status_code", 0) or 0)
        log.warning("%s failed: HTTP %s %s", type(effect).__name__, status, _describe(error))
        if status == 404 and isinstance(effect, fx.CancelTimer | fx.CancelReminder):
            return Event(intents.EFFECT_DONE, data={**done, "id": ""}, locale=self.locale)
        if status in (401, 403):
            reason = fx.PERMISSION
        elif status == 429:
            reason = fx.THROTTLED
        elif status == 504 and isinstance(effect, fx.StartTimer | fx.CancelTimer):
            reason = fx.OFFLINE
        elif status == 400:
            reason = fx.INVALID
        elif _timed_out(error):
            reason = fx.TIMEOUT
        else:
            reason = fx.UNAVAILABLE
        return self._failed(effect, done, reason)

    def _failed(self, effect: Effect, done: dict[str, str], reason: str) -> Event:
        data = {**done, "reason": reason, "scope": str(getattr(effect, "scope", ""))}
        return Event(intents.EFFECT_FAILED, data=data, locale=self.locale)

    def _calls(self) -> dict[type, Callable[[Any, Any], str | None]]:
        return {
            fx.StartTimer: self._start_timer,
            fx.CancelTimer: self._cancel_timer,
            fx.ScheduleReminder: self._schedule_reminder,
            fx.CancelReminder: self._cancel_reminder,
        }

    def _start_timer(self, factory: Any, effect: fx.StartTimer) -> str | None:
        from ask_sdk_model.services.timer_management import (
            AnnounceOperation,
            CreationBehavior,
            DisplayExperience,
            NotificationConfig,
            TextToAnnounce,
            TimerRequest,
            TriggeringBehavior,
            Visibility,
        )

        request = TimerRequest(
            duration=iso_duration(effect.duration),
            timer_label=effect.label,
            creation_behavior=CreationBehavior(display_experience=DisplayExperience(Visibility.VISIBLE)),
            triggering_behavior=TriggeringBehavior(
                operation=AnnounceOperation(
                    text_to_announce=[TextToAnnounce(locale=self.locale, text=effect.announce)]
                ),
                notification_config=NotificationConfig(play_audible=True),
            ),
        )
        response = factory.get_timer_management_service().create_timer(request)
        return str(getattr(response, "id", "") or "") or None

    def _cancel_timer(self, factory: Any, effect: fx.CancelTimer) -> str | None:
        timers = factory.get_timer_management_service()
        if effect.timer_id:
            timers.delete_timer(effect.timer_id)
            return None
        if not effect.label:
            return None  # nothing to tell our timer by
        listed = timers.get_timers()
        for timer in getattr(listed, "timers", None) or []:
            if getattr(timer, "timer_label", None) == effect.label and getattr(timer, "id", None):
                timers.delete_timer(timer.id)
        return None

    def _schedule_reminder(self, factory: Any, effect: fx.ScheduleReminder) -> str | None:
        from ask_sdk_model.services.reminder_management import (
            AlertInfo,
            PushNotification,
            PushNotificationStatus,
            Recurrence,
            ReminderRequest,
            SpokenInfo,
            SpokenText,
            Trigger,
            TriggerType,
        )

        recurrence = None
        if effect.recurrence is not None:
            recurrence = Recurrence(start_date_time=effect.at, recurrence_rules=[recurrence_rule(effect)])
        trigger = Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            scheduled_time=None if recurrence is not None else effect.at,
            time_zone_id=effect.time_zone,
            recurrence=recurrence,
        )
        request = ReminderRequest(
            trigger=trigger,
            alert_info=AlertInfo(SpokenInfo([SpokenText(locale=self.locale, text=effect.text)])),
            push_notification=PushNotification(PushNotificationStatus.ENABLED),
        )
        response = factory.get_reminder_management_service().create_reminder(request)
        return str(getattr(response, "alert_token", "") or "") or None

    def _cancel_reminder(self, factory: Any, effect: fx.CancelReminder) -> str | None:
        factory.get_reminder_management_service().delete_reminder(effect.reminder_id)
        return None


@functools.cache
def _serializer() -> Any:
    """ask-sdk-core's serializer, for the service clients' bodies (one per process)."""
    from ask_sdk_core.serialize import DefaultSerializer

    return DefaultSerializer()


def _timed_out(error: BaseException) -> bool:
    import requests  # already loaded when a call to Amazon failed

    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, requests.Timeout):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _describe(error: BaseException) -> str:
    # Amazon's error messages name no user data; keep them short for the log.
    return f"{type(error).__name__}: {str(error)[:200]}"
