/* platform.h: the libcurl client of the chat platform: OAuth exchanges, the shared access token,
 * API calls with compare-and-expire and bounded concurrency. */
#ifndef HQR_PLATFORM_H
#define HQR_PLATFORM_H
#include <stddef.h>
#include <stdint.h>

struct conf;
struct db;
struct cJSON;

#define PF_BODY_MAX (64 * 1024)

enum pf_rc {
	PF_OK = 0,   /* errcode 0 (or absent) */
	PF_ERRCODE,  /* the platform answered with a non-zero errcode (in resp.errcode) */
	PF_TIMEOUT,  /* no answer in time (never retried) */
	PF_NET,      /* connection refused, cut, TLS failure, HTTP status not 200 */
	PF_BAD_BODY, /* not JSON, or over PF_BODY_MAX */
	PF_BUSY,     /* too many threads already wait on the platform: answer 503 at once */
	PF_DB,       /* the shared token row could not be read or written */
};

struct pf_resp {
	struct cJSON *json; /* owned; pf_resp_free */
	char *raw;          /* owned raw body (NUL-terminated) */
	long errcode;
};

void pf_resp_free(struct pf_resp *r);
const char *pf_rc_word(enum pf_rc rc);

/* Process set-up (before threads) and each thread's end (frees its curl handle). */
void platform_global_init(void);
void platform_thread_end(void);

/* A slot of this process's bound on threads waiting on the platform ([platform] max_waits): every
 * outbound wait holds one, or the caller answers 503 at once. 0, or -1 when all are taken. A
 * thread's nested takes share its one slot; each take is matched by a give. */
int platform_slot_take(const struct conf *c);
void platform_slot_give(void);

/* One HTTP exchange (GET when body is NULL, else POST of JSON) with the configured timeouts,
 * TLS verification, a response cap, and the concurrency bound. */
enum pf_rc platform_request(const struct conf *c, const char *url, const char *body, struct pf_resp *out);

struct pf_user {
	char openid[72];
	char unionid[72]; /* "" when the platform sent none */
	int snapshot;     /* is_snapshotuser: 1 */
};

/* sns/oauth2/access_token: a web login code → the user. */
enum pf_rc platform_oauth_exchange(const struct conf *c, const char *code, struct pf_user *u, long *errcode);
/* sns/jscode2session: a mini-program code → the user (session_key is dropped at once). */
enum pf_rc platform_jscode2session(const struct conf *c, const char *code, struct pf_user *u, long *errcode);

/* The global access token from the one shared row, refreshed by one process at a time under a
 * row lock (re-read after taking it) when under 300 s remain. */
enum pf_rc platform_token(const struct conf *c, struct db *db, char *token, size_t max);
/* platform_api_post holds one slot for the whole call (token wait, retries): PF_BUSY without one. */
/* POSTs body to api_base + path + "?access_token=": on 40001/40014/42001 expires the cached
 * token only if it is still the one that failed, then retries once; a -1 is retried with backoff
 * only when idempotent. */
enum pf_rc platform_api_post(const struct conf *c, struct db *db, const char *path, const char *body, int idempotent,
			     struct pf_resp *out);

/* A template message: to touser, linking to the service's page (public_url), with data first,
 * keyword1, keyword2 and remark. */
struct pf_template {
	const char *touser, *template_id, *client_msg_id;
	const char *first, *keyword1, *keyword2, *remark;
};
/* Sends t through message/template/send (idempotent: the platform drops a repeated
 * client_msg_id); the answer in out, freed by the caller with pf_resp_free. */
enum pf_rc platform_template_send(const struct conf *c, struct db *db, const struct pf_template *t,
				  struct pf_resp *out);

/* cityservice/face/identify/getverifyid: a verify_id (at most max-1 URL-safe characters) for a face
 * check of name and resident ID by openid. */
enum pf_rc platform_face_verify_id(const struct conf *c, struct db *db, const char *openid, const char *out_seq_no,
				   const char *name, const char *id_number, char *verify_id, size_t max, long *errcode);
/* cityservice/face/identify/queryverifyinfo: the verify_ret of a finished check (asked once). */
enum pf_rc platform_face_query(const struct conf *c, struct db *db, const char *verify_id, const char *out_seq_no,
			       const char *cert_hash, const char *openid, int *verify_ret, long *errcode);

/* Copies the digits of an integer member straight from raw JSON text (64-bit ids exceed a
 * double). Returns 0, or -1 when absent. */
int pf_int_text(const char *raw, const char *member, char *out, size_t max);

#endif
