/* ctl_keys.c: `hqrctl keys init|rotate|list`: the service's keys under keys_dir. */
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "isotime.h"
#include "ctl.h"
#include "keys.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void iso(int64_t t, char *out, size_t max)
{
	if (t == 0) {
		snprintf(out, max, "-");
		return;
	}
	char when[ISOTIME_BUF];
	isotime_format(t, when);
	snprintf(out, max, "%s", when);
}

int ctl_keys(struct ctl *ctl, int argc, char **argv)
{
	const struct conf *c = ctl->conf;
	char err[512];
	if (argc == 1 && strcmp(argv[0], "init") == 0) {
		int made = keys_init(c->keys_dir, clock_now(), err, sizeof err);
		if (made < 0) {
			fprintf(stderr, "hqrctl: %s\n", err);
			return 1;
		}
		printf("%d key(s) created in %s\n", made, c->keys_dir);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "rotate") == 0) {
		uint16_t kid = 0;
		if (keys_rotate(c->keys_dir, clock_now(), c->keys_overlap_s, &kid, err, sizeof err) != 0) {
			fprintf(stderr, "hqrctl: %s\n", err);
			return 1;
		}
		printf("signing key %u signs from now on; older keys verify for %d s more "
		       "(reload the service: kill -HUP its master)\n",
		       kid, c->keys_overlap_s);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "list") == 0) {
		struct keys k;
		if (keys_load(c->keys_dir, &k, err, sizeof err) != 0) {
			fprintf(stderr, "hqrctl: %s\n", err);
			return 1;
		}
		int64_t now = clock_now();
		const struct signkey *signer = keys_signer(&k, now);
		printf("%-4s %-8s %-21s %-21s %-8s %s\n", "kid", "alg", "not_before", "not_after", "state",
		       "public_key");
		for (int i = 0; i < k.nsign; i++) {
			const struct signkey *s = &k.sign[i];
			char nb[32], na[32], pub[64];
			iso(s->not_before, nb, sizeof nb);
			iso(s->not_after, na, sizeof na);
			crypto_b64url(s->pub, 32, pub, sizeof pub);
			const char *state = s == signer                                  ? "signing"
					    : (s->not_after != 0 && s->not_after <= now) ? "retired"
											 : "verifying";
			printf("%-4u %-8s %-21s %-21s %-8s %s\n", s->kid, "Ed25519", nb, na, state, pub);
		}
		return 0;
	}
	fprintf(stderr, "usage: hqrctl keys init|rotate|list\n");
	return 2;
}
