-- Login states are bounded without a daily purge: each start removes the states past the cap
-- ([session] login_states_max, by this sequence: the oldest first) and a few expired ones.
ALTER TABLE oauth_states ADD COLUMN IF NOT EXISTS seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE;
