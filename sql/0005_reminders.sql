-- 0005: reminders of the daily report, one per person, local day and holder account, so that a
-- rerun of the daily job sends nothing twice (the platform also deduplicates by client_msg_id).
CREATE TABLE IF NOT EXISTS reminders (
  person_id BIGINT UNSIGNED NOT NULL,
  local_day INT NOT NULL,
  account_id BIGINT UNSIGNED NOT NULL,
  status VARCHAR(20) CHARACTER SET ascii NOT NULL,
  errcode INT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (person_id, local_day, account_id),
  KEY ix_reminders_day (local_day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
