-- What the payment service provider says, kept beside our own status (carried over from the legacy
-- shared database, where the old payments code recorded it).
ALTER TABLE "payments" ADD COLUMN "psp_transaction_id" VARCHAR(255),
ADD COLUMN "psp_status" VARCHAR(100);

ALTER TABLE "payment_transactions" ADD COLUMN "psp_transaction_id" VARCHAR(255),
ADD COLUMN "metadata" JSONB;
