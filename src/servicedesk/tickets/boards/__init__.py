"""Boards bound to users: kanban, list and dashboard, their cards."""
