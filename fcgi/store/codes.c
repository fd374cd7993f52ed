/* codes.c: a person's code: load, convert on read, change with an event, render as JSON. */
#include "codes.h"
#include "clock.h"
#include "conf.h"
#include "isotime.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define REPORTS_MAX 800

void codes_rules(const struct conf *c, struct rules_conf *rc)
{
	memset(rc, 0, sizeof *rc);
	rc->fever_tenths = c->fever_tenths;
	rc->observation_days = c->observation_days;
}

enum db_rc codes_load(struct db *db, uint64_t person, int lock, struct code_state *out)
{
	struct code_cols_buf b;
	struct db_col cols[CODES_NCOLS + 1];
	codes_cols(&b, out, cols);
	cols[CODES_NCOLS] = (struct db_col)DBC_END;
	struct db_param p[] = { DBP_U64(&person), DBP_END };
	enum db_rc rc = db_exec(db, lock ? STMT_CODE_GET_LOCKED : STMT_CODE_GET, p, cols);
	if (rc == DB_OK)
		codes_cols_done(&b, cols, out);
	return rc;
}

/* Computes the report status of a red code under observation. */
static enum db_rc status_of(struct db *db, const struct conf *c, uint64_t person, const struct code_state *code,
			    int32_t today, struct code_status *st)
{
	static _Thread_local struct rules_report reps[REPORTS_MAX];
	memset(st, 0, sizeof *st);
	if (code->color != RULES_COLOR_RED || !code->has_obs)
		return DB_OK;
	int32_t day = 0, temp = 0, since = code->obs_start;
	uint32_t sym = 0;
	struct db_param p[] = { DBP_U64(&person), DBP_I32(&since), DBP_END };
	struct db_col cols[] = { DBC_I32(&day), DBC_I32((int32_t *)&sym), DBC_I32(&temp), DBC_END };
	enum db_rc rc = db_query(db, STMT_REPORTS_SINCE, p, cols);
	if (rc != DB_OK)
		return rc;
	size_t n = 0;
	while ((rc = db_fetch(db)) == DB_OK) {
		if (n < REPORTS_MAX)
			reps[n++] = (struct rules_report){ day, sym, temp };
	}
	if (rc != DB_NOROW)
		return rc;
	struct rules_conf rcf;
	codes_rules(c, &rcf);
	struct rules_obs obs = { code->obs_start, code->obs_until, n > 0 ? reps : NULL, n };
	if (rules_conversion(&rcf, &obs, today, &st->obs) != 0) {
		log_error("conversion rules refused a stored observation");
		return DB_ERR;
	}
	st->has_obs = 1;
	return DB_OK;
}

/* Records a code's change from color from to next's. */
static enum db_rc event_insert(struct db *db, uint64_t person, int32_t from, const struct code_state *next,
			       const char *actor_kind, const char *actor, int64_t now)
{
	int32_t to = next->color;
	struct db_param e[] = { DBP_U64(&person),     DBP_I32(&from),  DBP_I32(&to),  DBP_TEXT(next->reason),
				DBP_TEXT(actor_kind), DBP_TEXT(actor), DBP_I64(&now), DBP_END };
	return db_exec(db, STMT_CODE_EVENT_INSERT, e, NULL);
}

enum db_rc codes_change(struct db *db, uint64_t person, const struct code_state *old, const struct code_state *next,
			const char *actor_kind, const char *actor, int64_t now)
{
	int32_t color = next->color, start = next->obs_start, until = next->obs_until, ver = (int32_t)old->version;
	struct db_param p[] = { DBP_I32(&color),
				DBP_TEXT(next->reason),
				DBP_I64(&next->since),
				next->has_obs ? (struct db_param)DBP_I32(&start) : (struct db_param)DBP_NULL(DBT_I32),
				next->has_obs ? (struct db_param)DBP_I32(&until) : (struct db_param)DBP_NULL(DBT_I32),
				DBP_U64(&person),
				DBP_I32(&ver),
				DBP_END };
	enum db_rc rc = db_exec(db, STMT_CODE_UPDATE, p, NULL);
	if (rc != DB_OK)
		return rc;
	if (db_affected(db) != 1)
		return DB_NOROW; /* someone changed it first */
	if (old->color == next->color && strcmp(old->reason, next->reason) == 0 && old->obs_start == next->obs_start &&
	    old->obs_until == next->obs_until)
		return DB_OK;
	return event_insert(db, person, old->color, next, actor_kind, actor, now);
}

