/* sim_state.c: the simulator's in-memory world and the platform's rules on it (codes, tokens, quotas), under one mutex. */
#include "sim_state.h"
#include "pf_errcode.h"

#include "face.h"

#include "cclass.h"
#include "crypto.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *const sim_ep_path[SIM_EP__MAX + 1] = {
	[SIM_EP_AUTHORIZE] = "/connect/oauth2/authorize",
	[SIM_EP_SNS_TOKEN] = "/sns/oauth2/access_token",
	[SIM_EP_SNS_REFRESH] = "/sns/oauth2/refresh_token",
	[SIM_EP_USERINFO] = "/sns/userinfo",
	[SIM_EP_SNS_AUTH] = "/sns/auth",
	[SIM_EP_JSCODE] = "/sns/jscode2session",
	[SIM_EP_TOKEN] = "/cgi-bin/token",
	[SIM_EP_STABLE] = "/cgi-bin/stable_token",
	[SIM_EP_MENU] = "/cgi-bin/menu/create",
	[SIM_EP_TEMPLATE] = "/cgi-bin/message/template/send",
	[SIM_EP_BIZSEND] = "/cgi-bin/message/subscribe/bizsend",
	[SIM_EP_FACE_GETID] = "/cityservice/face/identify/getverifyid",
	[SIM_EP_FACE_PAGE] = "/cityservice/face/verify",
	[SIM_EP_FACE_QUERY] = "/cityservice/face/identify/queryverifyinfo",
	[SIM_EP__MAX] = NULL,
};

const char *const sim_scope_name[3] = { "snsapi_base", "snsapi_userinfo", NULL };
const char *const sim_fault_kind_name[5] = { "errcode", "delay", "drop", "wrong_body", NULL };

