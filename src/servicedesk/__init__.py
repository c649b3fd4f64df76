"""servicedesk: a service desk platform for technical support."""
