# Redis 7 on 127.0.0.1:6379, run as the redis user.
REDIS_PORT="${SD_REDIS_PORT:-6379}"

redis_start() {
  if redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then return 0; fi
  log "starting Redis on port $REDIS_PORT"
  as_root install -d -o redis -g redis /run/redis /var/log/redis /var/lib/redis
  as_root start-stop-daemon --start --quiet --chuid redis:redis --exec /usr/bin/redis-server -- \
    /etc/redis/redis.conf --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
    --supervised no --pidfile /run/redis/redis-server.pid
  wait_until 30 "Redis" redis-cli -p "$REDIS_PORT" ping
}

redis_stop() {
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}
