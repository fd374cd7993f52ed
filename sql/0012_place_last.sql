-- 0012: the latest check-in of a person through a place code, per direction (DESIGN §11): a check-in
-- within 5 minutes with the same verdict is answered by it and writes no new scan. The group writer
-- claims this row in the transaction that writes the scan, so two concurrent check-ins of one
-- person (a double tap, on two workers or two hosts) write one row. Rows older than the window
-- are of no further use; the daily job deletes them (a scan of the table, once a day: no index on
-- at_ms to write with every check-in).
CREATE TABLE IF NOT EXISTS place_last (
  person_id BIGINT UNSIGNED NOT NULL,
  place_code_id BIGINT UNSIGNED NOT NULL,
  direction TINYINT NOT NULL,
  scan_id BIGINT UNSIGNED NOT NULL,
  at_ms BIGINT NOT NULL,
  verdict TINYINT NOT NULL,
  reasons INT UNSIGNED NOT NULL,
  PRIMARY KEY (person_id, place_code_id, direction)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
