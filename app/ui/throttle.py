"""Slowing down password guessing on the admin login, per client address.

The first `free` failures cost nothing (typos happen); after that each failure makes the
client wait twice as long before its next attempt is even checked (1 s, 2 s, 4 s … up to
`max_delay_s`), and `lockout_after` failures lock it out for `lockout_s`. An attempt made
while waiting is refused without looking at the password, so guessing speed is bounded by
the delays. A success clears the client's record. Every failure and refusal is logged.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class _Record:
    failures: int = 0
    not_before: float = 0.0  # no attempt is checked before this time
    last: float = 0.0


class LoginThrottle:
    """Per-client failure counts, growing delays and a temporary lockout."""

    def __init__(self, *, free: int = 3, max_delay_s: float = 60.0, lockout_after: int = 10,
                 lockout_s: float = 900.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.max_delay_s = free, max_delay_s
        self.lockout_after, self.lockout_s = lockout_after, lockout_s
        self._clock = clock
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def wait_s(self, client: str) -> float:
        """Seconds the client must still wait before an attempt is checked (0 when it may try)."""
        with self._lock:
            rec = self._records.get(client)
            return 0.0 if rec is None else max(0.0, rec.not_before - self._clock())

    def failed(self, client: str) -> float:
        """Record a wrong password; returns the wait imposed before the next attempt."""
        now = self._clock()
        with self._lock:
            self._prune(now)
            rec = self._records.setdefault(client, _Record())
            rec.failures += 1
            rec.last = now
            if rec.failures >= self.lockout_after:
                delay = self.lockout_s
            elif rec.failures > self.free:
                delay = min(self.max_delay_s, 2.0 ** (rec.failures - self.free - 1))
            else:
                delay = 0.0
            rec.not_before = now + delay
            failures = rec.failures
        log.warning("admin login failed from %s (%d failures; next attempt in %.0f s)", client, failures, delay)
        return delay

    def refused(self, client: str, wait: float) -> None:
        """Log an attempt refused because the client is still waiting."""
        log.warning("admin login attempt from %s refused: throttled for %.0f s more", client, wait)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._records.pop(client, None)
        log.info("admin login from %s", client)

    def _prune(self, now: float) -> None:
        """Forget clients idle for longer than a lockout, so the map stays small."""
        stale = [k for k, r in self._records.items() if now - r.last > self.lockout_s and r.not_before < now]
        for key in stale:
            del self._records[key]


def wait_message(seconds: float) -> str:
    """The Chinese message for a client that must wait."""
    s = math.ceil(seconds)
    when = f"{s} 秒" if s < 120 else f"{math.ceil(s / 60)} 分钟"
    return f"尝试次数过多，请 {when}后再试。"
