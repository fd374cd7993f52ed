/* h_places.c: place codes (DESIGN §11): the resident scans the place. The place's page and its
 * API, a check-in per person (the verdict of §6, durably recorded like a device's scan with the
 * place code as its source), the door screen's rotating code, and the operators' place codes. */
#include "clock.h"
#include "codes.h"
#include "conf.h"
#include "crypto.h"
#include "fields.h"
#include "keys.h"
#include "label.h"
#include "log.h"
#include "persons.h"
#include "place.h"
#include "qrpng.h"
#include "resp.h"
#include "routes.h"
#include "scanin.h"
#include "scanq.h"
#include "session.h"
#include "store_admin.h"
#include "store_places.h"
#include "token.h"
#include "valid.h"
#include "verdict.h"
#include "isotime.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHECKIN_PERSONS_MAX PLACES_ASK_MAX /* persons in one check-in */
#define CHECKINS_PER_MINUTE 20             /* check-in requests of one account in a minute */
#define DISPLAY_TOKEN_LEN   43
#define LIST_DEFAULT        50
#define URL_MAX             (CONF_STR + 8 + PLACE_TOKEN_SIZE)

/* ---- small helpers ---------------------------------------------------------------- */

/* "{public_url}/p/{token}" into out (URL_MAX bytes). */
static void place_url(const struct call *c, const char *token, char *out)
{
	snprintf(out, URL_MAX, "%s/p/%s", c->conf->public_url, token);
}

/* A QR code of text as a data: URL of its PNG (black modules; ec 'M' on a screen, 'Q' on
 * paper), in the arena; NULL when it cannot be rendered. */
static char *qr_data_url(struct call *c, const char *text, int ec, int min_width)
{
	struct qrpng_opts o = { QRPNG_BLACK, ec, QRPNG_SCALE_DEFAULT, min_width };
	uint8_t *png = NULL;
	size_t len = 0;
	if (qrpng_render(text, strlen(text), &o, &png, &len, NULL) != 0)
		return NULL;
	static const char head[] = "data:image/png;base64,";
	char *out = arena_alloc(c->arena, sizeof head + (len + 2) / 3 * 4);
	if (out != NULL) {
		memcpy(out, head, sizeof head - 1);
		crypto_b64(png, len, out + sizeof head - 1, (len + 2) / 3 * 4 + 1);
	}
	free(png);
	return out;
}

/* The place part of the answers: name, kind, type, label. */
static cJSON *place_json(const char *name, int kind, int type, const char *label)
{
	cJSON *o = cJSON_CreateObject();
	const char *kw = verdict_cp_kind_word((enum verdict_cp_kind)kind);
	const char *tw = verdict_cp_type_word((enum verdict_cp_type)type);
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "kind", kw != NULL ? kw : "unknown");
	cJSON_AddStringToObject(o, "type", tw != NULL ? tw : "unknown");
	cJSON_AddStringToObject(o, "label", label);
	return o;
}

static void add_time(cJSON *o, const char *name, int64_t t)
{
	char iso[32];
	isotime_format(t, iso);
	cJSON_AddStringToObject(o, name, iso);
}

/* The place a /p/{token} names, as of now: 404 for no place code, 410 for a revoked one or a door
 * screen's code past its two minutes. */
static enum err resolve(struct call *c, int64_t now, struct place *pl)
{
	const char *text = c->nparams > 0 ? c->params[0] : NULL;
	struct place_token t;
	if (text == NULL || place_parse(text, strlen(text), &t) == PLACE_TOKEN_INVALID)
		return ERR_NOT_FOUND;
	if (t.kind == PLACE_TOKEN_DISPLAY && !place_display_mac_ok(c->keys->mac, sizeof c->keys->mac, &t))
		return ERR_NOT_FOUND;
	enum db_rc rc = places_by_token(c->db, text, &t, pl);
	if (rc != DB_OK)
		return persons_db_err(rc);
	if (pl->revoked)
		return ERR_PLACE_CODE_REVOKED;
	if (t.kind == PLACE_TOKEN_DISPLAY && place_display_fresh(t.shown_at, now) != PLACE_FRESH)
		return ERR_PLACE_CODE_EXPIRED;
	return ERR_OK;
}

