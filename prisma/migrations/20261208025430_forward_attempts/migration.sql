-- CreateTable
CREATE TABLE "forward_attempts" (
    "id" BIGSERIAL NOT NULL,
    "deliveryId" BIGINT NOT NULL,
    "targetId" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "state" "forward_state" NOT NULL,
    "status" INTEGER,
    "answer" TEXT,
    "latencyMs" INTEGER,

    CONSTRAINT "forward_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "forward_attempts_delivery_idx" ON "forward_attempts"("deliveryId", "targetId", "id");

-- AddForeignKey
ALTER TABLE "forward_attempts" ADD CONSTRAINT "forward_attempts_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "forward_targets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Deleted deliveries (retention, a video's delete) take their attempts with them, as they take
-- their outbox rows. The delete of the attempts is one indexed statement per deleting statement.
CREATE OR REPLACE FUNCTION deliveries_forget_forwards() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "forward_outbox" o USING old_rows d WHERE o."deliveryId" = d.id;
  DELETE FROM "forward_attempts" a USING old_rows d WHERE a."deliveryId" = d.id;
  RETURN NULL;
END $$;
