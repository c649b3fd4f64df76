"""The ESB's domain counters."""

from prometheus_client import Counter

ESB_COMMANDS = Counter(
    "servicedesk_esb_commands_total",
    "Commands from other systems by caller and outcome (done, duplicate, rejected, failed)",
    ["caller", "outcome"],
)
ESB_EVENTS = Counter(
    "servicedesk_esb_events_total",
    "Events told to calling systems by caller and type",
    ["caller", "type"],
)
