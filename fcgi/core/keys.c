/* keys.c: key files under keys_dir: generated with the OS's randomness, mode 0600, fsynced. */
#include "keys.h"
#include "crypto.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_key(const char *dir, const char *name, uint8_t out[32], char *err, size_t errlen)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "key %s is missing (run hqrctl keys init)", path);
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
		close(fd);
		snprintf(err, errlen, "key %s must not be readable by group or others (chmod 600)", path);
		return -1;
	}
	uint8_t buf[33];
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	if (n != 32) {
		snprintf(err, errlen, "key %s must hold exactly 32 bytes", path);
		return -1;
	}
	memcpy(out, buf, 32);
	return 0;
}

/* Writes a new file atomically (temp, fsync, rename, fsync of the directory), mode 0600. */
static int write_file(const char *dir, const char *name, const void *d, size_t n, char *err, size_t errlen)
{
	char path[1024], tmp[1100];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, d, n) != (ssize_t)n || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int exists(const char *dir, const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static int read_meta(const char *dir, uint16_t kid, struct signkey *s, char *err, size_t errlen)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/sign-%04u.meta", dir, kid);
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "signing key metadata %s is missing", path);
		return -1;
	}
	long long nb = -1, na = -1;
	char line[128];
	while (fgets(line, sizeof line, f) != NULL) {
		sscanf(line, "not_before=%lld", &nb);
		sscanf(line, "not_after=%lld", &na);
	}
	fclose(f);
	if (nb < 0 || na < 0) {
		snprintf(err, errlen, "signing key metadata %s is malformed", path);
		return -1;
	}
	s->not_before = nb;
	s->not_after = na;
	return 0;
}

static int write_meta(const char *dir, const struct signkey *s, char *err, size_t errlen)
{
	char name[64], text[128];
	snprintf(name, sizeof name, "sign-%04u.meta", s->kid);
	int n = snprintf(text, sizeof text, "not_before=%lld\nnot_after=%lld\n", (long long)s->not_before,
			 (long long)s->not_after);
	return write_file(dir, name, text, (size_t)n, err, errlen);
}

static int by_kid(const void *a, const void *b)
{
	return (int)((const struct signkey *)a)->kid - (int)((const struct signkey *)b)->kid;
}

/* Loads the signing keys only. */
static int load_sign(const char *dir, struct keys *k, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "keys directory %s cannot be opened: %s", dir, strerror(errno));
		return -1;
	}
	k->nsign = 0;
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		unsigned kid;
		char tail[16];
		if (sscanf(e->d_name, "sign-%4u.%15s", &kid, tail) != 2 || strcmp(tail, "seed") != 0 || kid == 0 ||
		    kid > 65535)
			continue;
		if (k->nsign == KEYS_SIGN_MAX) {
			snprintf(err, errlen, "more than %d signing keys in %s", KEYS_SIGN_MAX, dir);
			rc = -1;
			break;
		}
		struct signkey *s = &k->sign[k->nsign];
		s->kid = (uint16_t)kid;
		if (read_key(dir, e->d_name, s->seed, err, errlen) != 0 ||
		    read_meta(dir, s->kid, s, err, errlen) != 0 || crypto_ed25519_public(s->seed, s->pub) != 0) {
			rc = -1;
			break;
		}
		k->nsign++;
	}
	closedir(d);
	if (rc == 0)
		qsort(k->sign, (size_t)k->nsign, sizeof k->sign[0], by_kid);
	return rc;
}

int keys_load(const char *dir, struct keys *k, char *err, size_t errlen)
{
	memset(k, 0, sizeof *k);
	if (read_key(dir, "data.key", k->data, err, errlen) != 0 ||
	    read_key(dir, "index.key", k->index, err, errlen) != 0 ||
	    read_key(dir, "mac.key", k->mac, err, errlen) != 0 || read_key(dir, "day.key", k->day, err, errlen) != 0 ||
	    load_sign(dir, k, err, errlen) != 0)
		return -1;
	if (k->nsign == 0) {
		snprintf(err, errlen, "no signing key in %s (run hqrctl keys init)", dir);
		return -1;
	}
	return 0;
}