/* ---- the place's page and its API ---------------------------------------------------- */

/* GET /p/{token}: nginx serves the page (place.html) with the status of the place code: 200
 * through X-Accel-Redirect, or this error's status through its error_page. */
enum err h_place_page(struct call *c)
{
	struct place pl;
	enum err e = resolve(c, clock_now(), &pl);
	if (e != ERR_OK)
		return e;
	resp_header(c, "X-Accel-Redirect", "/place.html");
	resp_header(c, "Cache-Control", "no-store");
	resp_raw(c, 200, "text/html; charset=utf-8", "", 0);
	return ERR_OK;
}

/* GET /api/v1/places/{token}: the place, and for a logged-in caller the persons the account
 * holds (its own first, preselected by the page). Anyone may ask: the poster shows as much. */
enum err h_place_get(struct call *c)
{
	int64_t now = clock_now();
	struct place pl;
	enum err e = resolve(c, now, &pl);
	if (e != ERR_OK)
		return e;
	int logged_in = 0;
	if (call_param(c, "HTTP_AUTHORIZATION") != NULL || call_cookie(c, session_cookie_name(c->conf)) != NULL) {
		e = session_authenticate(c);
		if (e == ERR_OK)
			logged_in = 1;
		else if (e != ERR_UNAUTHENTICATED)
			return e;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "place", place_json(pl.name, pl.cp_kind, pl.cp_type, pl.label));
	cJSON_AddBoolToObject(o, "logged_in", logged_in);
	cJSON *list = cJSON_AddArrayToObject(o, "persons");
	if (logged_in) {
		static _Thread_local struct place_person ps[PLACES_PERSONS_MAX];
		enum db_rc rc;
		int n = places_persons(c->db, c->account_id, pl.checkpoint, 0, 0, now * 1000, now, ps, &rc);
		if (n < 0) {
			cJSON_Delete(o);
			return persons_db_err(rc == DB_NOROW ? DB_ERR : rc);
		}
		for (int i = 0; i < n; i++) {
			cJSON *p = cJSON_CreateObject();
			cJSON_AddStringToObject(p, "id", ps[i].public_id);
			cJSON_AddStringToObject(p, "name_masked", ps[i].name_m);
			cJSON_AddStringToObject(p, "relationship",
						person_relationship_word(ps[i].role, ps[i].relationship));
			const char *color = rules_color_word((enum rules_color)ps[i].color);
			cJSON_AddStringToObject(p, "color", color != NULL ? color : "none");
			cJSON_AddBoolToObject(p, "self", ps[i].role == 1);
			cJSON_AddItemToArray(list, p);
		}
	}
	add_time(o, "server_time", now);
	resp_header(c, "Cache-Control", "no-store");
	resp_json(c, 200, o);
	return ERR_OK;
}

/* ---- check-ins ---------------------------------------------------------------------- */

struct checkin_in {
	const char *ids[CHECKIN_PERSONS_MAX];
	int n;
	enum verdict_direction dir;
	int has_visitor;
	char visitor_json[SCAN_VISITOR_JSON];
};

/* {"persons":[id...],"direction":"in|out","visitor":{"purpose","host"|"address"}?} as its field
 * table (checkin_fields) judged and kept it: v the values of a valid body. */
static void checkin_read(const struct call *c, const struct fval *v, struct checkin_in *in)
{
	memset(in, 0, sizeof *in);
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(c->json, "persons")) {
		if (in->n < CHECKIN_PERSONS_MAX)
			in->ids[in->n++] = it->valuestring;
	}
	in->dir = (enum verdict_direction)v[CHECKIN_DIRECTION].i;
	/* A visitor's registration, as the scanner page takes it (scanin.c). */
	in->has_visitor = v[CHECKIN_VISITOR].present && v[CHECKIN_VISITOR].len < sizeof in->visitor_json;
	if (in->has_visitor)
		memcpy(in->visitor_json, v[CHECKIN_VISITOR].s, v[CHECKIN_VISITOR].len + 1);
}

