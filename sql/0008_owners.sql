-- 0008: whose code is it. Real-name face verifications; a person's owner (the account that proved
-- to be that person) and the account whose details it shows; accountable delegates (each holder
-- has an id, a delegate records its own verified person) and delegations waiting for the owner;
-- refused relative applications counted per account and day; the login state bound to the
-- browser that asked for it. Persons registered before have no owner: the first verified self
-- application takes them over.
CREATE TABLE IF NOT EXISTS verifications (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  public_id CHAR(22) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  account_id BIGINT UNSIGNED NOT NULL,
  id_index BINARY(32) NOT NULL,
  name_enc VARBINARY(256) NOT NULL,
  id_enc VARBINARY(128) NOT NULL,
  name_masked VARCHAR(64) NOT NULL,
  verify_hash BINARY(32) NOT NULL,
  verify_id VARCHAR(256) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  next_path VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status TINYINT NOT NULL,
  verify_ret INT NULL,
  created_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  used_at DATETIME NULL,
  UNIQUE KEY uk_verifications_public (public_id),
  UNIQUE KEY uk_verifications_verify (verify_hash),
  KEY ix_verifications_account (account_id, created_at),
  CONSTRAINT fk_verifications_account FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE persons
  ADD COLUMN IF NOT EXISTS owner_account_id BIGINT UNSIGNED NULL,
  ADD COLUMN IF NOT EXISTS submitted_by BIGINT UNSIGNED NULL,
  ADD UNIQUE KEY IF NOT EXISTS uk_persons_owner (owner_account_id);

-- The details a person shows (photo, phone) are those of the account that submitted them.
UPDATE persons p SET submitted_by = (SELECT h.account_id FROM holders h WHERE h.person_id = p.id
  ORDER BY h.role, h.created_at, h.account_id LIMIT 1) WHERE submitted_by IS NULL;

ALTER TABLE holders
  ADD COLUMN IF NOT EXISTS id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE KEY,
  ADD COLUMN IF NOT EXISTS delegate_person_id BIGINT UNSIGNED NULL;

-- A delegate's application for a person with an owner: 0 pending, 1 approved, 2 refused.
CREATE TABLE IF NOT EXISTS delegations (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  person_id BIGINT UNSIGNED NOT NULL,
  account_id BIGINT UNSIGNED NOT NULL,
  delegate_person_id BIGINT UNSIGNED NOT NULL,
  relationship TINYINT NOT NULL,
  status TINYINT NOT NULL,
  created_at DATETIME NOT NULL,
  decided_at DATETIME NULL,
  KEY ix_delegations_person (person_id, status),
  KEY ix_delegations_account (account_id, status),
  CONSTRAINT fk_delegations_person FOREIGN KEY (person_id) REFERENCES persons (id),
  CONSTRAINT fk_delegations_account FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS refusals (
  account_id BIGINT UNSIGNED NOT NULL,
  local_day INT NOT NULL,
  n INT NOT NULL,
  PRIMARY KEY (account_id, local_day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE oauth_states ADD COLUMN IF NOT EXISTS browser_hash BINARY(32) NULL;
ALTER TABLE oauth_codes ADD COLUMN IF NOT EXISTS browser_hash BINARY(32) NULL;
