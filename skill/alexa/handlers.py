"""ask-sdk-core handlers: each translates its request kind and hands it to the conversation."""

from __future__ import annotations

import logging
import random

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import get_intent_name, is_request_type
from ask_sdk_model import Response

from dialogue import Reply, intents
from dialogue.content import load_content
from dialogue.speech import Speech
from skill.alexa.services import AlexaEffects, TimeoutApiClient
from skill.alexa.translate import event_from, household_of, permission_event, response_from
from skill.conversation import Conversation

log = logging.getLogger(__name__)


class _ConversationHandler(AbstractRequestHandler):
    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def run(self, handler_input: HandlerInput, intent: str) -> Response:
        event = event_from(handler_input, intent)
        reply = self.conversation.turn(household_of(handler_input), event, AlexaEffects(handler_input))
        return response_from(handler_input, reply)


class LaunchHandler(_ConversationHandler):
    """ "Alexa, open heart to heart"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.run(handler_input, intents.LAUNCH)


class IntentHandler(_ConversationHandler):
    """Every intent: the dialogue's rule tables decide what it means."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("IntentRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.run(handler_input, str(get_intent_name(handler_input)))


class SessionEndedHandler(_ConversationHandler):
    """The session closed (timeout, "stop", an error): record it, say nothing."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("SessionEndedRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.run(handler_input, intents.SESSION_ENDED)


class SkillDisabledHandler(AbstractRequestHandler):
    """The household disabled the skill: everything stored for it is deleted."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        deleted = self.conversation.store.delete_household(household_of(handler_input))
        log.info("skill disabled: household data %s", "deleted" if deleted else "was already absent")
        return handler_input.response_builder.response


class PermissionAnswerHandler(_ConversationHandler):
    """Connections.Response to our AskFor: the user granted a permission by voice, or did not."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return bool(is_request_type("Connections.Response")(handler_input)) and (
            getattr(request, "name", None) == "AskFor"
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        event = permission_event(handler_input, intents.PERMISSION_ANSWER)
        reply = self.conversation.turn(household_of(handler_input), event, AlexaEffects(handler_input))
        return response_from(handler_input, reply)


class SystemExceptionHandler(AbstractRequestHandler):
    """Alexa reports an error in our last response: nothing to say back."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("System.ExceptionEncountered")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        log.warning("Alexa reported an error in a response of ours")
        return handler_input.response_builder.response


class UnhandledRequestHandler(AbstractRequestHandler):
    """Any other request type (skill events, display, messaging, …): an empty response, no speech.

    Registered last: ask-sdk picks the first handler that can handle a request.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        kind = getattr(handler_input.request_envelope.request, "object_type", None)
        log.info("alexa request type not handled: %s", kind)
        return handler_input.response_builder.response


class ApologyHandler(AbstractExceptionHandler):
    """Any fault inside a turn: apologise out loud, log the fault without user text."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("turn failed: %s", type(exception).__name__, exc_info=exception)
        content = load_content()
        apology: Speech = content.speak("error.apology", random.Random())
        reprompt: Speech = content.speak("reprompt", random.Random())
        return response_from(handler_input, Reply(apology, reprompt=reprompt))


def build_skill(conversation: Conversation) -> CustomSkill:
    """The ask-sdk-core skill, with the API client the timer and reminder services need."""
    builder = CustomSkillBuilder(api_client=TimeoutApiClient())
    for handler in (
        LaunchHandler(conversation),
        IntentHandler(conversation),
        SessionEndedHandler(conversation),
        PermissionAnswerHandler(conversation),
        SkillDisabledHandler(conversation),
        SystemExceptionHandler(),
        UnhandledRequestHandler(),
    ):
        builder.add_request_handler(handler)
    builder.add_exception_handler(ApologyHandler())
    return builder.create()
