"""A fake SMS gateway for the local stack and the tests: SMS.ru's and Twilio's HTTP APIs over
real HTTP, messages moved through delivery statuses with signed callbacks (retried until
taken), inbound SMS injected through the control API under `/control`, and a phone page at `/`.
"""
