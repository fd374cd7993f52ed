/* store_places.c: place codes in the store (DESIGN §11): typed functions over the place
 * statements of db_stmts.c; tokens are stored as their SHA-256 (and a poster's also sealed). */
#include "store_places.h"
#include "clock.h"
#include "crypto.h"
#include "tally.h"

#include <stdio.h>
#include <string.h>

#define SEAL_AAD          "place-code"
#define DISPLAY_TOKEN_LEN 43 /* base64url of 32 random bytes, as staff and device tokens */

/* Opens a sealed poster token and checks it against its stored hash; "" when it cannot. */
static void open_token(const uint8_t data_key[32], const uint8_t *enc, size_t n, const uint8_t hash[32],
		       char token[PLACE_TOKEN_SIZE])
{
	uint8_t plain[PLACE_TOKEN_SIZE], h[32];
	int len = crypto_open(data_key, SEAL_AAD, strlen(SEAL_AAD), enc, n, plain, sizeof plain - 1);
	token[0] = '\0';
	if (len != PLACE_POSTER_LEN)
		return;
	crypto_sha256(plain, (size_t)len, h);
	if (!crypto_ct_equal(h, hash, 32))
		return;
	memcpy(token, plain, (size_t)len);
	token[len] = '\0';
}

enum db_rc places_create(struct db *db, const uint8_t data_key[32], uint64_t checkpoint, const char *label, int64_t now,
			 struct place_code *out)
{
	memset(out, 0, sizeof *out);
	uint8_t hash[32], enc[PLACE_TOKEN_SIZE + CRYPTO_AEAD_OVERHEAD];
	if (place_poster_new(out->token) != 0)
		return DB_ERR;
	crypto_sha256(out->token, strlen(out->token), hash);
	int n = crypto_seal(data_key, SEAL_AAD, strlen(SEAL_AAD), out->token, strlen(out->token), enc, sizeof enc);
	if (n < 0)
		return DB_ERR;
	struct db_param p[] = { DBP_U64(&checkpoint),     DBP_TEXT(label), DBP_BLOB(hash, 32),
				DBP_BLOB(enc, (size_t)n), DBP_I64(&now),   DBP_END };
	enum db_rc rc = db_exec(db, STMT_PLACE_CODE_INSERT, p, NULL);
	if (rc != DB_OK)
		return rc;
	char token[PLACE_TOKEN_SIZE];
	memcpy(token, out->token, sizeof token);
	rc = places_get(db, data_key, db_insert_id(db), out);
	memcpy(out->token, token, sizeof token);
	return rc;
}

/* The columns of STMT_PLACE_CODE_GET and STMT_PLACE_CODES_LIST into one row. */
struct code_cols {
	struct place_code pc;
	uint8_t hash[32], enc[128];
	struct db_col cols[12];
};

static void bind_code(struct code_cols *b)
{
	struct db_col cols[] = { DBC_U64(&b->pc.id),
				 DBC_U64(&b->pc.checkpoint),
				 DBC_TEXT(b->pc.label, sizeof b->pc.label),
				 DBC_BLOB(b->hash, sizeof b->hash),
				 DBC_BLOB(b->enc, sizeof b->enc),
				 DBC_TEXT(b->pc.created, sizeof b->pc.created),
				 DBC_I32(&b->pc.revoked),
				 DBC_I32(&b->pc.cp_kind),
				 DBC_I32(&b->pc.cp_type),
				 DBC_TEXT(b->pc.name, sizeof b->pc.name),
				 DBC_TEXT(b->pc.district, sizeof b->pc.district),
				 DBC_END };
	_Static_assert(sizeof cols / sizeof cols[0] == sizeof b->cols / sizeof b->cols[0], "code_cols");
	memcpy(b->cols, cols, sizeof cols);
}

enum db_rc places_get(struct db *db, const uint8_t data_key[32], uint64_t id, struct place_code *out)
{
	static _Thread_local struct code_cols b;
	memset(&b, 0, sizeof b);
	bind_code(&b);
	struct db_param p[] = { DBP_U64(&id), DBP_END };
	enum db_rc rc = db_exec(db, STMT_PLACE_CODE_GET, p, b.cols);
	if (rc != DB_OK)
		return rc;
	open_token(data_key, b.enc, b.cols[4].len, b.hash, b.pc.token);
	*out = b.pc;
	return DB_OK;
}

