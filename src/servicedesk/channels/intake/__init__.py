"""What comes in from the channels: the durable inbound queue and what it turns into."""
