// A real database-side failure for marked rows only: a BEFORE INSERT trigger that raises when
// `condition` (SQL over NEW) holds, with `raise` (the rest of a RAISE statement).
import type pg from "pg";

export async function createRaisingTrigger(pool: pg.Pool, name: string, table: string, condition: string, raise: string): Promise<void> {
  await pool.query(`
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${condition} THEN RAISE ${raise}; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}();`);
}
