/* sim_state.h: the simulator's in-memory world (users, codes, tokens, messages, faults, quotas, clock) behind one mutex. */
#ifndef HQR_SIM_STATE_H
#define HQR_SIM_STATE_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;

/*
 * Every function here takes the state mutex itself and never holds it on return, so handlers
 * call them freely from any worker thread. Nothing here does network I/O. All lists are bounded
 * (the SIM_*_MAX below): the oldest entry is dropped, or the call fails, when one is full.
 * Results come back as copies in the caller's buffers or as fresh cJSON trees the caller owns.
 */

/* The platform endpoints the simulator serves; the index of counters, faults and quotas. */
enum sim_ep {
	SIM_EP_AUTHORIZE,
	SIM_EP_SNS_TOKEN,
	SIM_EP_SNS_REFRESH,
	SIM_EP_USERINFO,
	SIM_EP_SNS_AUTH,
	SIM_EP_JSCODE,
	SIM_EP_TOKEN,
	SIM_EP_STABLE,
	SIM_EP_MENU,
	SIM_EP_TEMPLATE,
	SIM_EP_BIZSEND,
	SIM_EP_FACE_GETID, /* real-name face check: a verify_id for an identity */
	SIM_EP_FACE_PAGE,  /* the H5 face page */
	SIM_EP_FACE_QUERY, /* the result of a finished check */
	SIM_EP__MAX
};
/* Paths of the endpoints, indexed by enum sim_ep, NULL-terminated (a valid_enum word list). */
extern const char *const sim_ep_path[SIM_EP__MAX + 1];

#define SIM_USERS_MAX     1024
#define SIM_CODES_MAX     8192
#define SIM_SNS_MAX       4096
#define SIM_TOKENS_MAX    256
#define SIM_MSGS_MAX      1024
#define SIM_MENUS_MAX     16
#define SIM_FAULTS_MAX    64
#define SIM_WHITELIST_MAX 32
#define SIM_TEMPLATES_MAX 64
#define SIM_FACES_MAX     1024

#define SIM_REAL_NAME_MAX 192 /* bytes of a real name (UTF-8) */
#define SIM_CERT_NO_LEN   18  /* a resident ID */
#define SIM_VERIFY_ID_LEN 64
#define SIM_SEQ_MAX       64   /* out_seq_no: [A-Za-z0-9_-] */
#define SIM_FACE_TTL      3600 /* a verify_id's expires_in */

#define SIM_ID_MAX    64  /* openid, unionid, template_id, client_msg_id */
#define SIM_NICK_MAX  255 /* bytes of a nickname */
#define SIM_CODE_LEN  32  /* [0-9A-Za-z] */
#define SIM_TOKEN_LEN 136 /* access tokens; clients reserve 512 */
#define SIM_IP_MAX    45

#define SIM_CODE_TTL    300 /* a code dies 5 minutes after issue */
#define SIM_TOKEN_TTL   7200
#define SIM_GRACE       300 /* a superseded token keeps working this long */
#define SIM_REFRESH_TTL (30 * 86400)
#define SIM_JS_RATE     100 /* mini-program logins a user a minute */
#define SIM_FORCE_DAILY 20  /* stable_token force_refresh a day */
#define SIM_FORCE_GAP   30  /* seconds between two force_refresh */
#define SIM_MSGID_BASE  3717005636572528642ULL

enum sim_scope { SIM_SCOPE_BASE, SIM_SCOPE_USERINFO };
extern const char *const sim_scope_name[3]; /* NULL-terminated */

struct sim_user {
	char openid[SIM_ID_MAX + 1];
	char unionid[SIM_ID_MAX + 1]; /* "" when the user has none */
	char nickname[SIM_NICK_MAX + 1];
	int snapshot;                          /* a virtual snapshot user (is_snapshotuser) */
	int subscribed;                        /* follows the account (else template/send → 43004) */
	int high_risk;                         /* jscode2session → 40226 */
	int refused;                           /* refused subscription notices (bizsend → 43101) */
	char real_name[SIM_REAL_NAME_MAX + 1]; /* the person behind the user: "" until set */
	char id_number[SIM_CERT_NO_LEN + 1];   /* their resident ID, check character upper-case */
};

enum sim_fault_kind { SIM_FAULT_ERRCODE, SIM_FAULT_DELAY, SIM_FAULT_DROP, SIM_FAULT_WRONG_BODY };
extern const char *const sim_fault_kind_name[5]; /* NULL-terminated */

