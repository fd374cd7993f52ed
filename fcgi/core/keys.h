/* keys.h: the service's keys under keys_dir: data (AES-256-GCM), index (HMAC blind index),
 * mac (QR token seal), day (the colour of the day) and the Ed25519 signing keys with their
 * validity. */
#ifndef HQR_KEYS_H
#define HQR_KEYS_H
#include <stddef.h>
#include <stdint.h>

#define KEYS_SIGN_MAX 16

struct signkey {
	uint16_t kid;
	uint8_t seed[32];
	uint8_t pub[32];
	int64_t not_before; /* unix seconds: signs from then on */
	int64_t not_after;  /* 0: open; else verifies until then (rotation overlap), then retired */
};

struct keys {
	uint8_t data[32];
	uint8_t index[32];
	uint8_t mac[32];
	uint8_t day[32]; /* the day colour's own key: a new mac key leaves the day's colour */
	struct signkey sign[KEYS_SIGN_MAX];
	int nsign; /* sorted by kid */
};

/* Loads every key from dir; files must be mode 0600 (or stricter). On failure writes a message
 * into err and returns -1. */
int keys_load(const char *dir, struct keys *k, char *err, size_t errlen);
/* Creates whichever of data, index, mac, day and the first signing key is missing (mode 0600).
 * Returns how many keys it created, or -1. */
int keys_init(const char *dir, int64_t now, char *err, size_t errlen);
/* Creates day.key in dir when it is missing (a directory made before the key existed): 1 when
 * it made one, 0 when one was there, -1 with a message in err. */
int keys_ensure_day(const char *dir, char *err, size_t errlen);
/* Adds signing key max+1 valid from now; keys still open get not_after = now + overlap_s. */
int keys_rotate(const char *dir, int64_t now, int64_t overlap_s, uint16_t *new_kid, char *err, size_t errlen);
/* The key that signs at time now (the newest whose not_before has passed and is not retired). */
const struct signkey *keys_signer(const struct keys *k, int64_t now);
/* The key kid if it still verifies at time now (not retired), else NULL. */
const struct signkey *keys_verifier(const struct keys *k, uint16_t kid, int64_t now);

#endif
