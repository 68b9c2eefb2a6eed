"""The weekly check-in, as four flows that each do one thing.

- `names`: who is checking in (one to six first names, learnt by voice and confirmed);
- `walk`: the walkthrough of five topics, asked of everyone by name, answers to the journal;
- `readback`: what was said, read back (asking first), deleted, or kept for a while only;
- `reminder`: the weekly reminder to check in.

`common` holds what they share: the topics, the journal port, and how lists of names and
dates are said. A check-in's progress is one `dialogue.state.CheckInProgress`.
"""

from dialogue.flows.checkin import names, readback, reminder, walk

FLOWS = (names.FLOW, walk.FLOW, readback.FLOW, reminder.FLOW)