static int new_secret(const char *dir, const char *name, char *err, size_t errlen)
{
	uint8_t key[32];
	if (crypto_random(key, sizeof key) != 0) {
		snprintf(err, errlen, "no randomness");
		return -1;
	}
	int rc = write_file(dir, name, key, sizeof key, err, errlen);
	memset(key, 0, sizeof key);
	return rc;
}

static int new_signing_key(const char *dir, uint16_t kid, int64_t now, char *err, size_t errlen)
{
	struct signkey s = { .kid = kid, .not_before = now, .not_after = 0 };
	char name[64];
	snprintf(name, sizeof name, "sign-%04u.seed", kid);
	if (new_secret(dir, name, err, errlen) != 0)
		return -1;
	return write_meta(dir, &s, err, errlen);
}

int keys_init(const char *dir, int64_t now, char *err, size_t errlen)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	chmod(dir, 0700);
	int made = 0;
	static const char *const names[] = { "data.key", "index.key", "mac.key", "day.key" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (exists(dir, names[i]))
			continue;
		if (new_secret(dir, names[i], err, errlen) != 0)
			return -1;
		made++;
	}
	struct keys k;
	if (load_sign(dir, &k, err, errlen) != 0)
		return -1;
	if (k.nsign == 0) {
		if (new_signing_key(dir, 1, now, err, errlen) != 0)
			return -1;
		made++;
	}
	return made;
}

int keys_ensure_day(const char *dir, char *err, size_t errlen)
{
	if (exists(dir, "day.key"))
		return 0;
	return new_secret(dir, "day.key", err, errlen) == 0 ? 1 : -1;
}

int keys_rotate(const char *dir, int64_t now, int64_t overlap_s, uint16_t *new_kid, char *err, size_t errlen)
{
	struct keys k;
	if (load_sign(dir, &k, err, errlen) != 0)
		return -1;
	uint16_t kid = k.nsign > 0 ? (uint16_t)(k.sign[k.nsign - 1].kid + 1) : 1;
	/* Retired keys verify nothing any more: their files go, so that the directory keeps loading. */
	int kept = 0;
	for (int i = 0; i < k.nsign; i++) {
		if (k.sign[i].not_after != 0 && k.sign[i].not_after <= now) {
			char path[1024];
			snprintf(path, sizeof path, "%s/sign-%04u.seed", dir, k.sign[i].kid);
			unlink(path);
			snprintf(path, sizeof path, "%s/sign-%04u.meta", dir, k.sign[i].kid);
			unlink(path);
			continue;
		}
		k.sign[kept++] = k.sign[i];
	}
	k.nsign = kept;
	if (k.nsign >= KEYS_SIGN_MAX) {
		snprintf(err, errlen, "%d signing keys still verify: rotate again after the overlap ends", k.nsign);
		return -1;
	}
	if (kid == 0) {
		snprintf(err, errlen, "no key id left");
		return -1;
	}
	if (new_signing_key(dir, kid, now, err, errlen) != 0)
		return -1;
	for (int i = 0; i < k.nsign; i++) {
		if (k.sign[i].not_after != 0)
			continue;
		k.sign[i].not_after = now + overlap_s;
		if (write_meta(dir, &k.sign[i], err, errlen) != 0)
			return -1;
	}
	*new_kid = kid;
	return 0;
}

const struct signkey *keys_signer(const struct keys *k, int64_t now)
{
	for (int i = k->nsign - 1; i >= 0; i--) {
		const struct signkey *s = &k->sign[i];
		if (s->not_before <= now && (s->not_after == 0 || s->not_after > now))
			return s;
	}
	return NULL;
}

const struct signkey *keys_verifier(const struct keys *k, uint16_t kid, int64_t now)
{
	for (int i = 0; i < k->nsign; i++) {
		const struct signkey *s = &k->sign[i];
		if (s->kid == kid)
			return s->not_after == 0 || s->not_after > now ? s : NULL;
	}
	return NULL;
}
