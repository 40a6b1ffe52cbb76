-- The legacy shared PostgreSQL database that SchemaFlow's services are migrating away from: one
-- database, four schemas, each written by a different part of the old monolith. legacy/generate.ts
-- creates it and fills it with synthetic data; this file is the layout.
--
-- The file has two parts, split at the "@after-load" line. The generator runs the first (schemas,
-- tables, columns, checks) before it loads the data and the second (keys, foreign keys, indexes)
-- after, as bulk loads are done: an index built once over all the rows costs a fraction of one
-- maintained row by row. The tables' keys are listed in the second part for that reason only.
--
-- How orphaned rows exist despite foreign keys: the payments and profile tables were written by
-- services that had no foreign keys to auth.users for their first years, while users were being
-- hard-deleted. When the keys were finally added, the orphans made validation fail, so those
-- keys were added NOT VALID: PostgreSQL enforces them for new and updated rows but never checked
-- the old ones. So payments.payments has rows whose sender or recipient no longer exists, and
-- profile.user_profiles has profiles of deleted users. The keys with no such history are validated.

CREATE SCHEMA IF NOT EXISTS auth;
CREATE SCHEMA IF NOT EXISTS payments;
CREATE SCHEMA IF NOT EXISTS admin;
CREATE SCHEMA IF NOT EXISTS profile;

CREATE TABLE auth.users (
  id             uuid        NOT NULL,
  email          text        NOT NULL,
  password_hash  text        NOT NULL,
  name           text,
  role           text        NOT NULL DEFAULT 'CUSTOMER' CHECK (role IN ('ADMIN', 'CUSTOMER', 'VENDOR')),
  email_verified boolean     NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE auth.refresh_tokens (
  id         uuid        NOT NULL,
  user_id    uuid        NOT NULL,
  token      text        NOT NULL,
  -- Never pruned: expired tokens stay until their user is deleted.
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE payments.payments (
  id                 uuid          NOT NULL,
  sender_id          uuid          NOT NULL,
  recipient_id       uuid          NOT NULL,
  amount             numeric(10,2) NOT NULL CHECK (amount > 0),
  currency           char(3)       NOT NULL DEFAULT 'USD',
  status             text          NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED')),
  type               text          NOT NULL DEFAULT 'INSTANT' CHECK (type IN ('INSTANT', 'SCHEDULED', 'RECURRING')),
  description        text,
  metadata           jsonb,
  -- The payment service provider's id and its own status word, kept beside ours.
  psp_transaction_id text,
  psp_status         text,
  failure_reason     text,
  completed_at       timestamptz,
  created_at         timestamptz   NOT NULL DEFAULT now(),
  updated_at         timestamptz   NOT NULL DEFAULT now()
);

-- One row per status a payment went through, oldest first.
CREATE TABLE payments.payment_transactions (
  id                 uuid        NOT NULL,
  payment_id         uuid        NOT NULL,
  status             text        NOT NULL CHECK (status IN ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED')),
  status_message     text,
  psp_transaction_id text,
  metadata           jsonb,
  created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE admin.audit_logs (
  id            uuid        NOT NULL,
  -- NULL for the system's own entries, and for users deleted since (ON DELETE SET NULL).
  user_id       uuid,
  action        text        NOT NULL,
  resource_type text        NOT NULL,
  -- Text: it holds uuids and config keys alike.
  resource_id   text,
  details       jsonb,
  ip_address    text,
  user_agent    text,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE admin.system_config (
  key         text        NOT NULL,
  value       jsonb       NOT NULL,
  description text,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  uuid
);

CREATE TABLE profile.user_profiles (
  id          uuid        NOT NULL,
  user_id     uuid        NOT NULL,
  avatar_url  text,
  phone       text,
  address     text,
  bio         text,
  preferences jsonb       NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- @after-load (legacy/generate.ts runs what follows once the data is in)

ALTER TABLE auth.users
  ADD PRIMARY KEY (id),
  -- Case-sensitive: 'Alice@x.com' and 'alice@x.com' are both allowed, and both exist.
  ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE auth.refresh_tokens ADD PRIMARY KEY (id), ADD CONSTRAINT refresh_tokens_token_key UNIQUE (token);
ALTER TABLE payments.payments ADD PRIMARY KEY (id);
ALTER TABLE payments.payment_transactions ADD PRIMARY KEY (id);
ALTER TABLE admin.audit_logs ADD PRIMARY KEY (id);
ALTER TABLE admin.system_config ADD PRIMARY KEY (key);
ALTER TABLE profile.user_profiles ADD PRIMARY KEY (id), ADD CONSTRAINT user_profiles_user_id_key UNIQUE (user_id);

ALTER TABLE auth.refresh_tokens
  ADD CONSTRAINT refresh_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE;

-- NOT VALID: see the top of this file. No ON DELETE action: deleting a user who has payments is
-- refused now, which is what the old code should have done all along.
ALTER TABLE payments.payments
  ADD CONSTRAINT payments_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES auth.users (id) NOT VALID,
  ADD CONSTRAINT payments_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES auth.users (id) NOT VALID;

ALTER TABLE payments.payment_transactions
  ADD CONSTRAINT payment_transactions_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments.payments (id) ON DELETE CASCADE;

ALTER TABLE admin.audit_logs
  ADD CONSTRAINT audit_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE SET NULL;

ALTER TABLE admin.system_config
  ADD CONSTRAINT system_config_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES auth.users (id) ON DELETE SET NULL;

-- NOT VALID: see the top of this file.
ALTER TABLE profile.user_profiles
  ADD CONSTRAINT user_profiles_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE NOT VALID;

-- PostgreSQL does not index the referencing side of a foreign key; the old code looked rows up by these.
CREATE INDEX refresh_tokens_user_id_idx ON auth.refresh_tokens (user_id);
CREATE INDEX payments_sender_id_idx ON payments.payments (sender_id);
CREATE INDEX payments_recipient_id_idx ON payments.payments (recipient_id);
CREATE INDEX payment_transactions_payment_id_idx ON payments.payment_transactions (payment_id);
CREATE INDEX audit_logs_user_id_idx ON admin.audit_logs (user_id);
CREATE INDEX audit_logs_created_at_idx ON admin.audit_logs (created_at);
