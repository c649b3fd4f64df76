"""Send-rate limits shared by every replica, in Redis: a slot per message overall (e.g. 30/s)
and per chat (e.g. one a second). Each call reserves the next free slots and says how long to
wait for them: the later of the two. The chat's next slot counts from that moment, so a message
held back by the overall limit still leaves its chat a full interval. Without Redis the limits
are kept per process."""

from __future__ import annotations

import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# KEYS: overall, per chat; ARGV: now (ms), overall interval (ms), chat interval (ms)
_RESERVE = """
local now = tonumber(ARGV[1])
local function free_at(key)
  local free = tonumber(redis.call('GET', key) or '0')
  if free < now then free = now end
  return free
end
local function keep(key, free)
  redis.call('SET', key, free, 'PX', free - now + 60000)
end
local overall = free_at(KEYS[1])
local slot = math.max(free_at(KEYS[2]), overall)
keep(KEYS[1], overall + tonumber(ARGV[2]))
keep(KEYS[2], slot + tonumber(ARGV[3]))
return slot - now
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
        overall_free = max(now, self._local.get("", 0))
        slot = max(now, self._local.get(chat, 0), overall_free)
        self._local[chat] = slot + self.chat_ms
        self._local[""] = overall_free + self.overall_ms
        return (slot - now) / 1000
