"""Today in Amsterdam for fixtures that post and then read back "today's" numbers."""

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")


def settled_today(margin: timedelta = timedelta(minutes=3)) -> date:
    """Today in Amsterdam, first waiting out midnight if it is less than `margin` away.

    A fixture that takes less than `margin` then posts and counts within one local day: the
    report and the digests count what the hub held by the end of the day.
    """
    now = datetime.now(AMS)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), AMS)
    if midnight - now < margin:
        time.sleep((midnight - now).total_seconds() + 1)
    return datetime.now(AMS).date()