static const char ALNUM[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char TOKCH[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Default daily quotas (-1: none); the platform's documented 2000 a day for the token. */
static const long long quota_default[SIM_EP__MAX] = {
	[SIM_EP_AUTHORIZE] = -1, [SIM_EP_SNS_TOKEN] = -1,    [SIM_EP_SNS_REFRESH] = -1, [SIM_EP_USERINFO] = -1,
	[SIM_EP_SNS_AUTH] = -1,  [SIM_EP_JSCODE] = -1,       [SIM_EP_TOKEN] = 2000,     [SIM_EP_STABLE] = 10000,
	[SIM_EP_MENU] = 1000,    [SIM_EP_TEMPLATE] = 100000, [SIM_EP_BIZSEND] = 100000, [SIM_EP_FACE_GETID] = -1,
	[SIM_EP_FACE_PAGE] = -1, [SIM_EP_FACE_QUERY] = -1,
};

static const char *const default_templates[] = { "tmpl_reminder", "tmpl_code_changed", "tmpl_delegation" };
const char *const sim_face_outcome_name[5] = { "pass", "cancel", "timeout", "fail", NULL };

struct user_rec {
	struct sim_user u;
	int64_t logins[SIM_JS_RATE]; /* times of the last mini-program logins, a ring */
	unsigned nlog, head;         /* head: the oldest once the ring is full */
};

struct code_rec {
	char code[SIM_CODE_LEN + 1];
	enum sim_code_kind kind;
	enum sim_scope scope;
	int user;
	int64_t issued;
	int used;
	int live;
};

struct sns_rec {
	char at[SIM_TOKEN_LEN + 1];
	char rt[SIM_TOKEN_LEN + 1];
	int user;
	enum sim_scope scope;
	int64_t at_exp, rt_exp;
	int live;
};

struct tok_rec {
	char tok[SIM_TOKEN_LEN + 1];
	int64_t expires;
	int64_t dead_after; /* INT64_MAX while in force */
	int stable;
	int live;
};

struct msg_rec {
	enum sim_msg_kind kind;
	char touser[SIM_ID_MAX + 1];
	char template_id[SIM_ID_MAX + 1];
	char cmid[SIM_ID_MAX + 1]; /* "" when none */
	uint64_t msgid;
	char *data_json; /* malloc'd */
	char *body_json; /* malloc'd */
	int live;
};

static struct {
	pthread_mutex_t lock;
	struct user_rec users[SIM_USERS_MAX];
	size_t nusers;
	struct code_rec codes[SIM_CODES_MAX];
	size_t code_next;
	struct sns_rec sns[SIM_SNS_MAX];
	size_t sns_next;
	struct tok_rec toks[SIM_TOKENS_MAX];
	size_t tok_next;
	int stable_idx; /* the current stable token, -1 when none */
	int64_t last_force;
	int forces_today;
	struct msg_rec msgs[SIM_MSGS_MAX];
	size_t msg_next;
	uint64_t msg_seq;
	char *menus[SIM_MENUS_MAX];
	size_t menu_next;
	struct sim_fault faults[SIM_FAULTS_MAX];
	size_t nfaults;
	char whitelist[SIM_WHITELIST_MAX][SIM_IP_MAX + 1];
	size_t nwhite;
	char templates[SIM_TEMPLATES_MAX][SIM_ID_MAX + 1];
	size_t ntemplates;
	struct sim_face faces[SIM_FACES_MAX];
	size_t face_next;
	long long calls[SIM_EP__MAX];
	long long used_today[SIM_EP__MAX];
	long long quota[SIM_EP__MAX];
	int64_t day;
} S = { .lock = PTHREAD_MUTEX_INITIALIZER };

static _Atomic int64_t clock_offset;

#define LOCK()   pthread_mutex_lock(&S.lock)
#define UNLOCK() pthread_mutex_unlock(&S.lock)

void sim_random_chars(char *out, size_t n, const char *alphabet)
{
	size_t na = strlen(alphabet);
	size_t limit = 256 - 256 % na; /* rejection sampling: no modulo bias */
	size_t o = 0;
	while (o < n) {
		uint8_t buf[64];
		if (crypto_random(buf, sizeof buf) != 0)
			abort(); /* a predictable code or token would be worse than a dead simulator */
		for (size_t i = 0; i < sizeof buf && o < n; i++)
			if (buf[i] < limit)
				out[o++] = alphabet[buf[i] % na];
	}
	out[n] = '\0';
}

/*
 * Codes and tokens carry the index of their slot in their first characters (after "86_" for
 * tokens), so a lookup reads one slot instead of scanning a list; the rest is random (a code has
 * 29 random characters of 62, a token 130 of 64), so none can be guessed from another.
 */
#define SLOT_DIGITS  3
#define TOKEN_PREFIX 3 /* "86_" */
_Static_assert(SIM_CODES_MAX <= 62 * 62 * 62, "a code's slot fits 3 characters of 62");
_Static_assert(SIM_SNS_MAX <= 64 * 64 * 64 && SIM_TOKENS_MAX <= 64 * 64 * 64, "a token's slot fits 3 of 64");

static void slot_put(char *dst, size_t slot, const char *alphabet)
{
	size_t na = strlen(alphabet);
	for (int i = SLOT_DIGITS - 1; i >= 0; i--) {
		dst[i] = alphabet[slot % na];
		slot /= na;
	}
}

/* The slot written by slot_put, or -1 when src does not hold one below max. */
static long slot_get(const char *src, const char *alphabet, size_t max)
{
	size_t na = strlen(alphabet), v = 0;
	for (int i = 0; i < SLOT_DIGITS; i++) {
		const char *p = src[i] != '\0' ? strchr(alphabet, src[i]) : NULL;
		if (p == NULL)
			return -1;
		v = v * na + (size_t)(p - alphabet);
	}
	return v < max ? (long)v : -1;
}

/* A token: "86_", a slot placeholder and random characters, SIM_TOKEN_LEN in all. */
static void new_token(char out[SIM_TOKEN_LEN + 1])
{
	memcpy(out, "86_", TOKEN_PREFIX);
	sim_random_chars(out + TOKEN_PREFIX, SIM_TOKEN_LEN - TOKEN_PREFIX, TOKCH);
}

/* The slot a well-formed token names, or -1. */
static long token_slot(const char *tok, size_t max)
{
	if (strlen(tok) != SIM_TOKEN_LEN || strncmp(tok, "86_", TOKEN_PREFIX) != 0)
		return -1;
	return slot_get(tok + TOKEN_PREFIX, TOKCH, max);
}

int sim_token_wellformed(const char *tok)
{
	size_t n = strlen(tok);
	if (n < 20 || n > 512)
		return 0;
	return cc_all(tok, n, cc_b64url);
}

int64_t sim_now(void)
{
	return (int64_t)time(NULL) + atomic_load(&clock_offset);
}

int64_t sim_clock_advance(int64_t s)
{
	return atomic_fetch_add(&clock_offset, s) + s;
}

int64_t sim_clock_offset(void)
{
	return atomic_load(&clock_offset);
}

/* Zeroes the daily counters when the simulator's day has changed. Under the lock. */
static void roll_day(int64_t now)
{
	int64_t day = now / 86400;
	if (day != S.day) {
		S.day = day;
		memset(S.used_today, 0, sizeof S.used_today);
		S.forces_today = 0;
	}
}

static void clear_volatile(void)
{
	for (size_t i = 0; i < SIM_MSGS_MAX; i++) {
		free(S.msgs[i].data_json);
		free(S.msgs[i].body_json);
	}
	memset(S.msgs, 0, sizeof S.msgs);
	S.msg_next = 0;
	for (size_t i = 0; i < SIM_MENUS_MAX; i++) {
		free(S.menus[i]);
		S.menus[i] = NULL;
	}
	S.menu_next = 0;
	memset(S.codes, 0, sizeof S.codes);
	S.code_next = 0;
	memset(S.sns, 0, sizeof S.sns);
	S.sns_next = 0;
	memset(S.toks, 0, sizeof S.toks);
	S.tok_next = 0;
	S.stable_idx = -1;
	S.last_force = 0;
	S.forces_today = 0;
	S.nfaults = 0;
	S.nwhite = 0;
	memset(S.faces, 0, sizeof S.faces);
	S.face_next = 0;
	memset(S.calls, 0, sizeof S.calls);
	memset(S.used_today, 0, sizeof S.used_today);
	memcpy(S.quota, quota_default, sizeof S.quota);
	for (size_t i = 0; i < S.nusers; i++) {
		S.users[i].nlog = 0;
		S.users[i].head = 0;
	}
	atomic_store(&clock_offset, 0);
	S.day = sim_now() / 86400;
}

void sim_state_init(void)
{
	LOCK();
	S.nusers = 0;
	S.ntemplates = 0;
	for (size_t i = 0; i < sizeof default_templates / sizeof default_templates[0]; i++)
		snprintf(S.templates[S.ntemplates++], SIM_ID_MAX + 1, "%s", default_templates[i]);
	clear_volatile();
	UNLOCK();
}

void sim_state_reset(void)
{
	LOCK();
	clear_volatile();
	UNLOCK();
}

/* ---- users ---- */

static int find_user(const char *openid)
{
	for (size_t i = 0; i < S.nusers; i++)
		if (strcmp(S.users[i].u.openid, openid) == 0)
			return (int)i;
	return -1;
}

void sim_user_defaults(struct sim_user *u, const char *openid, int with_unionid)
{
	memset(u, 0, sizeof *u);
	snprintf(u->openid, sizeof u->openid, "%s", openid);
	if (with_unionid) {
		/* Stable per openid, so that a user re-created after a restart keeps it. */
		uint8_t h[CRYPTO_SHA256_LEN];
		char b[64];
		char seed[SIM_ID_MAX + 8];
		snprintf(seed, sizeof seed, "union:%s", openid);
		crypto_sha256(seed, strlen(seed), h);
		crypto_b64url(h, sizeof h, b, sizeof b);
		snprintf(u->unionid, sizeof u->unionid, "o%.27s", b);
	}
	/* An emoji (4 bytes), a private-use character and a raw control byte, as real nicknames hold. */
	snprintf(u->nickname, sizeof u->nickname, "Tester \xF0\x9F\x98\x80\xEE\x80\x81\x01%.4s", openid);
	u->subscribed = 1;
}

/* The record of openid, made (zeroed, *created set) when it is new; -1 when the table is full.
 * Under the lock. */
static int user_slot(const char *openid, int *created)
{
	int i = find_user(openid);
	*created = i < 0;
	if (i < 0) {
		if (S.nusers == SIM_USERS_MAX)
			return -1;
		i = (int)S.nusers++;
		memset(&S.users[i], 0, sizeof S.users[i]);
	}
	return i;
}

int sim_user_put(const struct sim_user *u, int *created)
{
	LOCK();
	int i = user_slot(u->openid, created);
	if (i >= 0)
		S.users[i].u = *u;
	UNLOCK();
	return i >= 0 ? 0 : -1;
}

int sim_user_get(const char *openid, struct sim_user *out)
{
	LOCK();
	int i = find_user(openid);
	if (i >= 0 && out != NULL)
		*out = S.users[i].u;
	UNLOCK();
	return i >= 0;
}

int sim_user_ensure(const char *openid, struct sim_user *out)
{
	int created;
	LOCK();
	int i = user_slot(openid, &created);
	if (i >= 0 && created)
		sim_user_defaults(&S.users[i].u, openid, 1);
	if (i >= 0 && out != NULL)
		*out = S.users[i].u;
	UNLOCK();
	return i >= 0 ? 0 : -1;
}

/* ---- codes ---- */

int sim_code_issue(enum sim_code_kind kind, const char *openid, enum sim_scope scope, char out[SIM_CODE_LEN + 1])
{
	sim_random_chars(out, SIM_CODE_LEN, ALNUM);
	LOCK();
	int u = find_user(openid);
	if (u < 0) {
		UNLOCK();
		return -1;
	}
	size_t slot = S.code_next;
	S.code_next = (S.code_next + 1) % SIM_CODES_MAX;
	slot_put(out, slot, ALNUM);
	struct code_rec *r = &S.codes[slot];
	memcpy(r->code, out, SIM_CODE_LEN + 1);
	r->kind = kind;
	r->scope = scope;
	r->user = u;
	r->issued = sim_now();
	r->used = 0;
	r->live = 1;
	UNLOCK();
	return 0;
}

/* The live code of kind, or NULL. Under the lock. */
static struct code_rec *find_code(enum sim_code_kind kind, const char *code)
{
	if (strlen(code) != SIM_CODE_LEN)
		return NULL;
	long slot = slot_get(code, ALNUM, SIM_CODES_MAX);
	if (slot < 0)
		return NULL;
	struct code_rec *r = &S.codes[slot];
	return r->live && r->kind == kind && strcmp(r->code, code) == 0 ? r : NULL;
}

/* 0 if the code can be used now, else its error. Under the lock. */
static int code_state(const struct code_rec *r, int64_t now)
{
	if (r == NULL)
		return PFE_INVALID_CODE;
	if (r->used)
		return PFE_CODE_USED;
	if (now - r->issued > SIM_CODE_TTL)
		return PFE_INVALID_CODE;
	return 0;
}

int sim_code_oauth(const char *code, struct sim_user *u, enum sim_scope *scope)
{
	LOCK();
	struct code_rec *r = find_code(SIM_CODE_OAUTH, code);
	int e = code_state(r, sim_now());
	if (e == 0) {
		r->used = 1;
		*u = S.users[r->user].u;
		*scope = r->scope;
	}
	UNLOCK();
	return e;
}

int sim_code_js(const char *code, struct sim_user *u)
{
	LOCK();
	int64_t now = sim_now();
	struct code_rec *r = find_code(SIM_CODE_JS, code);
	int e = code_state(r, now);
	if (e == 0) {
		struct user_rec *ur = &S.users[r->user];
		if (ur->u.high_risk) {
			e = PFE_HIGH_RISK_USER;
		} else if (ur->nlog == SIM_JS_RATE && now - ur->logins[ur->head] < 60) {
			e = PFE_MINUTE_QUOTA;
		} else {
			if (ur->nlog < SIM_JS_RATE) {
				ur->logins[(ur->head + ur->nlog) % SIM_JS_RATE] = now;
				ur->nlog++;
			} else {
				ur->logins[ur->head] = now;
				ur->head = (ur->head + 1) % SIM_JS_RATE;
			}
			r->used = 1;
			*u = ur->u;
		}
	}
	UNLOCK();
	return e;
}

/* ---- sns tokens ---- */

void sim_sns_issue(const char *openid, enum sim_scope scope, char at[SIM_TOKEN_LEN + 1], char rt[SIM_TOKEN_LEN + 1])
{
	new_token(at);
	new_token(rt);
	LOCK();
	int64_t now = sim_now();
	size_t slot = S.sns_next;
	S.sns_next = (S.sns_next + 1) % SIM_SNS_MAX;
	slot_put(at + TOKEN_PREFIX, slot, TOKCH);
	slot_put(rt + TOKEN_PREFIX, slot, TOKCH);
	struct sns_rec *r = &S.sns[slot];
	memcpy(r->at, at, SIM_TOKEN_LEN + 1);
	memcpy(r->rt, rt, SIM_TOKEN_LEN + 1);
	r->user = find_user(openid);
	r->scope = scope;
	r->at_exp = now + SIM_TOKEN_TTL;
	r->rt_exp = now + SIM_REFRESH_TTL;
	r->live = r->user >= 0;
	UNLOCK();
}

int sim_sns_refresh(const char *rt, char at[SIM_TOKEN_LEN + 1], struct sim_user *u, enum sim_scope *scope)
{
	long slot = token_slot(rt, SIM_SNS_MAX);
	if (slot < 0)
		return 40030;
	new_token(at);
	slot_put(at + TOKEN_PREFIX, (size_t)slot, TOKCH);
	LOCK();
	int64_t now = sim_now();
	struct sns_rec *r = &S.sns[slot];
	int e = 40030;
	if (r->live && strcmp(r->rt, rt) == 0) {
		if (now >= r->rt_exp) {
			e = 42002;
		} else {
			memcpy(r->at, at, SIM_TOKEN_LEN + 1);
			r->at_exp = now + SIM_TOKEN_TTL;
			*u = S.users[r->user].u;
			*scope = r->scope;
			e = 0;
		}
	}
	UNLOCK();
	return e;
}

/* A token check: a missing, malformed or never-issued token is refused first; then look(slot, t,
 * now, arg) judges what the token's table slot holds, under the lock. 0 or the platform's error. */
static int token_check(const char *t, size_t max, int (*look)(long slot, const char *t, int64_t now, void *arg),
		       void *arg)
{
	if (t == NULL || t[0] == '\0')
		return PFE_ACCESS_TOKEN_MISSING;
	if (!sim_token_wellformed(t))
		return PFE_INVALID_ACCESS_TOKEN;
	long slot = token_slot(t, max);
	if (slot < 0)
		return PFE_INVALID_CREDENTIAL;
	LOCK();
	int e = look(slot, t, sim_now(), arg);
	UNLOCK();
	return e;
}

struct sns_who {
	struct sim_user *u;
	enum sim_scope *scope;
};

/* An sns access token's slot: its user and scope while it lives. Under the lock. */
static int sns_look(long slot, const char *at, int64_t now, void *arg)
{
	const struct sns_rec *r = &S.sns[slot];
	if (!r->live || strcmp(r->at, at) != 0)
		return PFE_INVALID_CREDENTIAL;
	if (now >= r->at_exp)
		return PFE_ACCESS_TOKEN_EXPIRED;
	const struct sns_who *w = arg;
	*w->u = S.users[r->user].u;
	*w->scope = r->scope;
	return 0;
}

int sim_sns_check(const char *at, struct sim_user *u, enum sim_scope *scope)
{
	/* Only the addresses are kept here: sns_look fills them. */
	/* cppcheck-suppress ctuuninitvar */
	struct sns_who w = { u, scope };
	return token_check(at, SIM_SNS_MAX, sns_look, &w);
}

/* ---- global tokens ---- */

/* Keeps tok, stamped with its new slot (never the current stable token's), as a live token
 * valid for SIM_TOKEN_TTL from now; its slot. Under the lock. */
static int tok_keep(char tok[SIM_TOKEN_LEN + 1], int stable, int64_t now)
{
	if ((int)S.tok_next == S.stable_idx)
		S.tok_next = (S.tok_next + 1) % SIM_TOKENS_MAX;
	int idx = (int)S.tok_next;
	S.tok_next = (S.tok_next + 1) % SIM_TOKENS_MAX;
	slot_put(tok + TOKEN_PREFIX, (size_t)idx, TOKCH);
	struct tok_rec *r = &S.toks[idx];
	memcpy(r->tok, tok, SIM_TOKEN_LEN + 1);
	r->expires = now + SIM_TOKEN_TTL;
	r->dead_after = INT64_MAX;
	r->stable = stable;
	r->live = 1;
	return idx;
}

void sim_token_issue(char out[SIM_TOKEN_LEN + 1])
{
	new_token(out);
	LOCK();
	int64_t now = sim_now();
	for (size_t i = 0; i < SIM_TOKENS_MAX; i++) {
		struct tok_rec *r = &S.toks[i];
		if (r->live && !r->stable && r->dead_after == INT64_MAX)
			r->dead_after = now + SIM_GRACE;
	}
	tok_keep(out, 0, now);
	UNLOCK();
}

int sim_stable_get(int force, char out[SIM_TOKEN_LEN + 1], int64_t *expires_in)
{
	char fresh[SIM_TOKEN_LEN + 1];
	new_token(fresh);
	LOCK();
	int64_t now = sim_now();
	roll_day(now);
	struct tok_rec *cur = S.stable_idx >= 0 ? &S.toks[S.stable_idx] : NULL;
	if (force) {
		if (S.last_force != 0 && now - S.last_force < SIM_FORCE_GAP) {
			UNLOCK();
			return PFE_MINUTE_QUOTA;
		}
		if (S.forces_today >= SIM_FORCE_DAILY) {
			UNLOCK();
			return PFE_DAILY_QUOTA;
		}
		S.last_force = now;
		S.forces_today++;
		if (cur != NULL)
			cur->dead_after = now; /* revoked at once */
	} else if (cur != NULL && cur->dead_after == INT64_MAX && cur->expires - now > SIM_GRACE) {
		memcpy(out, cur->tok, SIM_TOKEN_LEN + 1);
		*expires_in = cur->expires - now;
		UNLOCK();
		return 0;
	}
	/* Renewed: an old one that was not revoked keeps working until it expires. */
	S.stable_idx = tok_keep(fresh, 1, now);
	memcpy(out, fresh, SIM_TOKEN_LEN + 1);
	*expires_in = SIM_TOKEN_TTL;
	UNLOCK();
	return 0;
}

/* A global token's slot: 0 while it lives, expired past its time, unknown once replaced for good. */
static int tok_look(long slot, const char *tok, int64_t now, void *arg)
{
	(void)arg;
	const struct tok_rec *r = &S.toks[slot];
	if (!r->live || strcmp(r->tok, tok) != 0 || now >= r->dead_after)
		return PFE_INVALID_CREDENTIAL;
	return now >= r->expires ? PFE_ACCESS_TOKEN_EXPIRED : 0;
}

int sim_token_check(const char *tok)
{
	return token_check(tok, SIM_TOKENS_MAX, tok_look, NULL);
}

/* ---- counters, quotas, whitelist, faults ---- */

void sim_count(enum sim_ep ep)
{
	LOCK();
	S.calls[ep]++;
	UNLOCK();
}

/* Under the lock. */
static int quota_take_locked(enum sim_ep ep)
{
	roll_day(sim_now());
	if (S.quota[ep] >= 0 && S.used_today[ep] >= S.quota[ep])
		return 0;
	S.used_today[ep]++;
	return 1;
}

int sim_quota_take(enum sim_ep ep)
{
	LOCK();
	int ok = quota_take_locked(ep);
	UNLOCK();
	return ok;
}

void sim_quota_set(enum sim_ep ep, long long limit)
{
	LOCK();
	S.quota[ep] = limit < 0 ? -1 : limit;
	UNLOCK();
}

int sim_ip_allowed(const char *ip)
{
	LOCK();
	int ok = S.nwhite == 0;
	for (size_t i = 0; !ok && ip != NULL && i < S.nwhite; i++)
		ok = strcmp(S.whitelist[i], ip) == 0;
	UNLOCK();
	return ok;
}

int sim_whitelist_set(const char *const *ips, size_t n)
{
	if (n > SIM_WHITELIST_MAX)
		return -1;
	LOCK();
	for (size_t i = 0; i < n; i++)
		snprintf(S.whitelist[i], sizeof S.whitelist[i], "%s", ips[i]);
	S.nwhite = n;
	UNLOCK();
	return 0;
}

int sim_fault_add(const struct sim_fault *f)
{
	LOCK();
	if (S.nfaults == SIM_FAULTS_MAX) {
		UNLOCK();
		return -1;
	}
	S.faults[S.nfaults++] = *f;
	UNLOCK();
	return 0;
}

void sim_faults_clear(void)
{
	LOCK();
	S.nfaults = 0;
	UNLOCK();
}

int sim_fault_take(enum sim_ep ep, struct sim_fault *out)
{
	int found = 0;
	LOCK();
	for (size_t i = 0; i < S.nfaults; i++) {
		struct sim_fault *f = &S.faults[i];
		if (f->ep != ep)
			continue;
		*out = *f;
		found = 1;
		if (--f->count <= 0) {
			memmove(f, f + 1, (S.nfaults - i - 1) * sizeof *f);
			S.nfaults--;
		}
		break;
	}
	UNLOCK();
	return found;
}

/* ---- templates, messages, menus ---- */

int sim_template_known(const char *id)
{
	LOCK();
	int ok = 0;
	for (size_t i = 0; !ok && i < S.ntemplates; i++)
		ok = strcmp(S.templates[i], id) == 0;
	UNLOCK();
	return ok;
}

int sim_template_add(const char *id)
{
	LOCK();
	for (size_t i = 0; i < S.ntemplates; i++) {
		if (strcmp(S.templates[i], id) == 0) {
			UNLOCK();
			return 0;
		}
	}
	if (S.ntemplates == SIM_TEMPLATES_MAX) {
		UNLOCK();
		return -1;
	}
	snprintf(S.templates[S.ntemplates++], SIM_ID_MAX + 1, "%s", id);
	UNLOCK();
	return 0;
}

int sim_msg_send(enum sim_msg_kind kind, enum sim_ep ep, const char *touser, const char *template_id,
		 const char *client_msg_id, const char *data_json, const char *body_json, uint64_t *msgid, int *dup)
{
	char *d = strdup(data_json), *b = strdup(body_json);
	int e = 0;
	*dup = 0;
	LOCK();
	if (client_msg_id != NULL && client_msg_id[0] != '\0') {
		for (size_t i = 0; i < SIM_MSGS_MAX; i++) {
			const struct msg_rec *m = &S.msgs[i];
			if (m->live && m->kind == kind && strcmp(m->cmid, client_msg_id) == 0) {
				*msgid = m->msgid;
				*dup = 1;
				goto out;
			}
		}
	}
	if (d == NULL || b == NULL) {
		e = -1;
		goto out;
	}
	if (!quota_take_locked(ep)) {
		e = PFE_DAILY_QUOTA;
		goto out;
	}
	struct msg_rec *m = &S.msgs[S.msg_next];
	S.msg_next = (S.msg_next + 1) % SIM_MSGS_MAX;
	free(m->data_json);
	free(m->body_json);
	m->kind = kind;
	snprintf(m->touser, sizeof m->touser, "%s", touser);
	snprintf(m->template_id, sizeof m->template_id, "%s", template_id);
	snprintf(m->cmid, sizeof m->cmid, "%s", client_msg_id != NULL ? client_msg_id : "");
	m->msgid = SIM_MSGID_BASE + ++S.msg_seq;
	m->data_json = d;
	m->body_json = b;
	m->live = 1;
	d = b = NULL;
	*msgid = m->msgid;
out:
	UNLOCK();
	free(d);
	free(b);
	return e;
}

void sim_menu_record(const char *json)
{
	char *copy = strdup(json);
	if (copy == NULL)
		return;
	LOCK();
	free(S.menus[S.menu_next]);
	S.menus[S.menu_next] = copy;
	S.menu_next = (S.menu_next + 1) % SIM_MENUS_MAX;
	UNLOCK();
}

/* ---- listings ---- */

cJSON *sim_json_user(const struct sim_user *u)
{
	cJSON *o = cJSON_CreateObject();
	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "openid", u->openid);
	if (u->unionid[0] != '\0')
		cJSON_AddStringToObject(o, "unionid", u->unionid);
	else
		cJSON_AddNullToObject(o, "unionid");
	cJSON_AddStringToObject(o, "nickname", u->nickname);
	cJSON_AddBoolToObject(o, "snapshot", u->snapshot);
	cJSON_AddBoolToObject(o, "subscribed", u->subscribed);
	cJSON_AddBoolToObject(o, "high_risk", u->high_risk);
	cJSON_AddBoolToObject(o, "refused", u->refused);
	if (u->real_name[0] != '\0') {
		cJSON_AddStringToObject(o, "real_name", u->real_name);
		cJSON_AddStringToObject(o, "id_number", u->id_number);
	} else {
		cJSON_AddNullToObject(o, "real_name");
		cJSON_AddNullToObject(o, "id_number");
	}
	return o;
}

cJSON *sim_users_json(void)
{
	cJSON *a = cJSON_CreateArray();
	LOCK();
	for (size_t i = 0; a != NULL && i < S.nusers; i++)
		cJSON_AddItemToArray(a, sim_json_user(&S.users[i].u));
	UNLOCK();
	return a;
}

/* A ring's slots as a JSON array, oldest first (from *next round to itself), taken under the lock;
 * item answers NULL for an empty slot. */
static cJSON *ring_json(const void *ring, size_t size, size_t n, const size_t *next, cJSON *(*item)(const void *slot))
{
	cJSON *a = cJSON_CreateArray();
	LOCK();
	for (size_t k = 0; a != NULL && k < n; k++) {
		cJSON *o = item((const char *)ring + (*next + k) % n * size);
		if (o != NULL)
			cJSON_AddItemToArray(a, o);
	}
	UNLOCK();
	return a;
}

static cJSON *msg_json(const void *slot)
{
	const struct msg_rec *m = slot;
	if (!m->live)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	char id[24];
	snprintf(id, sizeof id, "%" PRIu64, m->msgid);
	cJSON_AddStringToObject(o, "kind", m->kind == SIM_MSG_TEMPLATE ? "template" : "bizsend");
	cJSON_AddStringToObject(o, "touser", m->touser);
	cJSON_AddStringToObject(o, "template_id", m->template_id);
	if (m->cmid[0] != '\0')
		cJSON_AddStringToObject(o, "client_msg_id", m->cmid);
	else
		cJSON_AddNullToObject(o, "client_msg_id");
	cJSON_AddItemToObject(o, "data", cJSON_CreateRaw(m->data_json));
	cJSON_AddStringToObject(o, "msgid", id);
	cJSON_AddItemToObject(o, "body", cJSON_CreateRaw(m->body_json));
	return o;
}

cJSON *sim_messages_json(void)
{
	return ring_json(S.msgs, sizeof S.msgs[0], SIM_MSGS_MAX, &S.msg_next, msg_json);
}

static cJSON *menu_json(const void *slot)
{
	const char *const *m = slot;
	return *m != NULL ? cJSON_CreateRaw(*m) : NULL;
}

cJSON *sim_menus_json(void)
{
	return ring_json(S.menus, sizeof S.menus[0], SIM_MENUS_MAX, &S.menu_next, menu_json);
}

cJSON *sim_calls_json(void)
{
	cJSON *o = cJSON_CreateObject();
	LOCK();
	for (int i = 0; o != NULL && i < SIM_EP__MAX; i++)
		cJSON_AddNumberToObject(o, sim_ep_path[i], (double)S.calls[i]);
	UNLOCK();
	return o;
}

cJSON *sim_faults_json(void)
{
	cJSON *a = cJSON_CreateArray();
	LOCK();
	for (size_t i = 0; a != NULL && i < S.nfaults; i++) {
		const struct sim_fault *f = &S.faults[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "endpoint", sim_ep_path[f->ep]);
		cJSON_AddStringToObject(o, "kind", sim_fault_kind_name[f->kind]);
		cJSON_AddNumberToObject(o, "errcode", f->errcode);
		cJSON_AddNumberToObject(o, "delay_ms", f->delay_ms);
		cJSON_AddNumberToObject(o, "count", f->count);
		cJSON_AddItemToArray(a, o);
	}
	UNLOCK();
	return a;
}

cJSON *sim_quota_json(void)
{
	cJSON *o = cJSON_CreateObject();
	LOCK();
	roll_day(sim_now());
	for (int i = 0; o != NULL && i < SIM_EP__MAX; i++) {
		cJSON *q = cJSON_CreateObject();
		cJSON_AddNumberToObject(q, "limit", (double)S.quota[i]);
		cJSON_AddNumberToObject(q, "used", (double)S.used_today[i]);
		cJSON_AddItemToObject(o, sim_ep_path[i], q);
	}
	UNLOCK();
	return o;
}

/* A JSON array of n strings of width w bytes each, read under the lock. */
static cJSON *strings_json(const char *first, size_t w, const size_t *n)
{
	cJSON *a = cJSON_CreateArray();
	LOCK();
	for (size_t i = 0; a != NULL && i < *n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(first + i * w));
	UNLOCK();
	return a;
}

cJSON *sim_whitelist_json(void)
{
	return strings_json(S.whitelist[0], sizeof S.whitelist[0], &S.nwhite);
}

cJSON *sim_templates_json(void)
{
	return strings_json(S.templates[0], sizeof S.templates[0], &S.ntemplates);
}

/* ---- real-name face checks ---- */

/* The live check verify_id, or NULL. Under the lock. */
static struct sim_face *find_face(const char *verify_id, int64_t now)
{
	if (strlen(verify_id) != SIM_VERIFY_ID_LEN)
		return NULL;
	for (size_t i = 0; i < SIM_FACES_MAX; i++) {
		struct sim_face *f = &S.faces[i];
		if (f->issued != 0 && strcmp(f->verify_id, verify_id) == 0)
			return now - f->issued <= SIM_FACE_TTL ? f : NULL;
	}
	return NULL;
}

int sim_face_issue(const char *openid, const char *out_seq_no, const char *cert_name, const char *cert_no,
		   char verify_id[SIM_VERIFY_ID_LEN + 1])
{
	sim_random_chars(verify_id, SIM_VERIFY_ID_LEN, ALNUM);
	LOCK();
	if (find_user(openid) < 0) {
		UNLOCK();
		return PFE_INVALID_OPENID;
	}
	struct sim_face *f = &S.faces[S.face_next];
	S.face_next = (S.face_next + 1) % SIM_FACES_MAX;
	memset(f, 0, sizeof *f);
	memcpy(f->verify_id, verify_id, SIM_VERIFY_ID_LEN + 1);
	snprintf(f->openid, sizeof f->openid, "%s", openid);
	snprintf(f->out_seq_no, sizeof f->out_seq_no, "%s", out_seq_no);
	snprintf(f->cert_name, sizeof f->cert_name, "%s", cert_name);
	snprintf(f->cert_no, sizeof f->cert_no, "%s", cert_no);
	f->issued = sim_now();
	UNLOCK();
	return 0;
}

int sim_face_get(const char *verify_id, struct sim_face *out)
{
	LOCK();
	struct sim_face *f = find_face(verify_id, sim_now());
	if (f != NULL)
		*out = *f;
	UNLOCK();
	return f != NULL;
}

int sim_user_identity_once(const char *openid, const char *name, const char *id_number)
{
	LOCK();
	int i = find_user(openid);
	int rc = i < 0 ? -1 : S.users[i].u.real_name[0] != '\0' ? 0 : 1;
	if (rc == 1) {
		snprintf(S.users[i].u.real_name, sizeof S.users[i].u.real_name, "%s", name);
		snprintf(S.users[i].u.id_number, sizeof S.users[i].u.id_number, "%s", id_number);
	}
	UNLOCK();
	return rc;
}

int sim_face_finish(const char *verify_id, enum sim_face_outcome o, int *verify_ret)
{
	LOCK();
	struct sim_face *f = find_face(verify_id, sim_now());
	int u = f != NULL ? find_user(f->openid) : -1;
	if (f == NULL || f->finished || u < 0) {
		UNLOCK();
		return -1;
	}
	const struct sim_user *su = &S.users[u].u;
	switch (o) {
	case SIM_FACE_RUN:
		/* The face at the phone is the user's real person: only that identity passes. */
		f->verify_ret = su->real_name[0] != '\0' && strcmp(su->real_name, f->cert_name) == 0 &&
					strcasecmp(su->id_number, f->cert_no) == 0
				    ? FACE_PASSED
				    : FACE_ID_NOT_THIS_PERSON;
		break;
	case SIM_FACE_CANCEL: f->verify_ret = FACE_CANCELLED_FIRST; break;
	case SIM_FACE_TIMEOUT: f->verify_ret = FACE_TIMED_OUT; break;
	case SIM_FACE_FAIL: f->verify_ret = FACE_MISMATCH; break;
	}
	f->finished = 1;
	*verify_ret = f->verify_ret;
	UNLOCK();
	return 0;
}

int sim_face_query(const char *verify_id, const char *out_seq_no, const char *openid, const char *cert_hash)
{
	LOCK();
	struct sim_face *f = find_face(verify_id, sim_now());
	int ret;
	if (f == NULL || f->queried || strcmp(f->openid, openid) != 0 || strcmp(f->out_seq_no, out_seq_no) != 0) {
		ret = FACE_PARAMETER_ERROR;
	} else if (!f->finished) {
		ret = FACE_NO_FACE;
	} else {
		char want[65];
		ret = face_cert_hash(f->cert_name, f->cert_no, want) != 0 || strcmp(want, cert_hash) != 0
			  ? FACE_ID_NOT_THIS_PERSON
			  : f->verify_ret;
		f->queried = 1;
	}
	UNLOCK();
	return ret;
}

static cJSON *face_json(const void *slot)
{
	const struct sim_face *f = slot;
	if (f->issued == 0)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "verify_id", f->verify_id);
	cJSON_AddStringToObject(o, "openid", f->openid);
	cJSON_AddStringToObject(o, "out_seq_no", f->out_seq_no);
	cJSON_AddStringToObject(o, "cert_name", f->cert_name);
	cJSON_AddStringToObject(o, "cert_no", f->cert_no);
	cJSON_AddBoolToObject(o, "finished", f->finished);
	if (f->finished)
		cJSON_AddNumberToObject(o, "verify_ret", f->verify_ret);
	else
		cJSON_AddNullToObject(o, "verify_ret");
	cJSON_AddBoolToObject(o, "queried", f->queried);
	return o;
}

cJSON *sim_faces_json(void)
{
	return ring_json(S.faces, sizeof S.faces[0], SIM_FACES_MAX, &S.face_next, face_json);
}
