-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "replayOf" BIGINT,
ADD COLUMN     "spoolKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "deliveries_spool_key" ON "deliveries"("spoolKey");

-- CreateIndex
CREATE INDEX "deliveries_replay_of_idx" ON "deliveries"("replayOf");

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_replayOf_fkey" FOREIGN KEY ("replayOf") REFERENCES "deliveries"("id") ON DELETE SET NULL ON UPDATE CASCADE;