/* One person's answer. */
struct checkin_out {
	const struct place_ask *p; /* NULL: the account does not hold the person asked for */
	const char *asked;
	struct verdict_out v;
	int color;
	uint64_t scan_id;
	int repeat; /* the answer of a check-in within the last 5 minutes */
};

static cJSON *checkin_json(const struct checkin_out *o)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "person_id", o->asked);
	if (o->p == NULL) {
		const struct err_info *ei = err_info(ERR_PERSON_NOT_HELD);
		cJSON *e = cJSON_AddObjectToObject(a, "error");
		cJSON_AddStringToObject(e, "code", ei->code);
		cJSON_AddNumberToObject(e, "status", ei->status);
		cJSON_AddStringToObject(e, "message", ei->message);
		return a;
	}
	cJSON *p = cJSON_AddObjectToObject(a, "person");
	cJSON_AddStringToObject(p, "name_masked", o->p->name_m);
	cJSON_AddStringToObject(p, "id_masked", o->p->id_m);
	cJSON_AddStringToObject(a, "verdict", verdict_word(o->v.verdict));
	cJSON *reasons = cJSON_AddArrayToObject(a, "reasons");
	for (int r = 0; r < VERDICT_REASON__MAX; r++)
		if (o->v.reasons & VERDICT_REASON_BIT(r))
			cJSON_AddItemToArray(reasons, cJSON_CreateString(verdict_reason_word((enum verdict_reason)r)));
	const char *color = rules_color_word((enum rules_color)o->color);
	cJSON_AddStringToObject(a, "color", color != NULL ? color : "none");
	cJSON *checks = cJSON_AddArrayToObject(a, "checks");
	for (int k = 0; k < VERDICT_CHECK__MAX; k++)
		if (o->v.checks & VERDICT_CHECK_BIT(k))
			cJSON_AddItemToArray(checks, cJSON_CreateString(verdict_check_word((enum verdict_check)k)));
	char id[24];
	snprintf(id, sizeof id, "%llu", (unsigned long long)o->scan_id);
	cJSON_AddStringToObject(a, "scan_id", id);
	cJSON_AddBoolToObject(a, "repeat", o->repeat);
	return a;
}

/* A check-in in flight: the request thread fills what the request says, the scans' committer
 * looks up the session, the place and the persons with its group's other check-ins and runs
 * checkin_decide (no store, no allocation) to choose the rows it writes. One per request thread. */
struct checkin {
	struct scan_job job;
	struct place_checkin pc;
	struct checkin_in in;
	int body_ok;  /* the body was valid (its field errors are in the call) */
	int token_ok; /* the token parsed (a door screen's with a valid mac) */
	int stale;    /* a door screen's code past its two minutes */
	int csrf_ok;  /* a cookie's write carries the CSRF header (or no cookie) */
	int64_t now_ms;
	int fever_tenths;
	int second;                             /* the second pass, with red persons' codes read again */
	int32_t color_now[CHECKIN_PERSONS_MAX]; /* a red code read again by the request thread; 0: none */
	int refresh;                            /* red persons whose code must be read again before deciding */
	enum err e;
	struct checkin_out outs[CHECKIN_PERSONS_MAX];
	int out_row[CHECKIN_PERSONS_MAX]; /* the row of each answer, or -1 (not held) */
	uint64_t ids[CHECKIN_PERSONS_MAX];
	struct scan_row rows[CHECKIN_PERSONS_MAX];
	uint8_t vis[CHECKIN_PERSONS_MAX][SCAN_VISITOR_JSON + CRYPTO_AEAD_OVERHEAD];
	int vis_len[CHECKIN_PERSONS_MAX];
};
static _Thread_local struct checkin checkin_k;

/* The error that ends a check-in before its persons, in the order a caller hears them: the
 * session, the place, the body, the account's minute. */
static enum err checkin_gate(const struct checkin *k)
{
	if (!k->pc.session_found)
		return ERR_UNAUTHENTICATED;
	if (!k->csrf_ok)
		return ERR_CSRF;
	if (!k->token_ok || k->pc.place.id == 0)
		return ERR_NOT_FOUND;
	if (k->pc.place.revoked)
		return ERR_PLACE_CODE_REVOKED;
	if (k->stale)
		return ERR_PLACE_CODE_EXPIRED;
	if (!k->body_ok)
		return ERR_VALIDATION;
	if (k->pc.count && k->pc.minute_count > CHECKINS_PER_MINUTE)
		return ERR_RATE_LIMITED;
	return ERR_OK;
}

