"""The channels service's domain metrics."""

from prometheus_client import Counter, Histogram

MESSAGES_IN = Counter(
    "channel_messages_in_total",
    "Messages received from people, by channel and outcome",
    ["channel", "outcome"],
)
MESSAGES_OUT = Counter(
    "channel_messages_out_total",
    "Messages sent to people, by channel and outcome",
    ["channel", "outcome"],
)
DELIVERY_LATENCY = Histogram(
    "channel_delivery_latency_seconds",
    "From queueing a message to the provider accepting it",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)
WEBHOOK_ACK = Histogram(
    "channel_webhook_ack_seconds",
    "Time to acknowledge a provider's webhook (stored, not yet processed)",
    ["channel"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
)
INBOX_PROCESSED = Counter(
    "channel_inbox_processed_total", "Inbound items processed, by outcome", ["channel", "outcome"]
)
INBOX_PROCESSING_SECONDS = Histogram(
    "channel_inbox_processing_seconds", "Time to process one inbound item", ["channel"]
)
UNUSABLE_INPUT = Counter(
    "channel_unusable_input_total",
    "Provider requests acknowledged but not usable (malformed, unknown kind)",
    ["channel", "reason"],
)
