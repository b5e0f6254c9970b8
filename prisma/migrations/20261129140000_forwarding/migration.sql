-- The relay (lib/forwarding, docs/forwarding.md): every delivery that passed the token and size
-- checks is forwarded to each target. The outbox row is written by a trigger in the statement
-- that records the delivery, so it commits with it on every path (direct, group commit, spool
-- replay), and nothing in the receiver needs to know about forwarding.

-- The provider's Content-Type, forwarded as it came.
ALTER TABLE "deliveries" ADD COLUMN "contentType" TEXT;

-- Targets: synced from FORWARD_URLS / FORWARD_EVENTS when an instance starts. A URL no longer
-- configured stays (its history with it) but is inactive: nothing new is queued for it.
CREATE TABLE "forward_targets" (
    "id" SERIAL NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "lastError" TEXT,
    "lastErrorAt" TIMESTAMPTZ(3),
    "lastPosition" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "forward_targets_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "forward_targets_url_key" ON "forward_targets"("url");

CREATE TYPE "forward_state" AS ENUM ('pending', 'delivered', 'failed');

-- One row per delivery and target. "position" is the row's place in its target's order, given by
-- the target's (single) sender as rows become visible, so in the order their recording
-- transactions committed (lib/forwarding/outbox.ts explains why not by id).
CREATE TABLE "forward_outbox" (
    "deliveryId" BIGINT NOT NULL,
    "targetId" INTEGER NOT NULL,
    "position" BIGINT,
    "state" "forward_state" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nextAttemptAt" TIMESTAMPTZ(3),
    "lastAttemptAt" TIMESTAMPTZ(3),
    "lastStatus" INTEGER,
    "lastAnswer" TEXT,
    "lastError" TEXT,
    "latencyMs" INTEGER,

    CONSTRAINT "forward_outbox_pkey" PRIMARY KEY ("deliveryId", "targetId")
);

CREATE INDEX "forward_outbox_pending_idx" ON "forward_outbox"("targetId", "position") WHERE "state" = 'pending';
CREATE INDEX "forward_outbox_unsequenced_idx" ON "forward_outbox"("targetId", "deliveryId") WHERE "position" IS NULL;
CREATE INDEX "forward_outbox_failed_idx" ON "forward_outbox"("targetId") WHERE "state" = 'failed';

-- Attempts per target and minute: the success rate over the last hour without scanning the outbox.
CREATE TABLE "forward_minutes" (
    "targetId" INTEGER NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "delivered" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "forward_minutes_pkey" PRIMARY KEY ("targetId", "minute")
);

ALTER TABLE "forward_outbox" ADD CONSTRAINT "forward_outbox_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "forward_targets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "forward_minutes" ADD CONSTRAINT "forward_minutes_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "forward_targets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One INSERT per recording statement, whatever its size. Skipped: oversize deliveries (413, only
-- their first bytes are kept), replays an operator started (the target had the original), and
-- rows without a body. With no active target the join is empty and nothing is written.
CREATE FUNCTION deliveries_enqueue_forwards() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "forward_outbox" ("deliveryId", "targetId")
  SELECT n.id, t.id
  FROM new_rows n
  JOIN "forward_targets" t ON t."active" AND (t."events" IS NULL OR n."eventCode" = ANY (t."events"))
  WHERE n.body IS NOT NULL AND n."httpStatus" <> 413 AND n."replayOf" IS NULL
  ORDER BY n.id, t.id;
  IF FOUND THEN
    PERFORM pg_notify('forward_outbox', '');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER deliveries_enqueue_forwards AFTER INSERT ON "deliveries"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deliveries_enqueue_forwards();

-- Deleted deliveries (retention) take their forwarding rows with them.
CREATE FUNCTION deliveries_forget_forwards() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "forward_outbox" o USING old_rows d WHERE o."deliveryId" = d.id;
  RETURN NULL;
END $$;

CREATE TRIGGER deliveries_forget_forwards AFTER DELETE ON "deliveries"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION deliveries_forget_forwards();