/* On the committer thread (or the request's, for a refused body), with the check-in looked up:
 * per person asked, the verdict of §6 at the place (the temperature is taken at the door), and
 * its row: the committer's claim answers it with the earlier row instead when the same answer was
 * given there within the last 5 minutes (repeat_of). A held red person
 * whose code was not read again sends the check-in back for that first (k->refresh). */
static const struct scan_row *checkin_decide(struct scan_job *job)
{
	struct checkin *k = job->arg;
	const struct place *pl = &k->pc.place;
	job->rows = k->rows;
	job->nrows = 0;
	k->refresh = 0;
	if ((k->e = checkin_gate(k)) != ERR_OK)
		return NULL;
	/* A red code whose observation has ended turns green on its next read, as on every read:
	 * the request thread reads those (rare) codes, then the check-in comes again. */
	for (int i = 0; i < k->in.n && !k->second; i++)
		if (k->pc.ask[i].held && k->pc.ask[i].color == RULES_COLOR_RED)
			k->refresh = 1;
	if (k->refresh)
		return NULL;
	/* Taxis and ride-hailing check in before the car moves: always an entry, traced as one. */
	int32_t dir = verdict_direction(pl->cp_type, (int)k->in.dir);
	int nok = 0;
	for (int i = 0; i < k->in.n; i++) {
		struct checkin_out *o = &k->outs[i];
		const struct place_ask *a = &k->pc.ask[i];
		memset(o, 0, sizeof *o);
		o->asked = k->in.ids[i];
		k->out_row[i] = -1;
		if (!a->held)
			continue; /* not this account's: nothing is recorded for it */
		o->p = a;
		nok++;
		o->color = k->color_now[i] != 0 ? k->color_now[i] : a->color;
		struct verdict_in vi = { 0 };
		vi.token = VERDICT_TOKEN_OK;
		vi.kind = VERDICT_KIND_PHONE;
		vi.color = (enum rules_color)o->color;
		vi.direction = k->in.dir;
		vi.temperature_at_door = true;
		vi.cp_kind = (enum verdict_cp_kind)pl->cp_kind;
		vi.cp_type = (enum verdict_cp_type)pl->cp_type;
		vi.is_resident = a->resident != 0;
		vi.has_visitor_registration = k->in.has_visitor;
		verdict_decide(&vi, k->fever_tenths, &o->v);
		struct scan_row *row = &k->rows[job->nrows];
		memset(row, 0, sizeof *row);
		row->id = k->ids[i];
		row->local_day = clock_local_day(k->now_ms / 1000);
		row->at_ms = k->now_ms;
		row->checkpoint = pl->checkpoint;
		row->person = a->person;
		row->kind = TOKEN_KIND_PHONE;
		row->direction = dir;
		row->verdict = o->v.verdict;
		row->reasons = o->v.reasons;
		row->place_code = pl->id;
		if (o->v.visitor_registered && k->vis_len[i] > 0) {
			row->visitor = k->vis[i];
			row->visitor_len = (size_t)k->vis_len[i];
		}
		o->scan_id = row->id;
		k->out_row[i] = (int)job->nrows++;
	}
	if (nok == 0)
		k->e = ERR_PERSON_NOT_HELD;
	return NULL;
}

/* The request's side of a check-in before it is looked up: its session (as the router parsed
 * it), its place token, its body (in, as its form check parsed it; NULL: refused), and for each
 * person a row id (and a visitor's registration sealed under it, should the verdict take it). */
