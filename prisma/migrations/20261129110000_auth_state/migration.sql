-- Login state shared by every app instance: logged-out sessions until they would have expired,
-- and failed login attempts within the rate limit's window (lib/auth/auth-state.ts).

-- CreateTable
CREATE TABLE "revoked_sessions" (
    "id" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "revoked_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "login_failures" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "login_failures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "revoked_sessions_expiresAt_idx" ON "revoked_sessions"("expiresAt");

-- CreateIndex
CREATE INDEX "login_failures_key_at_idx" ON "login_failures"("key", "at");

-- CreateIndex
CREATE INDEX "login_failures_at_idx" ON "login_failures"("at");
