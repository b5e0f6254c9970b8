-- pg_notify payloads must stay under 8000 bytes: a large batch (group commit, bulk loads) used to
-- fail its whole INSERT. Ids now go out 300 at a time (at most 20 characters each with the comma).
CREATE OR REPLACE FUNCTION video_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('video_events', string_agg(id::text, ','))
  FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / 300 AS chunk FROM new_rows) numbered
  GROUP BY chunk;
  RETURN NULL;
END $$;