static enum err checkin_prepare(struct call *c, struct checkin *k, const struct checkin_in *in)
{
	memset(&k->job, 0, sizeof k->job);
	memset(&k->pc, 0, sizeof k->pc);
	k->job.decide = checkin_decide;
	k->job.arg = k;
	k->job.place = &k->pc;
	k->now_ms = clock_now_ms();
	k->fever_tenths = c->conf->fever_tenths;
	k->second = 0;
	k->e = ERR_INTERNAL;
	memset(k->color_now, 0, sizeof k->color_now);
	memset(k->vis_len, 0, sizeof k->vis_len);
	int64_t now = k->now_ms / 1000;
	memcpy(k->pc.session_hash, c->session_hash, sizeof k->pc.session_hash);
	k->pc.session_kind = c->session_kind;
	k->pc.now = now;
	k->pc.idle_after = now - c->conf->session_idle_s;
	/* A cookie's write must carry X-Requested-With (session_accept says so again). */
	const char *xrw = call_param(c, "HTTP_X_REQUESTED_WITH");
	k->csrf_ok = c->session_kind != SESSION_COOKIE || (xrw != NULL && strcmp(xrw, "hqr") == 0);
	const char *text = c->nparams > 0 ? c->params[0] : NULL;
	struct place_token t;
	k->token_ok = text != NULL && place_parse(text, strlen(text), &t) != PLACE_TOKEN_INVALID &&
		      (t.kind != PLACE_TOKEN_DISPLAY || place_display_mac_ok(c->keys->mac, sizeof c->keys->mac, &t));
	k->stale = 0;
	if (k->token_ok && t.kind == PLACE_TOKEN_POSTER) {
		k->pc.poster = 1;
		crypto_sha256(text, strlen(text), k->pc.token_hash);
	} else if (k->token_ok) {
		k->pc.display_id = t.display_id;
		k->stale = place_display_fresh(t.shown_at, now) != PLACE_FRESH;
	}
	k->body_ok = in != NULL;
	if (in != NULL)
		k->in = *in;
	else
		memset(&k->in, 0, sizeof k->in);
	k->pc.nask = k->body_ok ? k->in.n : 0;
	for (int i = 0; i < k->pc.nask; i++)
		snprintf(k->pc.ask[i].public_id, sizeof k->pc.ask[i].public_id, "%s", k->in.ids[i]);
	k->pc.count = k->body_ok && k->token_ok && !k->stale && k->csrf_ok;
	if (!k->body_ok)
		return ERR_OK;
	if (crypto_random(k->ids, sizeof k->ids) != 0)
		return ERR_INTERNAL;
	for (int i = 0; i < k->in.n; i++) {
		k->ids[i] = (k->ids[i] & 0x7fffffffffffffffULL) | 1;
		if (!k->in.has_visitor)
			continue;
		char aad[40];
		snprintf(aad, sizeof aad, "visitor|%llu", (unsigned long long)k->ids[i]);
		k->vis_len[i] = crypto_seal(c->keys->data, aad, strlen(aad), k->in.visitor_json,
					    strlen(k->in.visitor_json), k->vis[i], sizeof k->vis[i]);
		if (k->vis_len[i] < 0)
			return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* The session as the check-in's lookup found it (touched at most once a minute). */
static enum err checkin_session(struct call *c, const struct checkin *k)
{
	return session_accept(c, k->pc.session_found ? DB_OK : DB_NOROW, k->pc.account, k->pc.session_kind,
			      k->pc.session_last, k->now_ms / 1000);
}

/* The check-in's form check (routes.c): the body as checkin_fields judged it, into c->form
 * (struct checkin_in). A refused body still hears first about its session and place, looked up here:
 * 401, 404 and 410 come before 422. */
enum err place_checkin_check(struct call *c, struct fval *v)
{
	struct checkin_in *in = arena_alloc(c->arena, sizeof *in);
	if (in == NULL)
		return ERR_INTERNAL;
	c->form = in;
	if (c->nferr == 0) {
		checkin_read(c, v, in);
		return ERR_OK;
	}
	struct checkin *k = &checkin_k;
	enum err e = checkin_prepare(c, k, NULL);
	if (e != ERR_OK)
		return e;
	struct scan_job *j = &k->job;
	if (scanq_lookup(c->db, &j, 1) != DB_OK)
		return ERR_UNAVAILABLE;
	(void)checkin_decide(j);
	e = checkin_session(c, k);
	if (e == ERR_OK)
		e = k->e;
	if (e != ERR_VALIDATION)
		c->nferr = 0; /* a body's field errors only answer a body refused */
	return e;
}

/* POST /api/v1/places/{token}/checkins: per person asked, the verdict of §6 at the place, recorded
 * durably before the answer like a device's scan: the request makes no round trip of its own (the
 * scans' committer looks it up, decides and writes it with its group), but for a session touched
 * at most once a minute, a refused body (place_checkin_check), and a red person's code. */
enum err h_place_checkins(struct call *c)
{
	struct checkin *k = &checkin_k;
	enum err e = checkin_prepare(c, k, c->form);
	if (e != ERR_OK)
		return e;
	if (scanq_submit(&k->job) != DB_OK)
		return ERR_UNAVAILABLE;
	int64_t now = k->now_ms / 1000;
	e = checkin_session(c, k);
	if (e == ERR_OK && k->e == ERR_OK && k->refresh) {
		for (int i = 0; i < k->in.n; i++) {
			if (!k->pc.ask[i].held || k->pc.ask[i].color != RULES_COLOR_RED)
				continue;
			struct code_state code;
			struct code_status st;
			enum db_rc rc = codes_read(c->db, c->conf, k->pc.ask[i].person, now, &code, &st);
			if (rc != DB_OK)
				return persons_db_err(rc == DB_NOROW ? DB_ERR : rc);
			k->color_now[i] = code.color;
		}
		k->second = 1;
		k->pc.count = 0; /* counted on the first pass */
		if (scanq_submit(&k->job) != DB_OK)
			return ERR_UNAVAILABLE;
	}
	if (e == ERR_OK)
		e = k->e;
	if (e == ERR_RATE_LIMITED) {
		/* The error body with the seconds to the next minute: an error returned would lose the
		 * header (the worker writes errors with none). */
		char after[8];
		snprintf(after, sizeof after, "%d", (int)(60 - now % 60));
		resp_error(c, ERR_RATE_LIMITED, "too many check-ins from this account: try again in a minute");
		resp_header(c, "Retry-After", after);
		return ERR_OK;
	}
	if (e != ERR_OK)
		return e;
	cJSON *a = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(a, "checkins");
	for (int i = 0; i < k->in.n; i++) {
		struct checkin_out *o = &k->outs[i];
		/* An equal check-in of the same person here within 5 minutes (its claim found it) answers this one. */
		if (k->out_row[i] >= 0 && k->job.repeat_of[k->out_row[i]] != 0) {
			o->scan_id = k->job.repeat_of[k->out_row[i]];
			o->repeat = 1;
		}
		cJSON_AddItemToArray(list, checkin_json(o));
	}
	const struct place *pl = &k->pc.place;
	cJSON_AddItemToObject(a, "place", place_json(pl->name, pl->cp_kind, pl->cp_type, pl->label));
	add_time(a, "server_time", now);
	resp_header(c, "Cache-Control", "no-store");
	resp_json(c, 200, a);
	return ERR_OK;
}

/* ---- the door screen ------------------------------------------------------------------ */

/* GET /api/v1/place-display with the screen's bearer token: the code of this 30-second window,
 * as a URL and its QR image, and when to ask again. */
enum err h_place_display(struct call *c)
{
	const char *auth = call_param(c, "HTTP_AUTHORIZATION");
	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0 || strlen(auth + 7) != DISPLAY_TOKEN_LEN)
		return ERR_UNAUTHENTICATED;
	uint8_t hash[32];
	crypto_sha256(auth + 7, DISPLAY_TOKEN_LEN, hash);
	struct place pl;
	enum db_rc rc = places_by_display_token(c->db, hash, &pl);
	if (rc == DB_NOROW)
		return ERR_UNAUTHENTICATED;
	if (rc != DB_OK)
		return persons_db_err(rc);
	if (pl.revoked)
		return ERR_PLACE_CODE_REVOKED;
	int64_t now = clock_now();
	uint32_t shown = place_window(now);
	char token[PLACE_TOKEN_SIZE], url[URL_MAX];
	place_display_token(c->keys->mac, sizeof c->keys->mac, pl.display_id, shown, token);
	place_url(c, token, url);
	char *png = qr_data_url(c, url, 'M', 0);
	if (png == NULL)
		return ERR_INTERNAL;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "qr_png", png);
	add_time(o, "shown_at", shown);
	add_time(o, "valid_until", (int64_t)shown + PLACE_DISPLAY_TTL_S);
	cJSON_AddNumberToObject(o, "refresh_after_s", (double)((int64_t)shown + PLACE_WINDOW_S - now));
	cJSON_AddItemToObject(o, "place", place_json(pl.name, pl.cp_kind, pl.cp_type, pl.label));
	add_time(o, "server_time", now);
	resp_header(c, "Cache-Control", "no-store");
	resp_json(c, 200, o);
	return ERR_OK;
}

