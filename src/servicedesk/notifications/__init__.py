"""The notifications service: who hears about which change, on which channel, and when."""
