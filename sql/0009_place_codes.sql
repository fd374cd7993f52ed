-- 0009: place codes (DESIGN §11): a poster's QR or a door screen for one checkpoint, scanned by
-- residents with the chat app's camera. Tokens are random and looked up by their SHA-256; the
-- poster's token is also kept sealed under the data key so that an operator can print it again.
CREATE TABLE IF NOT EXISTS place_codes (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  checkpoint_id BIGINT UNSIGNED NOT NULL,
  label VARCHAR(100) NOT NULL,
  token_hash BINARY(32) NOT NULL,
  token_enc VARBINARY(128) NOT NULL,
  created_at DATETIME NOT NULL,
  revoked_at DATETIME NULL,
  UNIQUE KEY uk_place_codes_token (token_hash),
  KEY ix_place_codes_checkpoint (checkpoint_id),
  CONSTRAINT fk_place_codes_checkpoint FOREIGN KEY (checkpoint_id) REFERENCES checkpoints (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A screen at the door: its bearer token (hashed) fetches the QR of the moment; the QR's token
-- names the screen and changes every 30 s.
CREATE TABLE IF NOT EXISTS place_displays (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  place_code_id BIGINT UNSIGNED NOT NULL,
  token_hash BINARY(32) NOT NULL,
  created_at DATETIME NOT NULL,
  revoked_at DATETIME NULL,
  UNIQUE KEY uk_place_displays_token (token_hash),
  KEY ix_place_displays_code (place_code_id),
  CONSTRAINT fk_place_displays_code FOREIGN KEY (place_code_id) REFERENCES place_codes (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A check-in is a scan with the place code it came through (source "place").
ALTER TABLE scans ADD COLUMN IF NOT EXISTS place_code_id BIGINT UNSIGNED NULL;

-- Check-ins per account and minute, for the limit: kept in memory (lost on a restart, which only
-- forgets a minute's counts), purged as minutes pass.
CREATE TABLE IF NOT EXISTS place_rate (
  account_id BIGINT UNSIGNED NOT NULL,
  minute INT NOT NULL,
  n INT NOT NULL,
  PRIMARY KEY (account_id, minute),
  KEY ix_place_rate_minute (minute) USING BTREE
) ENGINE=MEMORY;