/* ---- operators --------------------------------------------------------------------------- */

static cJSON *code_json(struct call *c, const struct place_code *pc)
{
	cJSON *o = cJSON_CreateObject();
	char url[URL_MAX];
	cJSON_AddNumberToObject(o, "id", (double)pc->id);
	cJSON_AddNumberToObject(o, "checkpoint_id", (double)pc->checkpoint);
	cJSON_AddStringToObject(o, "label", pc->label);
	if (pc->token[0] != '\0') {
		place_url(c, pc->token, url);
		cJSON_AddStringToObject(o, "url", url);
	} else {
		cJSON_AddNullToObject(o, "url"); /* sealed under a data key no longer held */
	}
	cJSON_AddBoolToObject(o, "revoked", pc->revoked != 0);
	cJSON_AddStringToObject(o, "created_at", pc->created);
	cJSON *p = place_json(pc->name, pc->cp_kind, pc->cp_type, pc->label);
	cJSON_AddStringToObject(p, "district", pc->district);
	cJSON_AddItemToObject(o, "place", p);
	char poster[48];
	snprintf(poster, sizeof poster, "/place-poster.html?id=%llu", (unsigned long long)pc->id);
	cJSON_AddStringToObject(o, "poster", poster);
	return o;
}

/* The new place code's form check (routes.c): a label is read from a JSON body only (not from
 * the query of a call without one). */