enum db_rc places_list(struct db *db, const uint8_t data_key[32], uint64_t checkpoint, uint64_t after, int32_t limit,
		       void (*fn)(const struct place_code *pc, void *arg), void *arg)
{
	static _Thread_local struct code_cols b;
	memset(&b, 0, sizeof b);
	bind_code(&b);
	struct db_param p[] = { DBP_U64(&checkpoint), DBP_U64(&checkpoint), DBP_U64(&after), DBP_I32(&limit), DBP_END };
	enum db_rc rc = db_query(db, STMT_PLACE_CODES_LIST, p, b.cols);
	if (rc != DB_OK)
		return rc;
	while ((rc = db_fetch(db)) == DB_OK) {
		open_token(data_key, b.enc, b.cols[4].len, b.hash, b.pc.token);
		fn(&b.pc, arg);
	}
	return rc == DB_NOROW ? DB_OK : rc;
}

enum db_rc places_revoke(struct db *db, uint64_t id, int64_t now)
{
	struct db_param p[] = { DBP_I64(&now), DBP_U64(&id), DBP_END };
	enum db_rc rc = db_exec(db, STMT_PLACE_CODE_REVOKE, p, NULL);
	if (rc == DB_OK && db_affected(db) == 0)
		return DB_NOROW;
	return rc;
}

enum db_rc places_display_create(struct db *db, uint64_t place_code, int64_t now, char *token, uint64_t *id)
{
	uint8_t raw[32], hash[32];
	if (crypto_random(raw, sizeof raw) != 0)
		return DB_ERR;
	crypto_b64url(raw, sizeof raw, token, DISPLAY_TOKEN_LEN + 1);
	memset(raw, 0, sizeof raw);
	crypto_sha256(token, DISPLAY_TOKEN_LEN, hash);
	struct db_param p[] = { DBP_U64(&place_code), DBP_BLOB(hash, 32), DBP_I64(&now), DBP_END };
	enum db_rc rc = db_exec(db, STMT_PLACE_DISPLAY_INSERT, p, NULL);
	*id = rc == DB_OK ? db_insert_id(db) : 0;
	return rc;
}

/* A place's columns as the place statements give them (id, checkpoint, label, revoked, kind, type,
 * name) into cols[0..PLACE_COLS], ended. */
#define PLACE_COLS 7
static void bind_place(struct place *out, struct db_col *cols)
{
	struct db_col c[] = { DBC_U64(&out->id),
			      DBC_U64(&out->checkpoint),
			      DBC_TEXT(out->label, sizeof out->label),
			      DBC_I32(&out->revoked),
			      DBC_I32(&out->cp_kind),
			      DBC_I32(&out->cp_type),
			      DBC_TEXT(out->name, sizeof out->name),
			      DBC_END };
	_Static_assert(sizeof c / sizeof c[0] == PLACE_COLS + 1, "one column each of the place's fields");
	memcpy(cols, c, sizeof c);
}

enum db_rc places_by_token(struct db *db, const char *text, const struct place_token *t, struct place *out)
{
	memset(out, 0, sizeof *out);
	uint8_t hash[32];
	struct db_param p[2] = { DBP_END, DBP_END };
	enum stmt s;
	if (t->kind == PLACE_TOKEN_POSTER) {
		crypto_sha256(text, strlen(text), hash);
		p[0] = (struct db_param)DBP_BLOB(hash, 32);
		s = STMT_PLACE_BY_TOKEN;
	} else if (t->kind == PLACE_TOKEN_DISPLAY) {
		p[0] = (struct db_param)DBP_U64(&t->display_id);
		out->display_id = t->display_id;
		s = STMT_PLACE_BY_DISPLAY;
	} else {
		return DB_NOROW;
	}
	struct db_col cols[PLACE_COLS + 1];
	bind_place(out, cols);
	return db_exec(db, s, p, cols);
}

enum db_rc places_by_display_token(struct db *db, const uint8_t hash[32], struct place *out)
{
	memset(out, 0, sizeof *out);
	struct db_param p[] = { DBP_BLOB(hash, 32), DBP_END };
	struct db_col cols[1 + PLACE_COLS + 1] = { DBC_U64(&out->display_id) };
	bind_place(out, cols + 1);
	return db_exec(db, STMT_PLACE_DISPLAY_BY_TOKEN, p, cols);
}

