/* ctl_sign.c: `hqrctl sign-request`: the four X-HQR-* headers of an integrator's request, signed
 * with the service's own code (auth_signature), so that a request can be tried with curl. It needs
 * no configuration: an integrator runs it with its key id and secret. */
#include "auth.h"
#include "cclass.h"
#include "clock.h"
#include "crypto.h"
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGN_SECRET_MAX 256
#define SIGN_BODY_MAX   (8u * 1024 * 1024) /* above every route's limit */
#define SIGN_PATH_MAX   8192               /* nginx's large header buffer: no longer request line is served */

static int usage(void)
{
	fprintf(stderr, "usage: hqrctl sign-request --key KEY_ID --secret-file FILE [--timestamp UNIX] "
			"[--nonce NONCE] METHOD PATH [BODY_FILE]\n"
			"  prints the X-HQR-Key, -Timestamp, -Nonce and -Signature headers of the request\n"
			"  (PATH as sent, with its query; no BODY_FILE signs an empty body), e.g. for curl -H @FILE\n");
	return 2;
}

static int word_ok(const char *s, size_t min, size_t max, bool (*cls)(int))
{
	size_t n = strlen(s);
	return n >= min && n <= max && cc_all(s, n, cls);
}

int ctl_sign_request(int argc, char **argv)
{
	const char *key = NULL, *secret_file = NULL, *ts_arg = NULL, *nonce_arg = NULL, *pos[3] = { NULL };
	int npos = 0;
	for (int i = 0; i < argc; i++) {
		const char **opt = strcmp(argv[i], "--key") == 0           ? &key
				   : strcmp(argv[i], "--secret-file") == 0 ? &secret_file
				   : strcmp(argv[i], "--timestamp") == 0   ? &ts_arg
				   : strcmp(argv[i], "--nonce") == 0       ? &nonce_arg
									   : NULL;
		if (opt != NULL) {
			if (i + 1 >= argc)
				return usage();
			*opt = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			return usage();
		} else if (npos < 3) {
			pos[npos++] = argv[i];
		} else {
			return usage();
		}
	}
	if (key == NULL || secret_file == NULL || npos < 2)
		return usage();
	const char *method = pos[0], *path = pos[1], *body_file = pos[2];
	if (!word_ok(key, 8, 40, cc_nonce)) {
		fprintf(stderr, "hqrctl: --key must be 8 to 40 of [A-Za-z0-9._-] (the key id of integrator add)\n");
		return 2;
	}
	if (!word_ok(method, 1, 16, cc_upper)) {
		fprintf(stderr, "hqrctl: METHOD must be upper case (POST, GET...)\n");
		return 2;
	}
	if (path[0] != '/' || !word_ok(path, 1, SIGN_PATH_MAX, cc_graph)) {
		fprintf(
		    stderr,
		    "hqrctl: PATH must be the request's path as sent, with its query, in visible ASCII (/api/v1/scans)\n");
		return 2;
	}
	char ts[24], nonce[65];
	if (ts_arg != NULL) {
		if (!word_ok(ts_arg, 1, 12, cc_digit)) {
			fprintf(stderr, "hqrctl: --timestamp must be unix seconds\n");
			return 2;
		}
		snprintf(ts, sizeof ts, "%s", ts_arg);
	} else {
		snprintf(ts, sizeof ts, "%lld", (long long)clock_now());
	}
	if (nonce_arg != NULL) {
		if (!word_ok(nonce_arg, 8, 64, cc_nonce)) {
			fprintf(stderr, "hqrctl: --nonce must be 8 to 64 of [A-Za-z0-9._-]\n");
			return 2;
		}
		snprintf(nonce, sizeof nonce, "%s", nonce_arg);
	} else {
		uint8_t raw[16];
		if (crypto_random(raw, sizeof raw) != 0) {
			fprintf(stderr, "hqrctl: no randomness\n");
			return 1;
		}
		crypto_hex(raw, sizeof raw, nonce);
	}
	size_t slen = 0, blen = 0;
	char *secret = ctl_read_file(secret_file, SIGN_SECRET_MAX, &slen);
	if (secret == NULL) {
		fprintf(stderr, "hqrctl: cannot read the secret file %s (at most %d bytes)\n", secret_file,
			SIGN_SECRET_MAX);
		return 1;
	}
	while (slen > 0 && cc_space((unsigned char)secret[slen - 1]))
		secret[--slen] = '\0'; /* the secret is its text, without the file's line break */
	if (slen == 0) {
		free(secret);
		fprintf(stderr, "hqrctl: the secret file %s is empty\n", secret_file);
		return 1;
	}
	char *body = NULL;
	if (body_file != NULL && (body = ctl_read_file(body_file, SIGN_BODY_MAX, &blen)) == NULL) {
		memset(secret, 0, slen);
		free(secret);
		fprintf(stderr, "hqrctl: cannot read the body file %s (at most %u bytes)\n", body_file, SIGN_BODY_MAX);
		return 1;
	}
	char sig[65];
	int bad = auth_signature(secret, slen, method, path, ts, nonce, body, blen, sig);
	memset(secret, 0, slen);
	free(secret);
	free(body);
	if (bad) {
		fprintf(stderr, "hqrctl: the path is too long to sign\n");
		return 2;
	}
	printf("X-HQR-Key: %s\nX-HQR-Timestamp: %s\nX-HQR-Nonce: %s\nX-HQR-Signature: %s\n", key, ts, nonce, sig);
	return 0;
}
