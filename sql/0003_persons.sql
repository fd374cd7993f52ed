-- 0003: the code holders and their codes: persons (personal data encrypted, masked forms for
-- display, a blind index for lookups), holders, codes and their events, declarations, daily
-- reports, idempotent answers, the high-risk area list.
CREATE TABLE IF NOT EXISTS persons (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id CHAR(22) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  code_ref BIGINT UNSIGNED NOT NULL,
  id_type TINYINT NOT NULL,
  id_index BINARY(32) NOT NULL,
  name_masked VARCHAR(64) NOT NULL,
  id_masked VARCHAR(40) CHARACTER SET ascii NOT NULL,
  phone_masked VARCHAR(16) CHARACTER SET ascii NOT NULL,
  name_enc VARBINARY(256) NOT NULL,
  id_enc VARBINARY(128) NOT NULL,
  phone_enc VARBINARY(64) NOT NULL,
  address_enc VARBINARY(1024) NOT NULL,
  photo_file VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  photo_type TINYINT NOT NULL,
  paper_serial INT UNSIGNED NOT NULL DEFAULT 1,
  created_at DATETIME NOT NULL,
  UNIQUE KEY uk_persons_public (public_id),
  UNIQUE KEY uk_persons_code_ref (code_ref),
  UNIQUE KEY uk_persons_id_index (id_index)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who may act for whom: role 1 = self (one per account, one self account per person),
-- role 2 = a delegate with its relationship.
CREATE TABLE IF NOT EXISTS holders (
  account_id BIGINT UNSIGNED NOT NULL,
  person_id BIGINT UNSIGNED NOT NULL,
  role TINYINT NOT NULL,
  relationship TINYINT NULL,
  created_at DATETIME NOT NULL,
  self_account BIGINT UNSIGNED AS (IF(role = 1, account_id, NULL)) PERSISTENT,
  self_person BIGINT UNSIGNED AS (IF(role = 1, person_id, NULL)) PERSISTENT,
  PRIMARY KEY (account_id, person_id),
  UNIQUE KEY uk_holders_self_account (self_account),
  UNIQUE KEY uk_holders_self_person (self_person),
  KEY ix_holders_person (person_id),
  CONSTRAINT fk_holders_account FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT fk_holders_person FOREIGN KEY (person_id) REFERENCES persons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS codes (
  person_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  color TINYINT NOT NULL,
  reason VARCHAR(40) CHARACTER SET ascii NOT NULL,
  since DATETIME NOT NULL,
  observation_start INT NULL,
  observation_until INT NULL,
  version INT UNSIGNED NOT NULL DEFAULT 1,
  CONSTRAINT fk_codes_person FOREIGN KEY (person_id) REFERENCES persons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS code_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  person_id BIGINT UNSIGNED NOT NULL,
  from_color TINYINT NOT NULL,
  to_color TINYINT NOT NULL,
  reason VARCHAR(40) CHARACTER SET ascii NOT NULL,
  actor_kind VARCHAR(16) CHARACTER SET ascii NOT NULL,
  actor VARCHAR(100) NOT NULL,
  created_at DATETIME NOT NULL,
  KEY ix_code_events_person (person_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Each application or re-declaration; the travel list (where a person went) is encrypted.
CREATE TABLE IF NOT EXISTS declarations (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  person_id BIGINT UNSIGNED NOT NULL,
  account_id BIGINT UNSIGNED NOT NULL,
  travel_enc VARBINARY(4096) NOT NULL,
  symptoms INT UNSIGNED NOT NULL,
  temperature_tenths SMALLINT NULL,
  contact TINYINT NOT NULL,
  result_color TINYINT NOT NULL,
  reason VARCHAR(40) CHARACTER SET ascii NOT NULL,
  created_at DATETIME NOT NULL,
  KEY ix_declarations_person (person_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS health_reports (
  person_id BIGINT UNSIGNED NOT NULL,
  local_day INT NOT NULL,
  account_id BIGINT UNSIGNED NOT NULL,
  symptoms INT UNSIGNED NOT NULL,
  temperature_tenths SMALLINT NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (person_id, local_day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS idempotency (
  account_id BIGINT UNSIGNED NOT NULL,
  idem_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status SMALLINT NOT NULL,
  response MEDIUMBLOB NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (account_id, idem_key),
  KEY ix_idempotency_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS risk_areas (
  city VARCHAR(64) NOT NULL PRIMARY KEY,
  created_at DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