struct sim_fault {
	enum sim_ep ep;
	enum sim_fault_kind kind;
	int errcode;
	int delay_ms;
	int count; /* calls it still applies to */
};

enum sim_msg_kind { SIM_MSG_TEMPLATE, SIM_MSG_BIZSEND };

void sim_state_init(void);
/* Clears messages, menus, counters, faults, quotas, whitelist, codes, tokens and the clock
 * offset; keeps users and registered templates. */
void sim_state_reset(void);

/* ---- clock ---- */
/* The simulator's clock: wall seconds plus the offset moved by sim_clock_advance(). */
int64_t sim_now(void);
/* Moves the clock forward by s seconds; returns the new offset. */
int64_t sim_clock_advance(int64_t s);
int64_t sim_clock_offset(void);

/* ---- users ---- */
/* Creates or replaces the user u->openid; *created tells which. -1 when the list is full. */
int sim_user_put(const struct sim_user *u, int *created);
/* Copies the user into *out (may be NULL); 1 if known, 0 if not. */
int sim_user_get(const char *openid, struct sim_user *out);
/* Like sim_user_get, but an unknown openid becomes a plain test user (with a unionid).
 * -1 when the list is full. */
int sim_user_ensure(const char *openid, struct sim_user *out);
/* Fills u with the defaults of a plain test user for openid (nickname with emoji, a private-use
 * character and a control byte; subscribed; unionid derived from the openid when with_unionid). */
void sim_user_defaults(struct sim_user *u, const char *openid, int with_unionid);

/* ---- login codes ---- */
enum sim_code_kind { SIM_CODE_OAUTH, SIM_CODE_JS };
/* Issues a code of kind for openid (which must exist); out gets SIM_CODE_LEN chars and a NUL.
 * 0 on success, -1 if the user is unknown. */
int sim_code_issue(enum sim_code_kind kind, const char *openid, enum sim_scope scope, char out[SIM_CODE_LEN + 1]);
/* Consumes a web OAuth code: 0 and the user and scope, or 40029 (unknown, expired) or 40163
 * (used). */
int sim_code_oauth(const char *code, struct sim_user *u, enum sim_scope *scope);
/* Consumes a mini-program code: 0 and the user, or 40029, 40163, 40226 (high-risk user), 45011
 * (more than SIM_JS_RATE logins of that user in the last minute; the code stays unused). */
int sim_code_js(const char *code, struct sim_user *u);

/* ---- web OAuth tokens (sns) ---- */
/* Issues a user access token (SIM_TOKEN_TTL) and refresh token (SIM_REFRESH_TTL). */
void sim_sns_issue(const char *openid, enum sim_scope scope, char at[SIM_TOKEN_LEN + 1], char rt[SIM_TOKEN_LEN + 1]);
/* A new access token for a refresh token: 0, 40030 (unknown) or 42002 (expired). */
int sim_sns_refresh(const char *rt, char at[SIM_TOKEN_LEN + 1], struct sim_user *u, enum sim_scope *scope);
/* Checks a user access token: 0 with its user and scope, 40014 (malformed), 40001 (unknown),
 * 42001 (expired). */
int sim_sns_check(const char *at, struct sim_user *u, enum sim_scope *scope);

/* ---- the global access token ---- */
/* A new client_credential token; every earlier one still in force gets SIM_GRACE seconds. */
void sim_token_issue(char out[SIM_TOKEN_LEN + 1]);
/* The stable token: the current one while more than SIM_GRACE seconds are left, else a new one;
 * force revokes the current one at once. 0 and *expires_in, or 45011 (force within
 * SIM_FORCE_GAP seconds of the last) or 45009 (more than SIM_FORCE_DAILY forces today). */
int sim_stable_get(int force, char out[SIM_TOKEN_LEN + 1], int64_t *expires_in);
/* Checks an API access_token: 0, 41001 (missing), 40014 (malformed), 40001 (unknown, superseded
 * past its grace, revoked), 42001 (expired). */
int sim_token_check(const char *tok);
/* Whether tok has the shape of a token (length and alphabet). Pure. */
int sim_token_wellformed(const char *tok);

/* ---- counters, quotas, IP whitelist, faults ---- */
/* Counts one call of ep. */
void sim_count(enum sim_ep ep);
/* Takes one unit of ep's daily quota: 1 if allowed, 0 when it is used up (45009). */
int sim_quota_take(enum sim_ep ep);
/* Sets ep's daily limit (-1: none). */
void sim_quota_set(enum sim_ep ep, long long limit);
/* 1 when there is no whitelist or ip is on it. */
int sim_ip_allowed(const char *ip);
/* Replaces the whitelist (n 0: none). -1 when n is over SIM_WHITELIST_MAX. */
int sim_whitelist_set(const char *const *ips, size_t n);
/* Queues a fault. -1 when the list is full. */
int sim_fault_add(const struct sim_fault *f);
void sim_faults_clear(void);
/* Takes the first pending fault of ep into *out (decrementing its count): 1 if there was one. */
int sim_fault_take(enum sim_ep ep, struct sim_fault *out);

