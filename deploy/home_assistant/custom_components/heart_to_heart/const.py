"""Names the Heart to Heart integration shares between its modules."""

from __future__ import annotations

DOMAIN = "heart_to_heart"
# How long a turn may take on the Heart to Heart server before the speaker apologises.
TIMEOUT_SECONDS = 10
# The languages the server's grammar understands (Home Assistant says "en" or "en-GB").
LANGUAGES = ["en", "en-US", "en-GB", "en-CA", "en-AU", "en-IN"]
# A timer whose end was missed while Home Assistant was down is still announced this late.
LATE_ANNOUNCE_SECONDS = 15 * 60
