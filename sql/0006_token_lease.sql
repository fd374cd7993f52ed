-- 0006: the shared access token is refreshed under a short lease instead of a row lock held across
-- the call to the platform: other processes wait by re-reading the row, never on a lock.
ALTER TABLE platform_tokens ADD COLUMN IF NOT EXISTS refreshing_until BIGINT NOT NULL DEFAULT 0;
