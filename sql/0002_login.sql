-- 0002: logging in through the chat platform: sessions, OAuth states, recently exchanged codes,
-- the one shared platform access token, deduplicated pushes.
CREATE TABLE IF NOT EXISTS sessions (
  id_hash BINARY(32) NOT NULL PRIMARY KEY,
  account_id BIGINT UNSIGNED NOT NULL,
  kind TINYINT NOT NULL,
  created_at DATETIME NOT NULL,
  last_seen DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  KEY ix_sessions_account (account_id),
  KEY ix_sessions_expires (expires_at),
  CONSTRAINT fk_sessions_account FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS oauth_states (
  state VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  next_path VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  expires_at DATETIME NOT NULL,
  KEY ix_oauth_states_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A code exchanged in the last minute: a reload of the callback lands in the session it made.
-- The session token is sealed under a key derived from the code, which only its holder has.
CREATE TABLE IF NOT EXISTS oauth_codes (
  code_hash BINARY(32) NOT NULL PRIMARY KEY,
  state VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  next_path VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  sealed_token VARBINARY(128) NOT NULL,
  expires_at DATETIME NOT NULL,
  KEY ix_oauth_codes_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS platform_tokens (
  id TINYINT NOT NULL PRIMARY KEY,
  token VARCHAR(600) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  expires_at DATETIME NOT NULL,
  version BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS push_dedup (
  dedup_key VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  created_at DATETIME NOT NULL,
  KEY ix_push_dedup_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