enum err place_code_check(struct call *c, struct fval *v)
{
	if (c->json == NULL) {
		call_field_forget(c, "label");
		v[PLACE_CODE_LABEL].present = 0;
	}
	return c->nferr > 0 ? ERR_VALIDATION : ERR_OK;
}

/* POST /api/v1/admin/checkpoints/{id}/place-codes {"label"}: a new place code. */
enum err h_admin_place_code_create(struct call *c)
{
	uint64_t cp = path_id_parse(c->params[0]);
	if (cp == 0)
		return ERR_NOT_FOUND;
	const char *label = c->f[PLACE_CODE_LABEL].present ? c->f[PLACE_CODE_LABEL].s : "";
	/* The checkpoint must exist: the list of its place codes is empty or not, it is there. */
	struct checkpoint_row r;
	enum db_rc rc = checkpoint_get(c->db, cp, &r);
	if (rc != DB_OK)
		return persons_db_err(rc);
	static _Thread_local struct place_code pc;
	rc = places_create(c->db, c->keys->data, cp, label, clock_now(), &pc);
	if (rc != DB_OK)
		return persons_db_err(rc == DB_NOROW ? DB_ERR : rc);
	resp_header(c, "Cache-Control", "no-store");
	resp_json(c, 201, code_json(c, &pc));
	return ERR_OK;
}

/* The place code the path names ({id}), its token opened, into a buffer of the thread's: 404 for
 * no such place code. */
static enum err path_place_code(struct call *c, const struct place_code **out)
{
	static _Thread_local struct place_code pc;
	*out = &pc;
	uint64_t id = path_id_parse(c->params[0]);
	if (id == 0)
		return ERR_NOT_FOUND;
	enum db_rc rc = places_get(c->db, c->keys->data, id, &pc);
	return rc == DB_OK ? ERR_OK : persons_db_err(rc);
}