int places_persons(struct db *db, uint64_t account, uint64_t checkpoint, uint64_t place_code, int32_t direction,
		   int64_t since_ms, int64_t now, struct place_person *out, enum db_rc *rc)
{
	struct place_person r;
	char prev[80];
	memset(&r, 0, sizeof r);
	/* Local days as the scans' partitions hold them: the window lies within today and yesterday. */
	int32_t lo = clock_local_day(since_ms / 1000), hi = clock_local_day(now);
	struct db_param p[] = { DBP_U64(&checkpoint), DBP_I64(&since_ms),  DBP_I32(&lo),      DBP_I32(&hi),
				DBP_U64(&place_code), DBP_I32(&direction), DBP_U64(&account), DBP_END };
	struct db_col cols[] = { DBC_U64(&r.id),
				 DBC_TEXT(r.public_id, sizeof r.public_id),
				 DBC_TEXT(r.name_m, sizeof r.name_m),
				 DBC_TEXT(r.id_m, sizeof r.id_m),
				 DBC_I32(&r.role),
				 DBC_I32(&r.relationship),
				 DBC_I32(&r.color),
				 DBC_I32(&r.resident),
				 DBC_TEXT(prev, sizeof prev),
				 DBC_END };
	*rc = db_query(db, STMT_PLACE_PERSONS, p, cols);
	if (*rc != DB_OK)
		return -1;
	int n = 0;
	while ((*rc = db_fetch(db)) == DB_OK) {
		unsigned long long id = 0;
		int v = 0;
		unsigned reasons = 0;
		r.has_prev = !cols[8].null && sscanf(prev, "%llu:%d:%u", &id, &v, &reasons) == 3;
		r.prev_scan = r.has_prev ? (uint64_t)id : 0;
		r.prev_verdict = r.has_prev ? v : 0;
		r.prev_reasons = r.has_prev ? reasons : 0;
		if (n < PLACES_PERSONS_MAX)
			out[n++] = r;
	}
	if (*rc != DB_NOROW)
		return -1;
	*rc = DB_OK;
	return n;
}

/* ---- check-ins in groups (scanq.c) ---------------------------------------------------------- */

#define CHECKIN_STMT_MAX 32 /* persons asked in one lookup statement */
#define CHECKIN_PARAMS   8  /* per person asked */

/* Statements of 1, 2, 4, ... 32 rows; a chunk of m rows uses the smallest that holds it. */
static size_t size_index(size_t m)
{
	static const size_t sizes[] = { 1, 2, 4, 8, 16, CHECKIN_STMT_MAX };
	size_t si = 0;
	while (sizes[si] < m)
		si++;
	return si;
}

static size_t size_of(size_t si)
{
	return (size_t)1 << si;
}

/* One lookup statement over m (check-in, person asked) pairs; a check-in without persons asked has
 * one pair with an empty public id (its session and place only). */
static enum db_rc lookup_chunk(struct db *db, struct place_checkin *const *who, const int *ask, size_t m)
{
	static const enum stmt st[] = { STMT_PLACE_CHECKIN_1, STMT_PLACE_CHECKIN_2,  STMT_PLACE_CHECKIN_4,
					STMT_PLACE_CHECKIN_8, STMT_PLACE_CHECKIN_16, STMT_PLACE_CHECKIN_32 };
	static _Thread_local struct db_param p[CHECKIN_PARAMS * CHECKIN_STMT_MAX + 1];
	static _Thread_local int32_t idx[CHECKIN_STMT_MAX];
	size_t si = size_index(m), rows = size_of(si);
	for (size_t j = 0; j < rows; j++) {
		size_t k = j < m ? j : m - 1; /* pads with the last pair: its duplicate rows say the same */
		const struct place_checkin *pc = who[k];
		idx[j] = (int32_t)k;
		struct db_param *q = &p[CHECKIN_PARAMS * j];
		q[0] = (struct db_param)DBP_I32(&idx[j]);
		q[1] = (struct db_param)DBP_BLOB(pc->session_hash, sizeof pc->session_hash);
		q[2] = (struct db_param)DBP_I32(&pc->session_kind);
		q[3] = pc->poster ? (struct db_param)DBP_BLOB(pc->token_hash, sizeof pc->token_hash)
				  : (struct db_param)DBP_NULL(DBT_BLOB);
		q[4] = (struct db_param)DBP_U64(&pc->display_id);
		q[5] = (struct db_param)DBP_TEXT(ask[k] >= 0 ? pc->ask[ask[k]].public_id : "");
		q[6] = (struct db_param)DBP_I64(&pc->now);
		q[7] = (struct db_param)DBP_I64(&pc->idle_after);
	}
	p[CHECKIN_PARAMS * rows] = (struct db_param)DBP_END;

