"""The words of an incident's comments kept on the incident (a trigger appends them), so a
text search is one indexed condition rather than a join; finer statistics let the planner
choose between the newest-first index and the text indexes.

Revision ID: 0004
Revises: 0003
"""

from servicedesk.kernel.migrations import execute_all

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    execute_all(
        """
        alter table tickets.incidents
            add column notes_vector tsvector not null default ''::tsvector,
            add column public_notes_vector tsvector not null default ''::tsvector;
        update tickets.incidents i
            set notes_vector = c.every_comment, public_notes_vector = c.public_comments
            from (select incident_id,
                         tickets.document_vector('', string_agg(body, ' ')) as every_comment,
                         tickets.document_vector(
                             '', string_agg(body, ' ') filter (where visibility = 'public')
                         ) as public_comments
                  from tickets.comments group by incident_id) c
            where c.incident_id = i.id;
        create index ix_incidents_notes_text on tickets.incidents using gin (notes_vector);

        create function tickets.remember_comment_words() returns trigger
        language plpgsql as $$
        begin
            update tickets.incidents
               set notes_vector = notes_vector || new.search_vector,
                   public_notes_vector = case when new.visibility = 'public'
                       then public_notes_vector || new.search_vector
                       else public_notes_vector end
             where id = new.incident_id; return null;  -- execute_all splits at ';' ending a line
        end $$;
        create trigger comment_words_on_incident after insert on tickets.comments
            for each row execute function tickets.remember_comment_words();
        drop index tickets.ix_comments_text;
        alter table tickets.incidents alter column search_vector set statistics 1000;
        alter table tickets.incidents alter column notes_vector set statistics 1000;
        """
    )


def downgrade() -> None:
    execute_all(
        """
        create index ix_comments_text on tickets.comments using gin (search_vector);
        drop trigger comment_words_on_incident on tickets.comments;
        drop function tickets.remember_comment_words();
        drop index tickets.ix_incidents_notes_text;
        alter table tickets.incidents drop column public_notes_vector, drop column notes_vector;
        """
    )
