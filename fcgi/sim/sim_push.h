/* sim_push.h: the platform's side of the server URL: signed (and in safe mode encrypted) pushes, retried like the platform. */
#ifndef HQR_SIM_PUSH_H
#define HQR_SIM_PUSH_H

#include <stddef.h>
#include <stdint.h>

enum sim_push_type { SIM_PUSH_SUBSCRIBE, SIM_PUSH_UNSUBSCRIBE, SIM_PUSH_CLICK, SIM_PUSH_TEXT };
extern const char *const sim_push_type_name[5]; /* NULL-terminated */

#define SIM_PUSH_TRIES      3
#define SIM_PUSH_TIMEOUT_MS 5000
#define SIM_PUSH_REPLY_MAX  (64 * 1024)
#define SIM_PUSH_ACCOUNT    "gh_5im0a1b2c3d4" /* the account's ToUserName */

/* One push; every string is the caller's and NUL-terminated. */
struct sim_push {
	const char *url;   /* the service's server URL */
	const char *token; /* the push token (signature) */
	const char *appid;
	const char *aes_key; /* EncodingAESKey: safe mode; NULL: plain */
	enum sim_push_type type;
	const char *openid;
	const char *key;     /* CLICK: the menu key; subscribe: scene (EventKey qrscene_KEY) */
	const char *content; /* text */
	const char *msgid;   /* text: decimal MsgId; NULL: a fresh one */
	int64_t create_time; /* 0: now */
};

struct sim_push_result {
	int status; /* HTTP status of the last try, 0 when no answer came */
	int tries;
	char *reply; /* malloc'd, NUL-terminated (decrypted in safe mode); caller frees */
	size_t reply_len;
	char error[160]; /* "" or why the last try or the reply's check failed */
};

/*
 * Builds the XML message (encrypting it in safe mode), signs the query (signature, timestamp,
 * nonce, openid; in safe mode encrypt_type=aes and msg_signature) and POSTs it with libcurl.
 * When no answer comes within SIM_PUSH_TIMEOUT_MS the same request is sent again, up to
 * SIM_PUSH_TRIES in all. Returns 0 when an answer (any status) came, -1 otherwise; *res is
 * filled either way. Safe for any thread (curl_global_init must have run).
 */
int sim_push_send(const struct sim_push *p, struct sim_push_result *res);

#endif
