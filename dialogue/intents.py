"""The names of everything a person can say, shared by the rules and the interaction models.

Names starting with "@" are request kinds rather than intents: they never appear in an
interaction model.
"""

LAUNCH = "@Launch"
SESSION_ENDED = "@SessionEnded"
# Not a request: a rule for this name takes any intent (its guard says which); see Rule.
ANY = "@Any"

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


# the weekly check-in
START_CHECKIN = "StartCheckInIntent"
NAME = "NameIntent"
JUST_ME = "JustMeIntent"
CHANGE_NAMES = "ChangeNamesIntent"
ANSWER = "AnswerIntent"
REDO_ANSWER = "RedoAnswerIntent"
CHECKIN_PROGRESS = "CheckInProgressIntent"  # "how many more of these are there"
PAUSE_CHECKIN = "PauseCheckInIntent"
CHECKIN_PLAYBACK = "CheckInPlaybackIntent"
LAST_CHECKIN = "LastCheckInIntent"
DELETE_CHECKINS = "DeleteCheckInsIntent"
DELETE_CHECKIN = "DeleteCheckInIntent"  # one check-in: "delete last week's check-in"
DELETE_ANSWER = "DeleteAnswerIntent"  # one answer: "delete my answer about what's lacking"
KEEP_CHECKINS = "KeepCheckInsIntent"  # retention: "only keep our check-ins for three months"
READ_BACK_VOICES = "ReadBackVoicesIntent"  # "only read our answers to our own voices" / "to anyone"

# timed exercises: the hug, the bedtime cuddle, the tech-free evening
HUG = "HugIntent"
CUDDLE = "CuddleIntent"
START_EVENING = "StartEveningIntent"
EVENING_TIME_LEFT = "EveningTimeLeftIntent"
END_EVENING = "EndEveningIntent"
# what the host reports back about effects (see dialogue.effects)
EFFECT_DONE = "@EffectDone"
EFFECT_FAILED = "@EffectFailed"
PERMISSION_ANSWER = "@PermissionAnswer"
# a reminder the host keeps itself came due (a local assistant's weekly check-in): {purpose}
REMINDER_DUE = "@ReminderDue"
# the weekly check-in's reminder
SCHEDULE_CHECKIN = "ScheduleCheckInIntent"
STOP_CHECKIN_REMINDERS = "StopCheckInRemindersIntent"

# when it matters: danger words (said anywhere, screened by dialogue.safety) and outside help
SAFETY = "SafetyIntent"
HELPLINE = "HelplineIntent"  # "give me the domestic abuse helpline number": the numbers, no disclosure
SEEK_SUPPORT = "SeekSupportIntent"

# listen to understand: one talks, the other listens and says back, then they swap
LISTEN = "ListenIntent"

# the appreciation round: each thanks the other, says what it meant and what it shows
APPRECIATION = "AppreciationIntent"
KEEP_IT = "KeepItIntent"  # "keep it": keep what was just said
DISCARD_IT = "DiscardItIntent"  # "don't keep it": delete what was just said
APPRECIATION_READ_BACK = "AppreciationReadBackIntent"  # "what did we appreciate"

# "how was your day": one question each, kept in the journal, read back on request
DAILY = "DailyIntent"
DAILY_READ_BACK = "DailyReadBackIntent"  # "what did Sam say yesterday"

# the six kinds of intimacy, and a quiz on which the household leans to
INTIMACY_KIND = "IntimacyKindIntent"  # "what is spiritual intimacy"
INTIMACY_KINDS = "IntimacyKindsIntent"  # "what kinds of intimacy are there"
INTIMACY_QUIZ = "IntimacyQuizIntent"  # "which kind of intimacy do we lean towards"

# connection rituals
RITUAL = "RitualIntent"  # "give us an idea for a ritual"
RITUAL_REMINDER = "RitualReminderIntent"  # "remind us every Friday at seven", after an idea
STOP_RITUAL_REMINDERS = "StopRitualRemindersIntent"

# the life balance wheel
WHEEL = "WheelIntent"  # "let's do the life balance wheel"
RATING = "RatingIntent"  # "seven", "about a six", while an area is rated
WHEEL_READ_BACK = "WheelReadBackIntent"  # "how did our wheel look last time"

# going deeper: three sets of questions of rising depth
DEEPER = "DeeperIntent"  # "let's go deeper"

# photo show-and-tell
PHOTOS = "PhotoIntent"  # "let's do photo show and tell [for three minutes each]"

# "delete everything we said": every kind the journal keeps (check-ins, appreciations, days)
DELETE_EVERYTHING = "DeleteEverythingIntent"