/* GET /api/v1/admin/place-codes/{id}: the place code, its URL and its poster's QR image. */
enum err h_admin_place_code(struct call *c)
{
	const struct place_code *pc;
	enum err e = path_place_code(c, &pc);
	if (e != ERR_OK)
		return e;
	cJSON *o = code_json(c, pc);
	if (pc->token[0] != '\0' && !pc->revoked) {
		char url[URL_MAX];
		place_url(c, pc->token, url);
		/* A poster: error correction Q (a scuffed or dirty print still reads), about 8 cm at 200 dpi. */
		char *png = qr_data_url(c, url, 'Q', 640);
		if (png == NULL) {
			cJSON_Delete(o);
			return ERR_INTERNAL;
		}
		cJSON_AddStringToObject(o, "qr_png", png);
	}
	resp_header(c, "Cache-Control", "no-store");
	resp_json(c, 200, o);
	return ERR_OK;
}

struct list_ctx {
	struct call *c;
	cJSON *list;
	uint64_t last;
	int n;
};

static void list_one(const struct place_code *pc, void *arg)
{
	struct list_ctx *x = arg;
	cJSON_AddItemToArray(x->list, code_json(x->c, pc));
	x->last = pc->id;
	x->n++;
}

/* GET /api/v1/admin/place-codes?checkpoint_id=&after=&limit=: place codes in id order. */
enum err h_admin_place_codes(struct call *c)
{
	const struct fval *f = c->f; /* place_codes_fields */
	uint64_t cp = f[PLACE_CODES_CHECKPOINT].present ? (uint64_t)f[PLACE_CODES_CHECKPOINT].i : 0;
	uint64_t after = f[PLACE_CODES_AFTER].present ? (uint64_t)f[PLACE_CODES_AFTER].i : 0;
	long long limit = f[PLACE_CODES_LIMIT].present ? f[PLACE_CODES_LIMIT].i : LIST_DEFAULT;
	cJSON *o = cJSON_CreateObject();
	struct list_ctx x = { c, cJSON_AddArrayToObject(o, "place_codes"), 0, 0 };
	enum db_rc rc = places_list(c->db, c->keys->data, cp, after, (int32_t)limit, list_one, &x);
	if (rc != DB_OK) {
		cJSON_Delete(o);
		return persons_db_err(rc == DB_NOROW ? DB_ERR : rc);
	}
	if (x.n == limit)
		cJSON_AddNumberToObject(o, "next_after", (double)x.last);
	resp_header(c, "Cache-Control", "no-store");
	resp_json(c, 200, o);
	return ERR_OK;
}

/* POST /api/v1/admin/place-codes/{id}/revoke: the place's page and API answer 410 from now on. */
enum err h_admin_place_code_revoke(struct call *c)
{
	uint64_t id = path_id_parse(c->params[0]);
	if (id == 0)
		return ERR_NOT_FOUND;
	enum db_rc rc = places_revoke(c->db, id, clock_now());
	if (rc != DB_OK)
		return persons_db_err(rc); /* unknown, or revoked already: 404 */
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddBoolToObject(o, "revoked", 1);
	resp_json(c, 200, o);
	return ERR_OK;
}

/* POST /api/v1/admin/place-codes/{id}/displays: a door screen's token, shown once. */
enum err h_admin_place_display_create(struct call *c)
{
	const struct place_code *pc;
	enum err e = path_place_code(c, &pc);
	if (e != ERR_OK)
		return e;
	if (pc->revoked)
		return ERR_PLACE_CODE_REVOKED;
	uint64_t id = pc->id;
	char token[DISPLAY_TOKEN_LEN + 1];
	uint64_t did = 0;
	enum db_rc rc = places_display_create(c->db, id, clock_now(), token, &did);
	if (rc != DB_OK)
		return persons_db_err(rc == DB_NOROW ? DB_ERR : rc);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "display_id", (double)did);
	cJSON_AddNumberToObject(o, "place_code_id", (double)id);
	cJSON_AddStringToObject(o, "token", token);
	cJSON_AddStringToObject(o, "page", "/place-display.html");
	memset(token, 0, sizeof token);
	resp_header(c, "Cache-Control", "no-store");
	resp_json(c, 201, o);
	return ERR_OK;
}
