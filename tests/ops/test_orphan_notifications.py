"""The demo's clean-up deletes notifications and watchers of items that no longer exist (their
events stay in the log, and the notifications service catches up from it), and nothing else."""

from __future__ import annotations

import json
import uuid

import asyncpg

from servicedesk.ops.debris import delete_orphan_notifications
from servicedesk.ops.provision import admin_dsn
from tests.support.isolation import TEST_DATABASE

INSERT = """
    insert into notifications.notifications (event_id, user_id, username, kind, aggregate_type,
        aggregate_id, key, params, in_app, title, body, link)
    values ($1, 'test-orphans', 'test-orphans', 'incident_commented', 'incident', $2,
        'INC-999999', $3::jsonb, true, 'gone', '', '/incidents/INC-999999')
    returning seq
"""


async def test_notifications_of_vanished_incidents_go_and_those_of_existing_ones_stay() -> None:
    connection = await asyncpg.connect(admin_dsn(TEST_DATABASE))
    try:
        existing = await connection.fetchval("select id from tickets.incidents limit 1")
        vanished = uuid.uuid4()
        seqs = {}
        for label, item in (("gone", vanished), ("kept", existing)):
            seqs[label] = await connection.fetchval(INSERT, uuid.uuid4(), item, json.dumps({}))
        await connection.execute(
            "insert into notifications.dispatches (id, notification_seq, user_id, channel,"
            " status, due_at) values ($1, $2, 'test-orphans', 'email', 'pending', now())",
            uuid.uuid4(),
            seqs["gone"],
        )
        await connection.execute(
            "insert into notifications.watchers (aggregate_type, aggregate_id, user_id,"
            " username, source) values ('incident', $1, 'test-orphans', 'test-orphans', 'manual')",
            vanished,
        )
        assert await delete_orphan_notifications(TEST_DATABASE) >= 1
        left = await connection.fetch(
            "select seq from notifications.notifications where user_id = 'test-orphans'"
        )
        assert [r["seq"] for r in left] == ([seqs["kept"]] if existing else [])
        assert not await connection.fetchval(
            "select count(*) from notifications.watchers where user_id = 'test-orphans'"
        )
    finally:
        await connection.execute(
            "delete from notifications.notifications where user_id = 'test-orphans'"
        )
        await connection.close()
