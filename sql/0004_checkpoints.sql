-- 0004: checkpoints and scans: staff (admins), checkpoints, residents, devices, integrators and
-- their nonces, every scan (partitioned by local day), offline batch client ids.
CREATE TABLE IF NOT EXISTS admins (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  role TINYINT NOT NULL,
  token_hash BINARY(32) NOT NULL,
  created_at DATETIME NOT NULL,
  revoked_at DATETIME NULL,
  UNIQUE KEY uk_admins_token (token_hash),
  KEY ix_admins_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS checkpoints (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind TINYINT NOT NULL,
  type TINYINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  district VARCHAR(100) NOT NULL,
  created_at DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS residents (
  checkpoint_id BIGINT UNSIGNED NOT NULL,
  person_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (checkpoint_id, person_id),
  KEY ix_residents_person (person_id),
  CONSTRAINT fk_residents_checkpoint FOREIGN KEY (checkpoint_id) REFERENCES checkpoints (id),
  CONSTRAINT fk_residents_person FOREIGN KEY (person_id) REFERENCES persons (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS devices (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  checkpoint_id BIGINT UNSIGNED NOT NULL,
  token_hash BINARY(32) NOT NULL,
  created_at DATETIME NOT NULL,
  revoked_at DATETIME NULL,
  UNIQUE KEY uk_devices_token (token_hash),
  CONSTRAINT fk_devices_checkpoint FOREIGN KEY (checkpoint_id) REFERENCES checkpoints (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS integrators (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  key_id VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  secret_enc VARBINARY(128) NOT NULL,
  created_at DATETIME NOT NULL,
  revoked_at DATETIME NULL,
  UNIQUE KEY uk_integrators_key (key_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS integrator_checkpoints (
  integrator_id BIGINT UNSIGNED NOT NULL,
  checkpoint_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (integrator_id, checkpoint_id),
  CONSTRAINT fk_ic_integrator FOREIGN KEY (integrator_id) REFERENCES integrators (id),
  CONSTRAINT fk_ic_checkpoint FOREIGN KEY (checkpoint_id) REFERENCES checkpoints (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS nonces (
  integrator_id BIGINT UNSIGNED NOT NULL,
  nonce VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (integrator_id, nonce),
  KEY ix_nonces_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every scan, allowed or not. Partitioned by local day (hqrctl partitions keeps days ahead;
-- retention drops whole days); indexed by checkpoint and by person for tracing.
CREATE TABLE IF NOT EXISTS scans (
  id BIGINT UNSIGNED NOT NULL,
  local_day INT NOT NULL,
  scanned_at DATETIME(3) NOT NULL,
  checkpoint_id BIGINT UNSIGNED NOT NULL,
  device_id BIGINT UNSIGNED NULL,
  integrator_id BIGINT UNSIGNED NULL,
  person_id BIGINT UNSIGNED NULL,
  token_kind TINYINT NOT NULL,
  direction TINYINT NOT NULL,
  temperature_tenths SMALLINT NULL,
  verdict TINYINT NOT NULL,
  reasons INT UNSIGNED NOT NULL,
  visitor_enc VARBINARY(1024) NULL,
  PRIMARY KEY (id, local_day),
  KEY ix_scans_checkpoint_time (checkpoint_id, scanned_at),
  KEY ix_scans_person_time (person_id, scanned_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  PARTITION BY RANGE (local_day) (PARTITION pmax VALUES LESS THAN MAXVALUE);

-- Offline scans sent in batches: one result per integrator and client id, whatever the retries.
CREATE TABLE IF NOT EXISTS scan_clients (
  integrator_id BIGINT UNSIGNED NOT NULL,
  client_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  scan_id BIGINT UNSIGNED NOT NULL,
  result VARBINARY(1024) NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (integrator_id, client_id),
  KEY ix_scan_clients_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
