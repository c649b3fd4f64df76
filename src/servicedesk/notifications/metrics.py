"""The notifications service's domain metrics."""

from prometheus_client import Counter, Histogram

DECIDED = Counter(
    "notifications_decided_total", "Notifications decided (a person to tell), by kind", ["kind"]
)
SENT = Counter(
    "notifications_sent_total", "Messages delivered to a channel, by channel", ["channel"]
)
FAILED = Counter(
    "notifications_failed_total",
    "Delivery attempts that failed, by channel and whether it will be retried",
    ["channel", "outcome"],
)
SUPPRESSED = Counter(
    "notifications_suppressed_total",
    "Notifications not sent, or held: preferences, quiet_hours, stale (a replayed old event),"
    " user_gone, no_address, own_note (its own escalation notes)",
    ["reason"],
)
DIGEST_SIZE = Histogram(
    "notifications_digest_size",
    "Notifications carried by one mail",
    buckets=(1, 2, 3, 5, 8, 13, 21, 50),
)
EVENT_TO_DELIVERY = Histogram(
    "notifications_event_to_delivery_seconds",
    "From the change (the event's time) to the channel accepting it (in-app: stored)",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
)
STREAMS = Counter("notifications_streams_total", "Live streams opened by consoles", ["outcome"])
