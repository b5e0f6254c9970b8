-- AlterEnum
ALTER TYPE "delivery_outcome" ADD VALUE 'quarantined';
