/* db_stmts.c: every SQL statement of the service, in one table indexed by enum stmt. */
#include "db_stmts.h"

/* A derived table of 1, 2, 4 ... 32 rows: P##_HEAD holds its first row, P##_1 each row more,
 * P##_TAIL ends the statement; ROWS_POW2 gives the six statements S##_1 ... S##_32. */
#define ROWS_3(r)  r r r
#define ROWS_7(r)  ROWS_3(r) ROWS_3(r) r
#define ROWS_15(r) ROWS_7(r) ROWS_7(r) r
#define ROWS_POW2(S, P)                                                                                            \
	[S##_1] = P##_HEAD P##_TAIL, [S##_2] = P##_HEAD P##_1 P##_TAIL, [S##_4] = P##_HEAD ROWS_3(P##_1) P##_TAIL, \
	[S##_8] = P##_HEAD ROWS_7(P##_1) P##_TAIL, [S##_16] = P##_HEAD ROWS_15(P##_1) P##_TAIL,                    \
	[S##_32] = P##_HEAD ROWS_15(P##_1) ROWS_15(P##_1) P##_1 P##_TAIL

/* Scans are written in groups: up to 32 rows in one statement (STMT_SCAN_INSERT_n, n rows). */
#define SCAN_INSERT                                                                                          \
	"INSERT INTO scans (id, local_day, scanned_at, checkpoint_id, device_id, integrator_id, person_id, " \
	"token_kind, direction, temperature_tenths, verdict, reasons, visitor_enc, place_code_id) VALUES "
#define SCAN_ROW     "(?, ?, FROM_UNIXTIME(? / 1000), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
/* SCAN_ROWS_n: n row placeholders. */
#define SCAN_ROWS_1  SCAN_ROW
#define SCAN_ROWS_2  SCAN_ROWS_1 "," SCAN_ROW
#define SCAN_ROWS_3  SCAN_ROWS_2 "," SCAN_ROW
#define SCAN_ROWS_4  SCAN_ROWS_3 "," SCAN_ROW
#define SCAN_ROWS_5  SCAN_ROWS_4 "," SCAN_ROW
#define SCAN_ROWS_6  SCAN_ROWS_5 "," SCAN_ROW
#define SCAN_ROWS_7  SCAN_ROWS_6 "," SCAN_ROW
#define SCAN_ROWS_8  SCAN_ROWS_7 "," SCAN_ROW
#define SCAN_ROWS_9  SCAN_ROWS_8 "," SCAN_ROW
#define SCAN_ROWS_10 SCAN_ROWS_9 "," SCAN_ROW
#define SCAN_ROWS_11 SCAN_ROWS_10 "," SCAN_ROW
#define SCAN_ROWS_12 SCAN_ROWS_11 "," SCAN_ROW
#define SCAN_ROWS_13 SCAN_ROWS_12 "," SCAN_ROW
#define SCAN_ROWS_14 SCAN_ROWS_13 "," SCAN_ROW
#define SCAN_ROWS_15 SCAN_ROWS_14 "," SCAN_ROW
#define SCAN_ROWS_16 SCAN_ROWS_15 "," SCAN_ROW
#define SCAN_ROWS_17 SCAN_ROWS_16 "," SCAN_ROW
#define SCAN_ROWS_18 SCAN_ROWS_17 "," SCAN_ROW
#define SCAN_ROWS_19 SCAN_ROWS_18 "," SCAN_ROW
#define SCAN_ROWS_20 SCAN_ROWS_19 "," SCAN_ROW
#define SCAN_ROWS_21 SCAN_ROWS_20 "," SCAN_ROW
#define SCAN_ROWS_22 SCAN_ROWS_21 "," SCAN_ROW
#define SCAN_ROWS_23 SCAN_ROWS_22 "," SCAN_ROW
#define SCAN_ROWS_24 SCAN_ROWS_23 "," SCAN_ROW
#define SCAN_ROWS_25 SCAN_ROWS_24 "," SCAN_ROW
#define SCAN_ROWS_26 SCAN_ROWS_25 "," SCAN_ROW
#define SCAN_ROWS_27 SCAN_ROWS_26 "," SCAN_ROW
#define SCAN_ROWS_28 SCAN_ROWS_27 "," SCAN_ROW
#define SCAN_ROWS_29 SCAN_ROWS_28 "," SCAN_ROW
#define SCAN_ROWS_30 SCAN_ROWS_29 "," SCAN_ROW
#define SCAN_ROWS_31 SCAN_ROWS_30 "," SCAN_ROW
#define SCAN_ROWS_32 SCAN_ROWS_31 "," SCAN_ROW
/* The same for integrators' scans: (index, integrator, checkpoint, code_ref) quadruples joined to
 * the integrator's grant of that checkpoint. */
#define SCAN_ILOOKUP_HEAD                                                                                   \
	"SELECT STRAIGHT_JOIN q.i, 0, c.id, c.kind, c.type, p.id, p.paper_serial, "                         \
	"p.name_masked, p.id_masked, p.id_type, k.color, c.kind = 0 AND EXISTS (SELECT 1 FROM residents r " \
	"WHERE r.checkpoint_id = c.id AND r.person_id = p.id) "                                             \
	"FROM (SELECT CAST(? AS INT) AS i, CAST(? AS UNSIGNED) AS g, CAST(? AS UNSIGNED) AS cp, "           \
	"CAST(? AS UNSIGNED) AS r"
#define SCAN_ILOOKUP_1 " UNION ALL SELECT CAST(? AS INT), CAST(? AS UNSIGNED), CAST(? AS UNSIGNED), CAST(? AS UNSIGNED)"
#define SCAN_ILOOKUP_TAIL                                                                           \
	") q JOIN integrator_checkpoints ic ON ic.integrator_id = q.g AND ic.checkpoint_id = q.cp " \
	"JOIN checkpoints c ON c.id = ic.checkpoint_id LEFT JOIN persons p ON p.code_ref = q.r "    \
	"LEFT JOIN codes k ON k.person_id = p.id"
/* The devices and scanned codes of a group of scans, in one statement: (index, device token hash,
 * code_ref) triples as a derived table, each joined by unique keys (1, 2, 4, ... 32 triples; a
 * group pads with its last triple). Typed columns keep the derived table in memory; the join order
 * is fixed (the triples drive it); residency is looked up only at a community (kind 0). */
#define SCAN_LOOKUP_HEAD                                                                                    \
	"SELECT STRAIGHT_JOIN q.i, d.id, d.checkpoint_id, c.kind, c.type, p.id, p.paper_serial, "           \
	"p.name_masked, p.id_masked, p.id_type, k.color, c.kind = 0 AND EXISTS (SELECT 1 FROM residents r " \
	"WHERE r.checkpoint_id = d.checkpoint_id AND r.person_id = p.id) "                                  \
	"FROM (SELECT CAST(? AS INT) AS i, CAST(? AS BINARY(32)) AS h, CAST(? AS UNSIGNED) AS r"
#define SCAN_LOOKUP_1 " UNION ALL SELECT CAST(? AS INT), CAST(? AS BINARY(32)), CAST(? AS UNSIGNED)"
#define SCAN_LOOKUP_TAIL                                                                        \
	") q JOIN devices d ON d.token_hash = q.h AND d.revoked_at IS NULL "                    \
	"JOIN checkpoints c ON c.id = d.checkpoint_id LEFT JOIN persons p ON p.code_ref = q.r " \
	"LEFT JOIN codes k ON k.person_id = p.id"

/* A group's check-ins at place codes (store_places.c) in one statement: per person asked, (index,
 * session hash, the session's kind, a poster's token hash or NULL, a door screen's id or 0, the
 * person's public id, now, idle after) as a derived table; each joined by unique keys to the session, the place
 * code (by its token's hash, or through the screen), its checkpoint, the person, whether the
 * session's account holds the person, its code and its residency (at a community only); with
 * each, the session's time bounds (now, idle after, unix seconds). A person's latest check-in
 * there is not read: the claim that writes a check-in (PLACE_CLAIM) finds it. */
#define PLACE_CHECKIN_HEAD                                                                                                 \
	"SELECT STRAIGHT_JOIN q.i, s.account_id, UNIX_TIMESTAMP(s.last_seen), IFNULL(pt.id, pp.id), "                      \
	"c.id, IFNULL(pt.label, pp.label), IFNULL(pt.revoked_at, pp.revoked_at) IS NOT NULL OR d.revoked_at IS NOT NULL, " \
	"c.kind, c.type, c.name, h.person_id, p.name_masked, p.id_masked, k.color, "                                       \
	"c.kind = 0 AND EXISTS (SELECT 1 FROM residents r WHERE r.checkpoint_id = c.id AND r.person_id = h.person_id) "    \
	"FROM (SELECT CAST(? AS INT) AS i, CAST(? AS BINARY(32)) AS sh, CAST(? AS INT) AS sk, "                            \
	"CAST(? AS BINARY(32)) AS th, CAST(? AS UNSIGNED) AS di, CAST(? AS CHAR(22) CHARACTER SET ascii) AS pid, "         \
	"CAST(? AS SIGNED) AS nw, CAST(? AS SIGNED) AS ia"
#define PLACE_CHECKIN_1                                                                                            \
	" UNION ALL SELECT CAST(? AS INT), CAST(? AS BINARY(32)), CAST(? AS INT), "                                \
	"CAST(? AS BINARY(32)), CAST(? AS UNSIGNED), CAST(? AS CHAR(22) CHARACTER SET ascii), CAST(? AS SIGNED), " \
	"CAST(? AS SIGNED)"
#define PLACE_CHECKIN_TAIL                                                                            \
	") q LEFT JOIN sessions s ON s.id_hash = q.sh AND s.kind = q.sk "                             \
	"AND s.expires_at > FROM_UNIXTIME(q.nw) AND s.last_seen > FROM_UNIXTIME(q.ia) "               \
	"LEFT JOIN place_codes pt ON pt.token_hash = q.th LEFT JOIN place_displays d ON d.id = q.di " \
	"LEFT JOIN place_codes pp ON pp.id = d.place_code_id "                                        \
	"LEFT JOIN checkpoints c ON c.id = IFNULL(pt.checkpoint_id, pp.checkpoint_id) "               \
	"LEFT JOIN persons p ON p.public_id = q.pid COLLATE ascii_bin "                               \
	"LEFT JOIN holders h ON h.account_id = s.account_id AND h.person_id = p.id "                  \
	"LEFT JOIN codes k ON k.person_id = h.person_id"
/* Claims the latest check-in of (person, place code, direction) for a new scan, unless one within
 * the window (the last parameter, ms) gave the same verdict and reasons: each row returns the scan
 * that now stands for it, the new one or the earlier. Within the writer's transaction, the row's
 * lock holds a concurrent claim (another worker or host) until the scan is written or rolled back.
 * (The assignments run left to right: the later ones see whether scan_id changed.) */
#define PLACE_CLAIM_HEAD                                                                         \
	"INSERT INTO place_last (person_id, place_code_id, direction, scan_id, at_ms, verdict, " \
	"reasons) VALUES (?, ?, ?, ?, ?, ?, ?)"
#define PLACE_CLAIM_1 ", (?, ?, ?, ?, ?, ?, ?)"
#define PLACE_CLAIM_TAIL                                                                           \
	" ON DUPLICATE KEY UPDATE scan_id = IF(at_ms >= VALUES(at_ms) - ? "                        \
	"AND verdict = VALUES(verdict) AND reasons = VALUES(reasons), scan_id, VALUES(scan_id)), " \
	"at_ms = IF(scan_id = VALUES(scan_id), VALUES(at_ms), at_ms), "                            \
	"verdict = IF(scan_id = VALUES(scan_id), VALUES(verdict), verdict), "                      \
	"reasons = IF(scan_id = VALUES(scan_id), VALUES(reasons), reasons) RETURNING scan_id"

/* The 16- and 32-row check-in lookups run past the 4095 characters C11 guarantees a literal; GCC
 * and Clang take any length. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
const char *const db_stmt_sql[STMT__MAX] = {
	[STMT_PING] = "SELECT 1",
	[STMT_BEGIN] = "START TRANSACTION",
	[STMT_MIGRATIONS_CREATE] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
				   " version INT NOT NULL PRIMARY KEY,"
				   " name VARCHAR(200) NOT NULL,"
				   " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
				   ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
	[STMT_MIGRATIONS_LIST] = "SELECT version, name, DATE_FORMAT(applied_at, '%Y-%m-%dT%H:%i:%sZ') "
				 "FROM schema_migrations ORDER BY version",
	[STMT_MIGRATION_RECORD] = "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
	[STMT_ACCOUNT_UPSERT] =
	    "INSERT INTO accounts (openid, unionid, created_at) VALUES (?, ?, FROM_UNIXTIME(?)) "
	    "ON DUPLICATE KEY UPDATE unionid = COALESCE(VALUES(unionid), unionid), id = LAST_INSERT_ID(id)",
	[STMT_SESSION_INSERT] = "INSERT INTO sessions (id_hash, account_id, kind, created_at, last_seen, expires_at) "
				"VALUES (?, ?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), FROM_UNIXTIME(?))",
	[STMT_SESSION_GET] = "SELECT account_id, kind, UNIX_TIMESTAMP(last_seen) FROM sessions "
			     "WHERE id_hash = ? AND expires_at > FROM_UNIXTIME(?) AND last_seen > FROM_UNIXTIME(?)",
	[STMT_SESSION_TOUCH] = "UPDATE sessions SET last_seen = FROM_UNIXTIME(?) WHERE id_hash = ?",
	[STMT_SESSION_DELETE] = "DELETE FROM sessions WHERE id_hash = ?",
	[STMT_STATE_INSERT] =
	    "INSERT INTO oauth_states (state, next_path, expires_at, browser_hash) VALUES (?, ?, FROM_UNIXTIME(?), ?)",
	[STMT_STATE_GET] =
	    "SELECT next_path, IFNULL(browser_hash, '') FROM oauth_states WHERE state = ? AND expires_at > FROM_UNIXTIME(?)",
	[STMT_STATE_DELETE] = "DELETE FROM oauth_states WHERE state = ?",
	/* After each login start: the states beyond the cap (the oldest by seq), then expired ones, a
	 * few at a time, so the table holds only live states and never more than the cap. */
	[STMT_STATES_TRIM_OLDEST] = "DELETE FROM oauth_states WHERE seq <= ? ORDER BY seq LIMIT 16",
	[STMT_STATES_TRIM_EXPIRED] =
	    "DELETE FROM oauth_states WHERE expires_at < FROM_UNIXTIME(?) ORDER BY expires_at LIMIT 16",
	[STMT_OAUTH_CODE_INSERT] =
	    "INSERT INTO oauth_codes (code_hash, state, next_path, sealed_token, expires_at, browser_hash) "
	    "VALUES (?, ?, ?, ?, FROM_UNIXTIME(?), ?)",
	[STMT_OAUTH_CODE_SEAL] = "UPDATE oauth_codes SET sealed_token = ? WHERE code_hash = ?",
	[STMT_OAUTH_CODE_DELETE] = "DELETE FROM oauth_codes WHERE code_hash = ?",
	[STMT_OAUTH_CODE_GET] = "SELECT state, next_path, sealed_token, IFNULL(browser_hash, '') FROM oauth_codes "
				"WHERE code_hash = ? AND expires_at > FROM_UNIXTIME(?)",
	[STMT_TOKEN_ENSURE] =
	    "INSERT IGNORE INTO platform_tokens (id, token, expires_at, version) VALUES (1, '', FROM_UNIXTIME(1), 0)",
	[STMT_TOKEN_GET] = "SELECT token, UNIX_TIMESTAMP(expires_at), version FROM platform_tokens WHERE id = 1",
	[STMT_TOKEN_SET] =
	    "UPDATE platform_tokens SET token = ?, expires_at = FROM_UNIXTIME(?), version = version + 1, "
	    "refreshing_until = 0 WHERE id = 1",
	[STMT_TOKEN_EXPIRE_IF] = "UPDATE platform_tokens SET expires_at = FROM_UNIXTIME(1) WHERE id = 1 AND token = ?",
	[STMT_PUSH_DEDUP] = "INSERT IGNORE INTO push_dedup (dedup_key, created_at) VALUES (?, FROM_UNIXTIME(?))",
	/* A nonce is claimed when it is new, or when its row's timestamp left the window (expires_at < now):
	 * 1 row inserted, 2 an expired row taken over, 0 a live row left as it was (a replay). The body's
	 * hash is assigned before expires_at, so that both read the row's old expires_at. */
	[STMT_PUSH_NONCE_CLAIM] =
	    "INSERT INTO push_nonces (nonce, body_sha256, expires_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE "
	    "body_sha256 = IF(expires_at < ?, VALUES(body_sha256), body_sha256), "
	    "expires_at = IF(expires_at < ?, VALUES(expires_at), expires_at)",
	[STMT_PUSH_NONCE_GET] = "SELECT body_sha256 FROM push_nonces WHERE nonce = ?",
	/* Each push deletes a few rows past their window: the table holds about the window's pushes. */
	[STMT_PUSH_NONCES_EXPIRE] = "DELETE FROM push_nonces WHERE expires_at < ? LIMIT 8",
	[STMT_ACCOUNT_GET] =
	    "SELECT DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), unionid IS NOT NULL FROM accounts WHERE id = ?",
	[STMT_ACCOUNT_LOCK] = "SELECT id FROM accounts WHERE id = ? FOR UPDATE",
	[STMT_PERSON_BY_INDEX] =
	    "SELECT id, public_id, name_enc, IFNULL(owner_account_id, 0), photo_file FROM persons WHERE id_index = ? "
	    "FOR UPDATE",
	[STMT_SELF_OF_ACCOUNT] = "SELECT person_id FROM holders WHERE self_account = ?",
	[STMT_SELF_OF_PERSON] = "SELECT account_id FROM holders WHERE self_person = ?",
	[STMT_HOLDER_GET] = "SELECT role FROM holders WHERE account_id = ? AND person_id = ?",
	/* A delegate's persons: those it holds and those it waits for. */
	[STMT_DELEGATE_COUNT] = "SELECT (SELECT COUNT(*) FROM holders WHERE account_id = ? AND role = 2) + "
				"(SELECT COUNT(*) FROM delegations WHERE account_id = ? AND status = 0)",
	[STMT_PERSON_INSERT] =
	    "INSERT INTO persons (public_id, code_ref, id_type, id_index, name_masked, id_masked, phone_masked, "
	    "name_enc, id_enc, phone_enc, address_enc, photo_file, photo_type, paper_serial, created_at, "
	    "owner_account_id, submitted_by) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, FROM_UNIXTIME(?), ?, ?)",
	[STMT_HOLDER_INSERT] =
	    "INSERT INTO holders (account_id, person_id, role, relationship, created_at, delegate_person_id) "
	    "VALUES (?, ?, ?, ?, FROM_UNIXTIME(?), ?)",
	[STMT_CODE_INSERT] =
	    "INSERT INTO codes (person_id, color, reason, since, observation_start, observation_until, version) "
	    "VALUES (?, ?, ?, FROM_UNIXTIME(?), ?, ?, 1)",
	[STMT_CODE_GET] = "SELECT color, reason, UNIX_TIMESTAMP(since), observation_start, observation_until, version "
			  "FROM codes WHERE person_id = ?",
	[STMT_CODE_GET_LOCKED] =
	    "SELECT color, reason, UNIX_TIMESTAMP(since), observation_start, observation_until, version "
	    "FROM codes WHERE person_id = ? FOR UPDATE",
	[STMT_CODE_UPDATE] = "UPDATE codes SET color = ?, reason = ?, since = FROM_UNIXTIME(?), observation_start = ?, "
			     "observation_until = ?, version = version + 1 WHERE person_id = ? AND version = ?",
	[STMT_CODE_EVENT_INSERT] =
	    "INSERT INTO code_events (person_id, from_color, to_color, reason, actor_kind, actor, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, FROM_UNIXTIME(?))",
	[STMT_DECLARATION_INSERT] =
	    "INSERT INTO declarations (person_id, account_id, travel_enc, symptoms, temperature_tenths, contact, "
	    "result_color, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, FROM_UNIXTIME(?))",
	[STMT_IDEM_GET] = "SELECT status, response FROM idempotency WHERE account_id = ? AND idem_key = ?",
	[STMT_IDEM_INSERT] =
	    "INSERT INTO idempotency (account_id, idem_key, status, response, created_at) VALUES (?, ?, ?, ?, FROM_UNIXTIME(?))",
	[STMT_RISK_AREAS_LIST] = "SELECT city FROM risk_areas ORDER BY city LIMIT 1000",
	[STMT_RISK_AREAS_CLEAR] = "DELETE FROM risk_areas",
	[STMT_RISK_AREA_INSERT] = "INSERT IGNORE INTO risk_areas (city, created_at) VALUES (?, FROM_UNIXTIME(?))",
	[STMT_PERSON_OF_HOLDER] =
	    "SELECT p.id, p.id_type, p.name_masked, p.id_masked, p.phone_masked, h.role, IFNULL(h.relationship, 0), "
	    "DATE_FORMAT(p.created_at, '%Y-%m-%dT%H:%i:%sZ'), p.photo_file, p.photo_type, p.paper_serial, p.code_ref, "
	    "IFNULL(p.submitted_by, 0), IFNULL(p.owner_account_id, 0) "
	    "FROM persons p JOIN holders h ON h.person_id = p.id WHERE p.public_id = ? AND h.account_id = ?",
	/* A live session (AUTH_HOLDER), the person {id} it holds and the code, only the columns a shown
	 * code needs: h.person_id and the code's columns are NULL when the session's account does not
	 * hold it. The person is joined by its public id (a const table), not by a subquery, and every
	 * column the answer does not use is left out: MariaDB optimizes each execution again, and this
	 * shape costs it about 175 k instructions instead of 245 k (callgrind, 10.11). */
	[STMT_SESSION_PERSON_CODE] =
	    "SELECT s.account_id, s.kind, UNIX_TIMESTAMP(s.last_seen), h.person_id, p.code_ref, "
	    "k.color, k.reason, UNIX_TIMESTAMP(k.since), k.observation_start, k.observation_until, k.version "
	    "FROM sessions s LEFT JOIN persons p ON p.public_id = ? "
	    "LEFT JOIN holders h ON h.account_id = s.account_id AND h.person_id = p.id "
	    "LEFT JOIN codes k ON k.person_id = h.person_id "
	    "WHERE s.id_hash = ? AND s.expires_at > FROM_UNIXTIME(?) AND s.last_seen > FROM_UNIXTIME(?)",
	[STMT_PERSONS_OF_ACCOUNT] =
	    "SELECT p.public_id, p.name_masked, h.role, IFNULL(h.relationship, 0), c.color, p.id, "
	    "IFNULL(p.owner_account_id, 0) = h.account_id FROM holders h JOIN persons p ON p.id = h.person_id JOIN codes c ON c.person_id = p.id "
	    "WHERE h.account_id = ? ORDER BY h.role, h.created_at, p.id LIMIT 64",
	[STMT_REPORTS_SINCE] = "SELECT local_day, symptoms, temperature_tenths FROM health_reports "
			       "WHERE person_id = ? AND local_day >= ? ORDER BY local_day LIMIT 800",
	[STMT_PAPER_REISSUE] = "UPDATE persons SET paper_serial = LAST_INSERT_ID(paper_serial + 1) WHERE id = ?",
	[STMT_ADMIN_INSERT] =
	    "INSERT INTO admins (name, role, token_hash, created_at) VALUES (?, ?, ?, FROM_UNIXTIME(?))",
	[STMT_ADMIN_REVOKE] = "UPDATE admins SET revoked_at = FROM_UNIXTIME(?) WHERE name = ? AND revoked_at IS NULL",
	[STMT_ADMIN_BY_TOKEN] = "SELECT id, name, role FROM admins WHERE token_hash = ? AND revoked_at IS NULL",
	[STMT_CHECKPOINT_INSERT] =
	    "INSERT INTO checkpoints (kind, type, name, district, created_at) VALUES (?, ?, ?, ?, "
	    "FROM_UNIXTIME(?))",
	[STMT_CHECKPOINT_GET] = "SELECT kind, type, name, district, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM "
				"checkpoints WHERE id = ?",
	[STMT_CHECKPOINTS_LIST] = "SELECT id, kind, type, name, district FROM checkpoints ORDER BY id LIMIT ? OFFSET ?",
	[STMT_RESIDENT_INSERT] = "INSERT IGNORE INTO residents (checkpoint_id, person_id, created_at) VALUES (?, ?, "
				 "FROM_UNIXTIME(?))",
	[STMT_PERSON_ID_BY_PUBLIC] = "SELECT id FROM persons WHERE public_id = ?",
	[STMT_PERSON_BY_INDEX_ADMIN] =
	    "SELECT p.id, p.public_id, p.id_type, p.name_masked, p.id_masked, p.phone_masked, c.color, "
	    "c.reason, DATE_FORMAT(c.since, '%Y-%m-%dT%H:%i:%sZ') FROM persons p JOIN codes c ON "
	    "c.person_id = p.id WHERE p.id_index = ?",
	[STMT_PERSON_ADMIN] =
	    "SELECT p.id, p.public_id, p.id_type, p.name_masked, p.id_masked, p.phone_masked, c.color, "
	    "c.reason, DATE_FORMAT(c.since, '%Y-%m-%dT%H:%i:%sZ') FROM persons p JOIN codes c ON "
	    "c.person_id = p.id WHERE p.public_id = ?",
	[STMT_DEVICE_INSERT] = "INSERT INTO devices (checkpoint_id, token_hash, created_at) VALUES (?, ?, "
			       "FROM_UNIXTIME(?))",
	[STMT_DEVICE_REVOKE] = "UPDATE devices SET revoked_at = FROM_UNIXTIME(?) WHERE id = ? AND revoked_at IS NULL",
	[STMT_DEVICE_BY_TOKEN] =
	    "SELECT d.id, d.checkpoint_id, c.kind, c.type FROM devices d JOIN checkpoints c ON c.id = "
	    "d.checkpoint_id WHERE d.token_hash = ? AND d.revoked_at IS NULL",
	[STMT_INTEGRATOR_INSERT] = "INSERT INTO integrators (name, key_id, secret_enc, created_at) VALUES (?, ?, ?, "
				   "FROM_UNIXTIME(?))",
	[STMT_INTEGRATOR_CHECKPOINT_INSERT] =
	    "INSERT INTO integrator_checkpoints (integrator_id, checkpoint_id) VALUES (?, ?)",
	[STMT_INTEGRATOR_BY_KEY] = "SELECT id, secret_enc FROM integrators WHERE key_id = ? AND revoked_at IS NULL",
	[STMT_INTEGRATOR_REVOKE] =
	    "UPDATE integrators SET revoked_at = FROM_UNIXTIME(?) WHERE key_id = ? AND revoked_at IS NULL",
	[STMT_INTEGRATOR_CHECKPOINT] =
	    "SELECT c.kind, c.type FROM integrator_checkpoints ic JOIN checkpoints c ON c.id = "
	    "ic.checkpoint_id WHERE ic.integrator_id = ? AND ic.checkpoint_id = ?",
	[STMT_NONCE_INSERT] = "INSERT INTO nonces (integrator_id, nonce, created_at) VALUES (?, ?, FROM_UNIXTIME(?))",
	[STMT_NONCES_PURGE] = "DELETE FROM nonces WHERE created_at < FROM_UNIXTIME(?) LIMIT 10000",
	[STMT_SCAN_PERSON] =
	    "SELECT p.id, p.paper_serial, p.name_masked, p.id_masked, p.id_type, c.color, EXISTS "
	    "(SELECT 1 FROM residents r WHERE r.checkpoint_id = ? AND r.person_id = p.id) FROM persons "
	    "p JOIN codes c ON c.person_id = p.id WHERE p.code_ref = ?",
	[STMT_SCAN_CLIENT_GET] = "SELECT result FROM scan_clients WHERE integrator_id = ? AND client_id = ?",
	[STMT_SCAN_CLIENT_INSERT] =
	    "INSERT INTO scan_clients (integrator_id, client_id, scan_id, result, created_at) VALUES "
	    "(?, ?, ?, ?, FROM_UNIXTIME(?))",
	[STMT_SCANS_OF_PERSON] =
	    "SELECT s.id, DATE_FORMAT(s.scanned_at, '%Y-%m-%dT%H:%i:%s.%fZ'), s.checkpoint_id, ck.name, "
	    "s.direction, s.verdict, s.reasons, IF(s.place_code_id IS NOT NULL, 'place', "
	    "IF(s.integrator_id IS NOT NULL, 'integrator', 'device')) FROM scans s JOIN checkpoints ck ON ck.id = "
	    "s.checkpoint_id WHERE s.person_id = ? ORDER BY s.scanned_at DESC LIMIT 500",
	[STMT_EVENTS_OF_PERSON] =
	    "SELECT from_color, to_color, reason, actor_kind, actor, DATE_FORMAT(created_at, "
	    "'%Y-%m-%dT%H:%i:%sZ') FROM code_events WHERE person_id = ? ORDER BY id DESC LIMIT 500",
	[STMT_AUDIT_INSERT] =
	    "INSERT INTO audit_log (actor, role, action, target, request_id, created_at) VALUES (?, ?, "
	    "?, ?, ?, FROM_UNIXTIME(?))",
	[STMT_AUDIT_LIST] =
	    "SELECT id, actor, role, action, IFNULL(target, ''), IFNULL(request_id, ''), "
	    "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM audit_log WHERE id < ? ORDER BY id DESC "
	    "LIMIT ?",
	[STMT_PARTITIONS_LIST] =
	    "SELECT PARTITION_NAME, IFNULL(PARTITION_DESCRIPTION, '') FROM "
	    "information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'scans' "
	    "ORDER BY PARTITION_ORDINAL_POSITION",
	ROWS_POW2(STMT_SCAN_LOOKUP, SCAN_LOOKUP),
	ROWS_POW2(STMT_SCAN_ILOOKUP, SCAN_ILOOKUP),
	[STMT_SCAN_INSERT_1] = SCAN_INSERT SCAN_ROWS_1,
	[STMT_SCAN_INSERT_2] = SCAN_INSERT SCAN_ROWS_2,
	[STMT_SCAN_INSERT_3] = SCAN_INSERT SCAN_ROWS_3,
	[STMT_SCAN_INSERT_4] = SCAN_INSERT SCAN_ROWS_4,
	[STMT_SCAN_INSERT_5] = SCAN_INSERT SCAN_ROWS_5,
	[STMT_SCAN_INSERT_6] = SCAN_INSERT SCAN_ROWS_6,
	[STMT_SCAN_INSERT_7] = SCAN_INSERT SCAN_ROWS_7,
	[STMT_SCAN_INSERT_8] = SCAN_INSERT SCAN_ROWS_8,
	[STMT_SCAN_INSERT_9] = SCAN_INSERT SCAN_ROWS_9,
	[STMT_SCAN_INSERT_10] = SCAN_INSERT SCAN_ROWS_10,
	[STMT_SCAN_INSERT_11] = SCAN_INSERT SCAN_ROWS_11,
	[STMT_SCAN_INSERT_12] = SCAN_INSERT SCAN_ROWS_12,
	[STMT_SCAN_INSERT_13] = SCAN_INSERT SCAN_ROWS_13,
	[STMT_SCAN_INSERT_14] = SCAN_INSERT SCAN_ROWS_14,
	[STMT_SCAN_INSERT_15] = SCAN_INSERT SCAN_ROWS_15,
	[STMT_SCAN_INSERT_16] = SCAN_INSERT SCAN_ROWS_16,
	[STMT_SCAN_INSERT_17] = SCAN_INSERT SCAN_ROWS_17,
	[STMT_SCAN_INSERT_18] = SCAN_INSERT SCAN_ROWS_18,
	[STMT_SCAN_INSERT_19] = SCAN_INSERT SCAN_ROWS_19,
	[STMT_SCAN_INSERT_20] = SCAN_INSERT SCAN_ROWS_20,
	[STMT_SCAN_INSERT_21] = SCAN_INSERT SCAN_ROWS_21,
	[STMT_SCAN_INSERT_22] = SCAN_INSERT SCAN_ROWS_22,
	[STMT_SCAN_INSERT_23] = SCAN_INSERT SCAN_ROWS_23,
	[STMT_SCAN_INSERT_24] = SCAN_INSERT SCAN_ROWS_24,
	[STMT_SCAN_INSERT_25] = SCAN_INSERT SCAN_ROWS_25,
	[STMT_SCAN_INSERT_26] = SCAN_INSERT SCAN_ROWS_26,
	[STMT_SCAN_INSERT_27] = SCAN_INSERT SCAN_ROWS_27,
	[STMT_SCAN_INSERT_28] = SCAN_INSERT SCAN_ROWS_28,
	[STMT_SCAN_INSERT_29] = SCAN_INSERT SCAN_ROWS_29,
	[STMT_SCAN_INSERT_30] = SCAN_INSERT SCAN_ROWS_30,
	[STMT_SCAN_INSERT_31] = SCAN_INSERT SCAN_ROWS_31,
	[STMT_SCAN_INSERT_32] = SCAN_INSERT SCAN_ROWS_32,
	[STMT_CHECKPOINT_BY_NAME] = "SELECT id FROM checkpoints WHERE name = ? ORDER BY id LIMIT 1",
	[STMT_BENCH_PERSON_COUNT] = "SELECT COUNT(*) FROM persons WHERE public_id LIKE 'bench%'",
	[STMT_BENCH_CHECKPOINT_COUNT] = "SELECT COUNT(*) FROM checkpoints WHERE name LIKE 'Bench Place %'",
	[STMT_BENCH_PERSONS] =
	    "INSERT IGNORE INTO persons (public_id, code_ref, id_type, id_index, name_masked, "
	    "id_masked, phone_masked, name_enc, id_enc, phone_enc, address_enc, photo_file, photo_type, "
	    "paper_serial, created_at) SELECT CONCAT('bench', LPAD(seq, 17, '0')), 4611686018427387904 "
	    "+ seq, 1, UNHEX(SHA2(CONCAT('bench-person-', seq), 256)), '-*', '000***********0000', "
	    "'100****0000', x'00', x'00', x'00', x'00', 'bench', 1, 1, FROM_UNIXTIME(?) FROM "
	    "seq_1_to_100000",
	[STMT_BENCH_CODES] =
	    "INSERT IGNORE INTO codes (person_id, color, reason, since, version) SELECT id, 1, 'NONE', "
	    "FROM_UNIXTIME(?), 1 FROM persons WHERE public_id LIKE 'bench%'",
	[STMT_BENCH_CHECKPOINTS] = "INSERT INTO checkpoints (kind, type, name, district, created_at) SELECT 1, 5, "
				   "CONCAT('Bench Place ', seq), 'Bench District', FROM_UNIXTIME(?) FROM seq_1_to_1000",
	[STMT_BENCH_FIRST_PERSON] = "SELECT MIN(id) FROM persons WHERE public_id LIKE 'bench%'",
	[STMT_BENCH_FIRST_CHECKPOINT] = "SELECT MIN(id) FROM checkpoints WHERE name LIKE 'Bench Place %'",
	[STMT_BENCH_SCANS] =
	    "INSERT INTO scans (id, local_day, scanned_at, checkpoint_id, device_id, integrator_id, person_id, "
	    "token_kind, direction, temperature_tenths, verdict, reasons, visitor_enc) "
	    "SELECT x.id, FLOOR((? + ((x.id % 1000003) * 7919) % 1209600 + ?) / 86400), "
	    "FROM_UNIXTIME(? + ((x.id % 1000003) * 7919) % 1209600), ? + ((x.id % 1000033) * 104729) % 1000, "
	    "NULL, NULL, ? + ((x.id % 999983) * 15485863) % 100000, 1, 0, 365, 0, 0, NULL "
	    "FROM (SELECT ? + seq AS id FROM seq_1_to_200000 WHERE seq <= ?) x",
	[STMT_REPORT_INSERT] = "INSERT INTO health_reports (person_id, local_day, account_id, symptoms, "
			       "temperature_tenths, created_at) VALUES (?, ?, ?, ?, ?, FROM_UNIXTIME(?))",
	[STMT_REPORTS_LIST] = "SELECT local_day, symptoms, temperature_tenths, DATE_FORMAT(created_at, "
			      "'%Y-%m-%dT%H:%i:%sZ') FROM health_reports WHERE person_id = ? ORDER BY local_day DESC "
			      "LIMIT 60",
	[STMT_RED_CODES_AFTER] =
	    "SELECT person_id FROM codes WHERE color = 2 AND person_id > ? ORDER BY person_id LIMIT 500",
	[STMT_REMINDER_TARGETS] =
	    "SELECT h.account_id, a.openid, p.public_id, p.name_masked FROM holders h JOIN accounts a "
	    "ON a.id = h.account_id JOIN persons p ON p.id = h.person_id WHERE h.person_id = ?",
	[STMT_REMINDER_CLAIM] =
	    "INSERT IGNORE INTO reminders (person_id, local_day, account_id, status, created_at) VALUES "
	    "(?, ?, ?, 'pending', FROM_UNIXTIME(?))",
	[STMT_REMINDER_STATUS] =
	    "SELECT status FROM reminders WHERE person_id = ? AND local_day = ? AND account_id = ?",
	[STMT_REMINDER_DONE] = "UPDATE reminders SET status = ?, errcode = ? WHERE person_id = ? AND local_day = ? AND "
			       "account_id = ?",
	[STMT_REPORTS_PURGE] = "DELETE FROM health_reports WHERE local_day < ? LIMIT 10000",
	[STMT_REMINDERS_PURGE] = "DELETE FROM reminders WHERE local_day < ? LIMIT 10000",
	[STMT_SESSIONS_PURGE] = "DELETE FROM sessions WHERE expires_at < FROM_UNIXTIME(?) LIMIT 10000",
	[STMT_STATES_PURGE] = "DELETE FROM oauth_states WHERE expires_at < FROM_UNIXTIME(?) LIMIT 10000",
	[STMT_OAUTH_CODES_PURGE] = "DELETE FROM oauth_codes WHERE expires_at < FROM_UNIXTIME(?) LIMIT 10000",
	[STMT_PUSH_DEDUP_PURGE] = "DELETE FROM push_dedup WHERE created_at < FROM_UNIXTIME(?) LIMIT 10000",
	[STMT_PUSH_NONCES_PURGE] = "DELETE FROM push_nonces WHERE expires_at < ? LIMIT 10000",
	[STMT_IDEM_PURGE] = "DELETE FROM idempotency WHERE created_at < FROM_UNIXTIME(?) LIMIT 10000",
	[STMT_SCAN_CLIENTS_PURGE] = "DELETE FROM scan_clients WHERE created_at < FROM_UNIXTIME(?) LIMIT 10000",
	[STMT_TOKEN_CLAIM] =
	    "UPDATE platform_tokens SET refreshing_until = ? WHERE id = 1 AND refreshing_until < ? AND "
	    "UNIX_TIMESTAMP(expires_at) - ? <= 300",
	[STMT_TOKEN_RELEASE] = "UPDATE platform_tokens SET refreshing_until = 0 WHERE id = 1",
	/* Stray rows the first partition holds below its days (partition pruning keeps it cheap). */
	[STMT_SCANS_PURGE] = "DELETE FROM scans WHERE local_day < ? LIMIT 10000",
	/* A device's scan in one round trip: the device (and its checkpoint) and the person. */
	/* A trace in two index range scans: the case's entries, then who entered each checkpoint
	 * within the window of each entry ((checkpoint_id, scanned_at) as a range, not a join). */
	[STMT_TRACE_CASE] =
	    "SELECT s.checkpoint_id, ck.name, DATE_FORMAT(s.scanned_at, '%Y-%m-%d %H:%i:%s.%f'), "
	    "DATE_FORMAT(s.scanned_at, '%Y-%m-%dT%H:%i:%sZ') FROM scans s JOIN checkpoints ck ON ck.id = s.checkpoint_id "
	    "WHERE s.person_id = ? AND s.scanned_at >= FROM_UNIXTIME(?) AND s.scanned_at < FROM_UNIXTIME(?) "
	    "AND s.local_day BETWEEN ? AND ? AND s.direction = 0 ORDER BY s.scanned_at LIMIT 500",
	[STMT_TRACE_AT] =
	    "SELECT o.person_id, p.public_id, p.name_masked, p.id_masked, DATE_FORMAT(o.scanned_at, '%Y-%m-%dT%H:%i:%sZ') "
	    "FROM scans o JOIN persons p ON p.id = o.person_id WHERE o.checkpoint_id = ? "
	    "AND o.scanned_at BETWEEN CAST(? AS DATETIME(3)) - INTERVAL ? MINUTE AND CAST(? AS DATETIME(3)) + INTERVAL ? MINUTE "
	    "AND o.local_day BETWEEN ? AND ? AND o.direction = 0 AND o.person_id <> ? ORDER BY o.scanned_at LIMIT 1000",
	/* Place codes (DESIGN §11): a poster's token by its hash, a door screen by its id, each with
	 * its checkpoint and whether it (or its place code) was revoked. */
	[STMT_PLACE_CODE_INSERT] = "INSERT INTO place_codes (checkpoint_id, label, token_hash, token_enc, created_at) "
				   "VALUES (?, ?, ?, ?, FROM_UNIXTIME(?))",
	[STMT_PLACE_CODE_GET] =
	    "SELECT pc.id, pc.checkpoint_id, pc.label, pc.token_hash, pc.token_enc, "
	    "DATE_FORMAT(pc.created_at, '%Y-%m-%dT%H:%i:%sZ'), pc.revoked_at IS NOT NULL, c.kind, c.type, c.name, "
	    "c.district FROM place_codes pc JOIN checkpoints c ON c.id = pc.checkpoint_id WHERE pc.id = ?",
	[STMT_PLACE_CODES_LIST] =
	    "SELECT pc.id, pc.checkpoint_id, pc.label, pc.token_hash, pc.token_enc, "
	    "DATE_FORMAT(pc.created_at, '%Y-%m-%dT%H:%i:%sZ'), pc.revoked_at IS NOT NULL, c.kind, c.type, c.name, "
	    "c.district FROM place_codes pc JOIN checkpoints c ON c.id = pc.checkpoint_id "
	    "WHERE (? = 0 OR pc.checkpoint_id = ?) AND pc.id > ? ORDER BY pc.id LIMIT ?",
	[STMT_PLACE_CODE_REVOKE] =
	    "UPDATE place_codes SET revoked_at = FROM_UNIXTIME(?) WHERE id = ? AND revoked_at IS NULL",
	[STMT_PLACE_BY_TOKEN] =
	    "SELECT pc.id, pc.checkpoint_id, pc.label, pc.revoked_at IS NOT NULL, c.kind, c.type, c.name "
	    "FROM place_codes pc JOIN checkpoints c ON c.id = pc.checkpoint_id WHERE pc.token_hash = ?",
	[STMT_PLACE_BY_DISPLAY] =
	    "SELECT pc.id, pc.checkpoint_id, pc.label, pc.revoked_at IS NOT NULL OR d.revoked_at IS NOT NULL, "
	    "c.kind, c.type, c.name FROM place_displays d JOIN place_codes pc ON pc.id = d.place_code_id "
	    "JOIN checkpoints c ON c.id = pc.checkpoint_id WHERE d.id = ?",
	[STMT_PLACE_DISPLAY_INSERT] =
	    "INSERT INTO place_displays (place_code_id, token_hash, created_at) VALUES (?, ?, FROM_UNIXTIME(?))",
	[STMT_PLACE_DISPLAY_BY_TOKEN] =
	    "SELECT d.id, pc.id, pc.checkpoint_id, pc.label, pc.revoked_at IS NOT NULL OR d.revoked_at IS NOT NULL, "
	    "c.kind, c.type, c.name FROM place_displays d JOIN place_codes pc ON pc.id = d.place_code_id "
	    "JOIN checkpoints c ON c.id = pc.checkpoint_id WHERE d.token_hash = ?",
	/* The persons an account holds (its own first), each with its code, whether it is a resident
	 * of the checkpoint, and its latest check-in through the place code in that direction since a
	 * time ("scan id:verdict:reasons", or NULL). */
	[STMT_PLACE_PERSONS] =
	    "SELECT p.id, p.public_id, p.name_masked, p.id_masked, h.role, IFNULL(h.relationship, 0), k.color, "
	    "EXISTS (SELECT 1 FROM residents r WHERE r.checkpoint_id = ? AND r.person_id = p.id), "
	    "(SELECT CONCAT(s.id, ':', s.verdict, ':', s.reasons) FROM scans s WHERE s.person_id = p.id "
	    "AND s.scanned_at >= FROM_UNIXTIME(? / 1000) AND s.local_day BETWEEN ? AND ? AND s.place_code_id = ? "
	    "AND s.direction = ? ORDER BY s.scanned_at DESC LIMIT 1) "
	    "FROM holders h JOIN persons p ON p.id = h.person_id JOIN codes k ON k.person_id = p.id "
	    "WHERE h.account_id = ? ORDER BY h.role, h.created_at, p.id LIMIT 64",
	ROWS_POW2(STMT_PLACE_CHECKIN, PLACE_CHECKIN),
	ROWS_POW2(STMT_PLACE_CLAIM, PLACE_CLAIM),
	[STMT_PLACE_LAST_PURGE] = "DELETE FROM place_last WHERE at_ms < ? LIMIT 10000",
	/* A job's lease (hqrctl jobs): one UPDATE claims it when free or run out; on Galera two hosts
	 * claiming at once conflict at certification and the one that runs again finds it taken. */
	[STMT_JOB_CLAIM] = "UPDATE job_leases SET holder = ?, lease_until = ? WHERE name = ? AND lease_until < ?",
	[STMT_JOB_HOLDER] = "SELECT holder, lease_until FROM job_leases WHERE name = ?",
	[STMT_JOB_RELEASE] = "UPDATE job_leases SET lease_until = 0 WHERE name = ? AND holder = ?",
	/* A holder known dead (a process of this host that is gone) is replaced only if still there. */
	[STMT_JOB_TAKEOVER] = "UPDATE job_leases SET holder = ?, lease_until = ? WHERE name = ? AND holder = ?",
	[STMT_JOB_RENEW] = "UPDATE job_leases SET lease_until = ? WHERE name = ? AND holder = ?",
	/* ---- whose code is it: verifications, owners, delegations ---- */
	[STMT_ACCOUNT_OPENID] = "SELECT openid FROM accounts WHERE id = ?",
	[STMT_VERIF_COUNT_SINCE] =
	    "SELECT COUNT(*), IFNULL(SUM(status = 2), 0) FROM verifications WHERE account_id = ? "
	    "AND created_at >= FROM_UNIXTIME(?)",
	[STMT_VERIF_INSERT] =
	    "INSERT INTO verifications (public_id, account_id, id_index, name_enc, id_enc, name_masked, verify_hash, "
	    "verify_id, next_path, status, created_at, expires_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, FROM_UNIXTIME(?), FROM_UNIXTIME(?))",
	[STMT_VERIF_BY_HASH] =
	    "SELECT v.id, v.public_id, v.status, v.name_enc, v.id_enc, v.verify_id, v.next_path, a.openid, "
	    "UNIX_TIMESTAMP(v.expires_at) FROM verifications v JOIN accounts a ON a.id = v.account_id "
	    "WHERE v.verify_hash = ?",
	/* One callback asks the platform (a verify_id answers one query): 4 = being asked. */
	[STMT_VERIF_CLAIM] = "UPDATE verifications SET status = 4 WHERE id = ? AND status = 0",
	[STMT_VERIF_DONE] =
	    "UPDATE verifications SET status = ?, verify_ret = ?, expires_at = FROM_UNIXTIME(?) WHERE id = ? AND status = 4",
	[STMT_VERIF_GET] = "SELECT status, verify_ret, name_masked, UNIX_TIMESTAMP(expires_at) FROM verifications "
			   "WHERE public_id = ? AND account_id = ?",
	[STMT_VERIF_FOR_APP] = "SELECT id, status, id_index, name_enc, UNIX_TIMESTAMP(expires_at) FROM verifications "
			       "WHERE public_id = ? AND account_id = ? FOR UPDATE",
	[STMT_VERIF_USE] =
	    "UPDATE verifications SET status = 3, used_at = FROM_UNIXTIME(?) WHERE id = ? AND status = 1",
	/* The verified owner's details replace those a delegate submitted. */
	[STMT_PERSON_TAKEOVER] =
	    "UPDATE persons SET owner_account_id = ?, submitted_by = ?, name_masked = ?, id_masked = ?, "
	    "phone_masked = ?, name_enc = ?, id_enc = ?, phone_enc = ?, address_enc = ?, photo_file = ?, "
	    "photo_type = ? WHERE id = ? AND owner_account_id IS NULL",
	[STMT_SELF_DEMOTE] =
	    "UPDATE holders SET role = 2, relationship = 7 WHERE person_id = ? AND role = 1 AND account_id <> ?",
	[STMT_HOLDER_MAKE_SELF] = "UPDATE holders SET role = 1, relationship = NULL, delegate_person_id = NULL "
				  "WHERE account_id = ? AND person_id = ?",
	[STMT_OWNED_PERSON] = "SELECT id, name_masked FROM persons WHERE owner_account_id = ?",
	[STMT_HOLDER_COUNT_PERSON] = "SELECT COUNT(*) FROM holders WHERE person_id = ?",
	[STMT_REFUSALS_GET] = "SELECT n FROM refusals WHERE account_id = ? AND local_day = ?",
	[STMT_REFUSAL_ADD] =
	    "INSERT INTO refusals (account_id, local_day, n) VALUES (?, ?, 1) ON DUPLICATE KEY UPDATE n = n + 1",
	[STMT_DELEGATION_PENDING_GET] =
	    "SELECT id FROM delegations WHERE person_id = ? AND account_id = ? AND status = 0",
	[STMT_DELEGATION_INSERT] =
	    "INSERT INTO delegations (person_id, account_id, delegate_person_id, relationship, status, created_at) "
	    "VALUES (?, ?, ?, ?, 0, FROM_UNIXTIME(?))",
	[STMT_DELEGATION_FOR_OWNER] =
	    "SELECT d.person_id, d.account_id, d.delegate_person_id, d.relationship, d.status, p.public_id, "
	    "dp.name_masked FROM delegations d JOIN persons p ON p.id = d.person_id "
	    "JOIN persons dp ON dp.id = d.delegate_person_id WHERE d.id = ? AND p.owner_account_id = ? FOR UPDATE",
	[STMT_DELEGATION_DECIDE] =
	    "UPDATE delegations SET status = ?, decided_at = FROM_UNIXTIME(?) WHERE id = ? AND status = 0",
	[STMT_HOLDERS_OF_PERSON] =
	    "SELECT h.id, h.role, IFNULL(h.relationship, 0), IFNULL(dp.name_masked, ''), "
	    "DATE_FORMAT(h.created_at, '%Y-%m-%dT%H:%i:%sZ'), h.account_id = ? FROM holders h "
	    "LEFT JOIN persons dp ON dp.id = h.delegate_person_id WHERE h.person_id = ? ORDER BY h.id LIMIT 32",
	[STMT_PENDING_OF_PERSON] =
	    "SELECT d.id, d.relationship, dp.name_masked, DATE_FORMAT(d.created_at, '%Y-%m-%dT%H:%i:%sZ') "
	    "FROM delegations d JOIN persons dp ON dp.id = d.delegate_person_id "
	    "WHERE d.person_id = ? AND d.status = 0 ORDER BY d.id LIMIT 32",
	[STMT_HOLDER_FOR_REMOVAL] =
	    "SELECT h.account_id, h.role, p.id, IFNULL(p.owner_account_id, 0) FROM holders h "
	    "JOIN persons p ON p.id = h.person_id WHERE h.id = ? AND p.public_id = ? FOR UPDATE",
	[STMT_HOLDER_DELETE] = "DELETE FROM holders WHERE id = ?",
	[STMT_OWNER_OPENID] =
	    "SELECT a.openid FROM persons p JOIN accounts a ON a.id = p.owner_account_id WHERE p.id = ?",
	[STMT_HOLDER_OPENIDS] = "SELECT a.openid FROM holders h JOIN accounts a ON a.id = h.account_id "
				"WHERE h.person_id = ? AND h.account_id <> ? ORDER BY h.id LIMIT 16",
	[STMT_REFUSALS_PURGE] = "DELETE FROM refusals WHERE local_day < ? LIMIT 10000",
	[STMT_VERIFS_PURGE] = "DELETE FROM verifications WHERE expires_at < FROM_UNIXTIME(?) LIMIT 10000",
};
#pragma GCC diagnostic pop
