-- CreateEnum
CREATE TYPE "label_kind" AS ENUM ('robot', 'conversation');

-- CreateTable
CREATE TABLE "labels" (
    "kind" "label_kind" NOT NULL,
    "key" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "labels_pkey" PRIMARY KEY ("kind","key")
);

-- Written by hand: the length limit lib/labels enforces, kept by the database too, so a script
-- writing the table directly cannot store what the pages were not laid out for. Blank labels are
-- cleared, never stored. `q` reads this table by scanning it: people type these rows, so they are
-- few (hundreds), and a scan of them costs less than a gram index kept current on every write.
ALTER TABLE "labels" ADD CONSTRAINT "labels_label_length" CHECK (char_length("label") BETWEEN 1 AND 64 AND "label" = btrim("label"));
