-- Free-text search (`q`, lib/videos/search.ts) is a case-insensitive substring match over sender
-- ids, nicknames and conversation ids. It first finds the matching senders and conversations in
-- the summary tables through GIN indexes on these grams, then reads their videos.
--
-- Why not pg_trgm (measured, docs/performance.md): its trigrams skip non-word characters
-- (emoji, `_`, `@`) and a term shorter than three characters (a single CJK character such as 张)
-- yields no trigram at all, so such terms scan every row. These grams are every 1, 2 and 3
-- characters of the lowercased value: a term of up to three characters is one gram, a longer term
-- is the intersection of its 3-grams, and the exact test (strpos) rechecks the candidates.

CREATE FUNCTION search_grams(value text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(v, i, n)), '{}')
  FROM (SELECT lower(value) AS v) s, generate_series(1, 3) AS n, generate_series(1, length(v) - n + 1) AS i
$$;

-- The grams a value must hold to contain `term`: the term itself up to three characters,
-- else its 3-grams.
CREATE FUNCTION search_term_grams(term text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN length(v) <= 3 THEN ARRAY[v]
    ELSE ARRAY(SELECT DISTINCT substr(v, i, 3) FROM generate_series(1, length(v) - 2) AS i) END
  FROM (SELECT lower(term) AS v) s
$$;