/* ---- templates, messages, menus ---- */
int sim_template_known(const char *id);
/* Registers a template id; -1 when the list is full. */
int sim_template_add(const char *id);
/*
 * Records a message unless one with the same client_msg_id (when given, non-empty) was recorded
 * already, in which case *msgid is that message's and *dup is 1. A new message takes one unit of
 * ep's quota first: 45009 when it is used up, else 0. data_json and body_json are copied.
 */
int sim_msg_send(enum sim_msg_kind kind, enum sim_ep ep, const char *touser, const char *template_id,
		 const char *client_msg_id, const char *data_json, const char *body_json, uint64_t *msgid, int *dup);
/* Keeps a menu (the posted JSON); the oldest is dropped past SIM_MENUS_MAX. */
void sim_menu_record(const char *json);

/* ---- real-name face checks ---- */
/* How a face check ended on the face page: the check ran (its answer depends on the user's real
 * identity), or the person cancelled, timed out, or the face did not match. */
enum sim_face_outcome { SIM_FACE_RUN, SIM_FACE_CANCEL, SIM_FACE_TIMEOUT, SIM_FACE_FAIL };
extern const char *const sim_face_outcome_name[5]; /* "pass", "cancel", "timeout", "fail"; NULL-terminated */

struct sim_face {
	char verify_id[SIM_VERIFY_ID_LEN + 1];
	char openid[SIM_ID_MAX + 1];
	char out_seq_no[SIM_SEQ_MAX + 1];
	char cert_name[SIM_REAL_NAME_MAX + 1];
	char cert_no[SIM_CERT_NO_LEN + 1];
	int64_t issued;
	int finished;   /* the person went through the face page */
	int verify_ret; /* its answer once finished */
	int queried;    /* queryverifyinfo answered it once */
};

/* Issues a verify_id for a check of cert_name/cert_no by openid: 0, or PFE_INVALID_OPENID (unknown user). The
 * oldest check is dropped when the list is full. */
int sim_face_issue(const char *openid, const char *out_seq_no, const char *cert_name, const char *cert_no,
		   char verify_id[SIM_VERIFY_ID_LEN + 1]);
/* Copies the live (unexpired) check verify_id into *out: 1, or 0 when unknown or expired. */
int sim_face_get(const char *verify_id, struct sim_face *out);
/* Sets the user's real identity unless it has one ("typed once"): 1 set, 0 it had one, -1 unknown. */
int sim_user_identity_once(const char *openid, const char *name, const char *id_number);
/* Ends the check with outcome; a run check passes (FACE_PASSED) only when its identity is the
 * user's real one, else FACE_ID_NOT_THIS_PERSON. *verify_ret gets the answer. 0, or -1 when the check is unknown, expired
 * or finished already. */
int sim_face_finish(const char *verify_id, enum sim_face_outcome o, int *verify_ret);
/* queryverifyinfo: the answer of a finished check, once, for its openid and out_seq_no within its
 * expiry: FACE_PASSED.., FACE_PARAMETER_ERROR (unknown, expired, another openid or sequence
 * number, asked already), FACE_NO_FACE (not finished), FACE_ID_NOT_THIS_PERSON (cert_hash is not
 * the checked identity's). */
int sim_face_query(const char *verify_id, const char *out_seq_no, const char *openid, const char *cert_hash);

/* ---- listings for the control surface: fresh trees the caller deletes ---- */
struct cJSON *sim_json_user(const struct sim_user *u);
struct cJSON *sim_users_json(void);
struct cJSON *sim_messages_json(void);
struct cJSON *sim_menus_json(void);
struct cJSON *sim_calls_json(void);
struct cJSON *sim_faults_json(void);
struct cJSON *sim_quota_json(void);
struct cJSON *sim_whitelist_json(void);
struct cJSON *sim_templates_json(void);
struct cJSON *sim_faces_json(void);

/* ---- random shapes (pure but for the CSPRNG) ---- */
/* n random characters of alphabet (at most 256 characters long) and a NUL into out. */
void sim_random_chars(char *out, size_t n, const char *alphabet);

#endif
