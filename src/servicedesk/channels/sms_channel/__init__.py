"""SMS as a channel: the gateways wired, their callbacks, what an inbound SMS becomes."""
