-- The online move (npm run move-store -- users ...): each user's revision, bumped by every write of
-- the service, so a copy never overwrites a newer state of the user; and the move's shared state
-- (lib/storeMove/PrismaMoveStateStore.ts), kept here when the users' home store is PostgreSQL.

-- AlterTable
ALTER TABLE "users" ADD COLUMN "revision" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "store_moves" (
    "service" VARCHAR(50) NOT NULL,
    "revision" INTEGER NOT NULL,
    "state" JSONB NOT NULL,

    CONSTRAINT "store_moves_pkey" PRIMARY KEY ("service")
);

-- CreateTable
CREATE TABLE "store_move_instances" (
    "instance_id" VARCHAR(100) NOT NULL,
    "service" VARCHAR(50) NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL,
    "report" JSONB NOT NULL,

    CONSTRAINT "store_move_instances_pkey" PRIMARY KEY ("instance_id")
);

-- CreateTable
CREATE TABLE "store_move_intents" (
    "id" UUID NOT NULL,
    "service" VARCHAR(50) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "intent" JSONB NOT NULL,

    CONSTRAINT "store_move_intents_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "store_move_instances_service_seen_at_idx" ON "store_move_instances"("service", "seen_at");

-- CreateIndex
CREATE INDEX "store_move_intents_service_at_idx" ON "store_move_intents"("service", "at");
