"""The names of everything a person can say, shared by the rules and the interaction models.

Names starting with "@" are request kinds rather than intents: they never appear in an
interaction model.
"""

LAUNCH = "@Launch"
SESSION_ENDED = "@SessionEnded"

ASK_QUESTION = "AskQuestionIntent"
LIST_CATEGORIES = "ListCategoriesIntent"
REMEMBER_WHEN = "RememberWhenIntent"
NEXT_PERSON = "NextPersonIntent"

HELP = "AMAZON.HelpIntent"
STOP = "AMAZON.StopIntent"
CANCEL = "AMAZON.CancelIntent"
FALLBACK = "AMAZON.FallbackIntent"
HOME = "AMAZON.NavigateHomeIntent"
REPEAT = "AMAZON.RepeatIntent"
NEXT = "AMAZON.NextIntent"
PREVIOUS = "AMAZON.PreviousIntent"
START_OVER = "AMAZON.StartOverIntent"
YES = "AMAZON.YesIntent"
NO = "AMAZON.NoIntent"


def is_request_kind(name: str) -> bool:
    """True for pseudo-intents that stand for a request kind (launch, session end, …)."""
    return name.startswith("@")
