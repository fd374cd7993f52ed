/* sim.h: hqr-platform-sim's shared parts: its configuration, the platform reply writer, and the handlers of its route table. */
#ifndef HQR_SIM_H
#define HQR_SIM_H

#include <stddef.h>
#include <stdio.h>

#include "req.h"
#include "sim_state.h"
#include "valid.h"

struct cJSON;

/* The command line of `serve`, fixed before the threads start and read-only afterwards. */
struct sim_config {
	const char *appid; /* the public account's appid, also the mini-program's */
	const char *secret;
	const char *push_token;   /* signs pushes to the service */
	const char *aes_key;      /* EncodingAESKey (43 characters) for safe-mode pushes */
	const char *auth_domain;  /* host[:port] every redirect_uri must have */
	const char *callback_url; /* the service's server URL */
	int threads;
};
extern struct sim_config sim_cfg;

/* Largest body a platform POST endpoint reads. */
#define SIM_BODY_MAX (64 * 1024)

/* ---- sim_reply.c: the platform's way of answering ---- */

/* The platform's text for an errcode ("invalid code"), "" if it has none. */
const char *sim_errmsg(int errcode);
/* HTTP 200 {"errcode":N,"errmsg":"<text>, rid: xxxxxxxx-xxxxxxxx-xxxxxxxx"}; msg NULL = the
 * standard text of errcode. */
void sim_fail(struct call *c, int errcode, const char *msg);
/* HTTP 200 {"errcode":0,"errmsg":"ok"}. */
void sim_ok(struct call *c);
/* HTTP 200 with a platform JSON body: "application/json; encoding=utf-8", every '/' inside a
 * string escaped as "\/" (cJSON does not). Takes ownership of body. */
void sim_json(struct call *c, struct cJSON *body);
/* A control-surface answer (plain cJSON). Takes ownership of body. */
void sim_ctl_json(struct call *c, int status, struct cJSON *body);
/* Counts a call of ep and applies the next pending fault of ep. Returns 1 when the fault has
 * answered (the handler returns ERR_OK at once), 0 to go on (also after a delay). */
int sim_enter(struct call *c, enum sim_ep ep);
/* The first value of a query parameter, or NULL. */
const char *sim_q(const struct call *c, const char *key);
/* Reads a platform POST body (any content type) into the arena: NULL and an answer already set
 * (44002 empty, 47001 too large) on failure. */
const char *sim_body(struct call *c, size_t *len);
/* Parses the body as a JSON object, registered for freeing with the arena; NULL and an answer
 * already set (44002, 47001) on failure. */
struct cJSON *sim_body_json(struct call *c);
/* Checks appid (41002 missing, 40013 not this app's) and, when want_secret, secret (41004
 * missing, 40125 wrong); 0 when they fit. */
int sim_app_check(const char *appid, const char *secret, int want_secret);
/* The calling client's address as nginx saw it ("" when unknown). */
const char *sim_remote(const struct call *c);

/* ---- sim_oauth.c: the platform's pages ---- */
/* Writes s HTML-escaped (control characters left out). */
void sim_html_text(FILE *f, const char *s);
/* Writes every pair of the query q as a hidden input, so that a form sends the query on. */
void sim_html_hidden_query(FILE *f, const struct kvlist *q);
/* Takes a memstream's text (freeing buf) as an HTML answer with the pages' CSP. */
void sim_html_answer(struct call *c, int status, char *buf, size_t len);
/* The platform's error page (HTTP 200, the code in the page and in X-Sim-Errcode). */
enum err sim_error_page(struct call *c, int code, const char *why);
/* 1 when url is http(s) on the authorization domain, without whitespace or control bytes. */
int sim_redirect_ok(const char *url);
/* The raw (still percent-encoded) value of the index-th query pair, and its length. */
const char *sim_raw_value(const char *q, size_t index, size_t *len);

/* ---- handlers (enum err: ERR_OK once an answer is set) ---- */
enum err sim_h_authorize(struct call *c);
enum err sim_h_sns_token(struct call *c);
enum err sim_h_sns_refresh(struct call *c);
enum err sim_h_userinfo(struct call *c);
enum err sim_h_sns_auth(struct call *c);
enum err sim_h_jscode(struct call *c);
enum err sim_h_token(struct call *c);
enum err sim_h_stable(struct call *c);
enum err sim_h_menu(struct call *c);
enum err sim_h_template(struct call *c);
enum err sim_h_bizsend(struct call *c);
enum err sim_h_face_getid(struct call *c);
enum err sim_h_face_page(struct call *c);
enum err sim_h_face_query(struct call *c);
enum err sim_h_faces(struct call *c);

enum err sim_h_users_post(struct call *c);
enum err sim_h_users_get(struct call *c);
enum err sim_h_jscode_post(struct call *c);
enum err sim_h_templates_post(struct call *c);
enum err sim_h_templates_get(struct call *c);
enum err sim_h_messages(struct call *c);
enum err sim_h_menus(struct call *c);
enum err sim_h_calls(struct call *c);
enum err sim_h_reset(struct call *c);
enum err sim_h_faults_post(struct call *c);
enum err sim_h_faults_get(struct call *c);
enum err sim_h_faults_delete(struct call *c);
enum err sim_h_clock_post(struct call *c);
enum err sim_h_clock_get(struct call *c);
enum err sim_h_whitelist_post(struct call *c);
enum err sim_h_whitelist_get(struct call *c);
enum err sim_h_quota_post(struct call *c);
enum err sim_h_quota_get(struct call *c);
enum err sim_h_push(struct call *c);

/* The field tables of the control routes (sim_ctl.c). */
enum sim_users_field {
	SU_OPENID,
	SU_UNIONID,
	SU_NICKNAME,
	SU_SNAPSHOT,
	SU_SUBSCRIBED,
	SU_HIGH_RISK,
	SU_REFUSED,
	SU_REAL_NAME,
	SU_ID_NUMBER,
	SU__MAX
};
enum sim_jscode_field { SJ_OPENID, SJ__MAX };
enum sim_template_field { ST_TEMPLATE_ID, ST__MAX };
enum sim_fault_field { SF_ENDPOINT, SF_KIND, SF_ERRCODE, SF_DELAY_MS, SF_COUNT, SF__MAX };
enum sim_clock_field { SC_ADVANCE_S, SC__MAX };
enum sim_quota_field { SQ_ENDPOINT, SQ_LIMIT, SQ__MAX };
enum sim_push_field { SP_TYPE, SP_OPENID, SP_KEY, SP_CONTENT, SP_SAFE_MODE, SP_MSGID, SP_CREATE_TIME, SP__MAX };
extern const struct field sim_users_fields[SU__MAX];
extern const struct field sim_jscode_fields[SJ__MAX];
extern const struct field sim_template_fields[ST__MAX];
extern const struct field sim_fault_fields[SF__MAX];
extern const struct field sim_clock_fields[SC__MAX];
extern const struct field sim_quota_fields[SQ__MAX];
extern const struct field sim_push_fields[SP__MAX];

/* Whether s is an openid the simulator accepts: 1..64 of [A-Za-z0-9_-]. Pure. */
int sim_openid_ok(const char *s);

#endif