enum db_rc codes_create(struct db *db, uint64_t person, const struct code_state *first, const char *actor_kind,
			const char *actor, int64_t now)
{
	int32_t color = first->color, start = first->obs_start, until = first->obs_until;
	struct db_param p[] = { DBP_U64(&person),
				DBP_I32(&color),
				DBP_TEXT(first->reason),
				DBP_I64(&now),
				first->has_obs ? (struct db_param)DBP_I32(&start) : (struct db_param)DBP_NULL(DBT_I32),
				first->has_obs ? (struct db_param)DBP_I32(&until) : (struct db_param)DBP_NULL(DBT_I32),
				DBP_END };
	enum db_rc rc = db_exec(db, STMT_CODE_INSERT, p, NULL);
	return rc == DB_OK ? event_insert(db, person, RULES_COLOR_NONE, first, actor_kind, actor, now) : rc;
}

void codes_cols(struct code_cols_buf *b, struct code_state *out, struct db_col cols[CODES_NCOLS])
{
	memset(out, 0, sizeof *out);
	memset(b, 0, sizeof *b);
	cols[0] = (struct db_col)DBC_I32(&b->color);
	cols[1] = (struct db_col)DBC_TEXT(out->reason, sizeof out->reason);
	cols[2] = (struct db_col)DBC_I64(&out->since);
	cols[3] = (struct db_col)DBC_I32(&b->start);
	cols[4] = (struct db_col)DBC_I32(&b->until);
	cols[5] = (struct db_col)DBC_I32((int32_t *)&b->version);
}

void codes_cols_done(const struct code_cols_buf *b, const struct db_col cols[CODES_NCOLS], struct code_state *out)
{
	out->color = b->color;
	out->has_obs = !cols[3].null && !cols[4].null;
	out->obs_start = b->start;
	out->obs_until = b->until;
	out->version = b->version;
}

enum db_rc codes_read(struct db *db, const struct conf *c, uint64_t person, int64_t now, struct code_state *code,
		      struct code_status *st)
{
	enum db_rc rc = codes_load(db, person, 0, code);
	return rc == DB_OK ? codes_read_loaded(db, c, person, now, code, st) : rc;
}

enum db_rc codes_read_loaded(struct db *db, const struct conf *c, uint64_t person, int64_t now, struct code_state *code,
			     struct code_status *st)
{
	int32_t today = clock_local_day(now);
	enum db_rc rc = status_of(db, c, person, code, today, st);
	if (rc != DB_OK || !st->has_obs || !(st->obs.converts || st->obs.restarted))
		return rc;
	/* Conversion (or a restart to store) happens under the row lock, once; a transaction that a
	 * deadlock or a certification conflict rolled back runs again (and may find it done). */
	int attempt = 0;
again:
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	struct code_state locked;
	rc = codes_load(db, person, 1, &locked);
	if (rc == DB_OK)
		rc = status_of(db, c, person, &locked, today, st);
	if (rc == DB_OK && st->has_obs && (st->obs.converts || st->obs.restarted)) {
		struct code_state next = locked;
		if (st->obs.converts) {
			next.color = RULES_COLOR_GREEN;
			snprintf(next.reason, sizeof next.reason, "OBSERVATION_COMPLETED");
			next.since = now;
			next.has_obs = 0;
			next.obs_start = next.obs_until = 0;
		} else {
			next.obs_start = st->obs.start_day;
			next.obs_until = st->obs.base_until;
		}
		rc = codes_change(db, person, &locked, &next, "rule", "conversion", now);
		if (rc == DB_OK) {
			next.version = locked.version + 1;
			*code = next;
			if (st->obs.converts)
				st->has_obs = 0;
		}
	} else if (rc == DB_OK) {
		*code = locked;
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	if (db_txn_again(db, rc, attempt++))
		goto again;
	return rc;
}

static void day_text(int32_t day, char out[DAY_BUF])
{
	if (!day_format(day, out))
		out[0] = '\0';
}

cJSON *codes_json(const struct code_state *code, const struct code_status *st, int64_t now)
{
	char since[32], buf[DAY_BUF];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "color", rules_color_word((enum rules_color)code->color));
	cJSON_AddStringToObject(o, "reason", code->reason);
	isotime_format(code->since, since);
	cJSON_AddStringToObject(o, "since", since);
	cJSON *rep = cJSON_CreateObject();
	if (st != NULL && st->has_obs) {
		day_text(st->obs.until_day, buf);
		cJSON_AddStringToObject(o, "observation_until", buf);
		cJSON_AddBoolToObject(rep, "required", true);
		cJSON_AddBoolToObject(rep, "today_done", st->obs.today_done);
		cJSON_AddNumberToObject(rep, "missed_days", st->obs.missed_days);
		day_text(st->obs.earliest_green, buf);
		cJSON_AddStringToObject(rep, "can_turn_green_on", buf);
	} else {
		cJSON_AddNullToObject(o, "observation_until");
		cJSON_AddBoolToObject(rep, "required", false);
	}
	cJSON_AddItemToObject(o, "report", rep);
	(void)now;
	return o;
}