	static _Thread_local struct {
		int32_t i, revoked, kind, type, color, resident;
		uint64_t account, place, checkpoint, person;
		int64_t last;
		char label[PLACES_LABEL_BUF], name[PLACES_LABEL_BUF], name_m[128], id_m[48];
	} r;
	struct db_col cols[] = { DBC_I32(&r.i),
				 DBC_U64(&r.account),
				 DBC_I64(&r.last),
				 DBC_U64(&r.place),
				 DBC_U64(&r.checkpoint),
				 DBC_TEXT(r.label, sizeof r.label),
				 DBC_I32(&r.revoked),
				 DBC_I32(&r.kind),
				 DBC_I32(&r.type),
				 DBC_TEXT(r.name, sizeof r.name),
				 DBC_U64(&r.person),
				 DBC_TEXT(r.name_m, sizeof r.name_m),
				 DBC_TEXT(r.id_m, sizeof r.id_m),
				 DBC_I32(&r.color),
				 DBC_I32(&r.resident),
				 DBC_END };
	enum db_rc rc = db_query(db, st[si], p, cols);
	if (rc != DB_OK)
		return rc;
	while ((rc = db_fetch(db)) == DB_OK) {
		if (r.i < 0 || (size_t)r.i >= m)
			continue;
		struct place_checkin *pc = who[r.i];
		pc->session_found = !cols[1].null;
		pc->account = pc->session_found ? r.account : 0;
		pc->session_last = pc->session_found ? r.last : 0;
		if (!cols[3].null && !cols[4].null) {
			struct place *pl = &pc->place;
			pl->id = r.place;
			pl->checkpoint = r.checkpoint;
			pl->display_id = pc->poster ? 0 : pc->display_id;
			pl->revoked = r.revoked;
			pl->cp_kind = r.kind;
			pl->cp_type = r.type;
			memcpy(pl->label, r.label, sizeof pl->label);
			memcpy(pl->name, r.name, sizeof pl->name);
		}
		if (ask[r.i] < 0)
			continue;
		struct place_ask *a = &pc->ask[ask[r.i]];
		a->held = pc->session_found && !cols[10].null && !cols[13].null;
		if (!a->held)
			continue; /* nothing of a person the account does not hold */
		a->person = r.person;
		memcpy(a->name_m, r.name_m, sizeof a->name_m);
		memcpy(a->id_m, r.id_m, sizeof a->id_m);
		a->color = r.color;
		a->resident = r.resident;
	}
	return rc == DB_NOROW ? DB_OK : rc;
}

enum db_rc places_checkin_lookup(struct db *db, struct place_checkin *const *cs, size_t n)
{
	static _Thread_local struct place_checkin *who[CHECKIN_STMT_MAX];
	static _Thread_local int ask[CHECKIN_STMT_MAX];
	size_t m = 0;
	for (size_t j = 0; j < n; j++) {
		struct place_checkin *pc = cs[j];
		pc->session_found = 0;
		pc->account = 0;
		pc->session_last = 0;
		memset(&pc->place, 0, sizeof pc->place);
		pc->minute_count = 0;
		int na = pc->nask > 0 ? (pc->nask < PLACES_ASK_MAX ? pc->nask : PLACES_ASK_MAX) : 0;
		for (int a = 0; a < na; a++) {
			memset((char *)&pc->ask[a] + sizeof pc->ask[a].public_id, 0,
			       sizeof pc->ask[a] - sizeof pc->ask[a].public_id);
		}
		for (int a = na > 0 ? 0 : -1; a < na; a++) {
			if (m == CHECKIN_STMT_MAX) {
				enum db_rc rc = lookup_chunk(db, who, ask, m);
				if (rc != DB_OK)
					return rc;
				m = 0;
			}
			who[m] = pc;
			ask[m++] = a;
		}
	}
	return m > 0 ? lookup_chunk(db, who, ask, m) : DB_OK;
}

void places_checkin_count(struct place_checkin *pc, int64_t now)
{
	if (pc->count && pc->session_found && pc->place.id != 0 && !pc->place.revoked)
		pc->minute_count = (int32_t)tally_add(pc->account, (int32_t)(now / 60));
}
