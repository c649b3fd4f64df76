"""The history of tickets: one row per changed field, with who and when."""
