-- 0011: a job runs once across application hosts: a lease row per job, claimed by one UPDATE that
-- Galera certifies cluster-wide (GET_LOCK is a node's own lock, refused when wsrep is on).
CREATE TABLE IF NOT EXISTS job_leases (
  name VARCHAR(32) NOT NULL PRIMARY KEY,
  holder VARCHAR(96) NOT NULL DEFAULT '',
  lease_until BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT IGNORE INTO job_leases (name) VALUES ('daily');
