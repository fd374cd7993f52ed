-- 0013: the server URL's replay window (DESIGN §10): a push is taken only with a timestamp within
-- 300 s of the server's clock, and each nonce only once while that timestamp could still pass.
-- A nonce is kept with the SHA-256 of the body it came with (the platform's own retry of a push
-- whose answer it lost is the same request again: acknowledged, not handled twice) and with the
-- moment its timestamp leaves the window, after which the row is of no use: each push deletes a
-- bounded number of such rows, and the daily job the rest.
CREATE TABLE IF NOT EXISTS push_nonces (
  nonce VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  body_sha256 BINARY(32) NOT NULL,
  expires_at BIGINT NOT NULL,
  KEY ix_push_nonces_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
