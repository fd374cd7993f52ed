/* codes.h: a person's code: load, convert on read (DESIGN §4), change with an event, render. */
#ifndef HQR_CODES_H
#define HQR_CODES_H
#include <stdint.h>

#include "db.h"
#include "rules.h"

struct conf;
struct cJSON;

struct code_state {
	int color; /* enum rules_color */
	char reason[41];
	int64_t since;                /* unix seconds of the last color change */
	int has_obs;                  /* observation_start/until are set (a red code) */
	int32_t obs_start, obs_until; /* local day numbers; obs_until is the base end */
	uint32_t version;
};

struct code_status {
	int has_obs; /* the code is red with an observation: obs holds the report status */
	struct rules_obs_out obs;
};

void codes_rules(const struct conf *c, struct rules_conf *rc);
enum db_rc codes_load(struct db *db, uint64_t person, int lock, struct code_state *out);
/* A code row's columns in a wider select (STMT_CODE_GET's six, in order: color, reason, since,
 * observation_start, observation_until, version): codes_cols binds them at cols[0..6) into b and
 * out; after the fetch, codes_cols_done completes out. */
#define CODES_NCOLS 6
struct code_cols_buf {
	int32_t color, start, until;
	uint32_t version;
};
void codes_cols(struct code_cols_buf *b, struct code_state *out, struct db_col cols[CODES_NCOLS]);
void codes_cols_done(const struct code_cols_buf *b, const struct db_col cols[CODES_NCOLS], struct code_state *out);
/* Reads the code and, for a red code under observation, computes the report status and turns it
 * green when DESIGN §4's conditions all hold (recorded in code_events with the rule as actor). */
enum db_rc codes_read(struct db *db, const struct conf *c, uint64_t person, int64_t now, struct code_state *code,
		      struct code_status *st);
/* codes_read for a code already loaded (by codes_load or codes_cols). */
enum db_rc codes_read_loaded(struct db *db, const struct conf *c, uint64_t person, int64_t now, struct code_state *code,
			     struct code_status *st);
/* Writes next over old (same version, inside the caller's transaction) and records the event. */
enum db_rc codes_change(struct db *db, uint64_t person, const struct code_state *old, const struct code_state *next,
			const char *actor_kind, const char *actor, int64_t now);
/* Makes person's code as first (version 1, since now) and records the event from none. */
enum db_rc codes_create(struct db *db, uint64_t person, const struct code_state *first, const char *actor_kind,
			const char *actor, int64_t now);
/* {"color","reason","since","observation_until","report":{...}} (refresh fields added by caller). */
struct cJSON *codes_json(const struct code_state *code, const struct code_status *st, int64_t now);

#endif
