"""Understanding people as they speak, for every host without Alexa's NLU.

One grammar per language (`interaction_models/grammar/`, hassil templates) is the only
place a phrasing lives: `deploy/models.py` generates the Alexa models from it, and
`Recognizer` (skill.nlu.recognizer) hears typed or recognised text with it, in context.
`skill.nlu.values` turns spoken durations, times and days into Alexa's formats.
"""

from skill.nlu.recognizer import FALLBACK, Recognizer, Understood, recognizer_for

__all__ = ["FALLBACK", "Recognizer", "Understood", "recognizer_for"]
