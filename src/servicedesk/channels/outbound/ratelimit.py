"""Send-rate limits shared by every replica, in Redis: a slot per message overall (e.g. 30/s)
and per chat (e.g. one a second). Each call reserves the next free slots and says how long to
wait for them. Without Redis the limits are kept per process."""

from __future__ import annotations

import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# KEYS: overall, per chat; ARGV: now (ms), overall interval (ms), chat interval (ms)
_RESERVE = """
local now = tonumber(ARGV[1])
local function reserve(key, interval)
  local free = tonumber(redis.call('GET', key) or '0')
  if free < now then free = now end
  redis.call('SET', key, free + interval, 'PX', interval * 2 + 60000)
  return free
end
local chat = reserve(KEYS[2], tonumber(ARGV[3]))
local overall = reserve(KEYS[1], tonumber(ARGV[2]))
return math.max(chat, overall) - now
"""


class SendRate:
    def __init__(
        self, redis: Redis | None, name: str, per_second: float, chat_interval_s: float
    ) -> None:
        self.redis = redis
        self.name = name
        self.overall_ms = max(1, int(1000 / per_second))
        self.chat_ms = max(1, int(chat_interval_s * 1000))
        self._local: dict[str, int] = {}

    async def reserve(self, chat: str) -> float:
        """Seconds to wait before sending to `chat`; the slot is taken."""
        now = int(time.time() * 1000)
        if self.redis is not None:
            try:
                keys = [f"channels:rate:{self.name}", f"channels:rate:{self.name}:{chat}"]
                args = [now, self.overall_ms, self.chat_ms]
                wait_ms = await self.redis.eval(_RESERVE, 2, *keys, *args)
                return max(0.0, int(wait_ms) / 1000)
            except (RedisError, OSError):
                log.warning("send-rate limits kept in this process: Redis unavailable")
        return self._local_reserve(chat, now)

    def _local_reserve(self, chat: str, now: int) -> float:
        chat_free = max(now, self._local.get(chat, 0))
        overall_free = max(now, self._local.get("", 0))
        self._local[chat] = chat_free + self.chat_ms
        self._local[""] = overall_free + self.overall_ms
        return (max(chat_free, overall_free) - now) / 1000
