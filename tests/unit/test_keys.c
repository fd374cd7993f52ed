/* test_keys.c: unit tests of keys.c: init, load, rotation and the signer/verifier choice, in a throwaway directory under /tmp. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "keys.h"

#define NOW 1764201600LL /* 2025-11-27T00:00:00Z */
#define DAY 86400LL

static char dir[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Each test gets a fresh empty directory, removed with everything in it afterwards. */
static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/hqr-test-keys-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *in_dir(const char *name)
{
	static char path[4][256];
	static int slot;
	slot = (slot + 1) % 4;
	snprintf(path[slot], sizeof path[slot], "%s/%s", dir, name);
	return path[slot];
}

static mode_t mode_of(const char *name)
{
	struct stat st;
	if (stat(in_dir(name), &st) != 0)
		fail_msg("%s is missing", name);
	return st.st_mode & 07777;
}

static long size_of(const char *name)
{
	struct stat st;
	if (stat(in_dir(name), &st) != 0)
		fail_msg("%s is missing", name);
	return (long)st.st_size;
}

static void read_all(const char *name, void *buf, size_t n)
{
	FILE *f = fopen(in_dir(name), "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
}

static void write_all(const char *name, const void *buf, size_t n, mode_t mode)
{
	int fd = open(in_dir(name), O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	close(fd);
	assert_int_equal(chmod(in_dir(name), mode), 0);
}

static int count_files(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static int all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static void init_and_load(struct keys *k)
{
	char err[512] = "";
	if (keys_init(dir, NOW, err, sizeof err) < 0)
		fail_msg("keys_init: %s", err);
	if (keys_load(dir, k, err, sizeof err) != 0)
		fail_msg("keys_load: %s", err);
}

/* keys_load fails and its message names the file. */
static void expect_load_error(const char *names)
{
	struct keys k;
	char err[512] = "";
	assert_int_equal(keys_load(dir, &k, err, sizeof err), -1);
	if (strstr(err, names) == NULL)
		fail_msg("error \"%s\" does not name %s", err, names);
}

/* ---- keys_init ---- */

static void test_init_creates_keys(void **state)
{
	static const char *const files[] = { "data.key", "index.key", "mac.key", "day.key", "sign-0001.seed" };
	char err[512] = "";
	(void)state;
	assert_int_equal(count_files(), 0);
	assert_int_equal(keys_init(dir, NOW, err, sizeof err), 5);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (mode_of(files[i]) != 0600)
			fail_msg("%s has mode %o, expected 600", files[i], (unsigned)mode_of(files[i]));
		assert_int_equal(size_of(files[i]), 32);
	}
	/* The signing key's validity: from now, open-ended. */
	char meta[128] = "";
	long n = size_of("sign-0001.meta");
	assert_true(n > 0 && n < (long)sizeof meta);
	read_all("sign-0001.meta", meta, (size_t)n);
	assert_string_equal(meta, "not_before=1764201600\nnot_after=0\n");
	assert_int_equal(mode_of("sign-0001.meta"), 0600);
	/* No temporary file is left behind. */
	assert_int_equal(count_files(), 6);
	/* The directory itself is private. */
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Each key is its own random secret. */
	uint8_t a[32], b[32], c[32], d[32], s[32];
	read_all("data.key", a, 32);
	read_all("index.key", b, 32);
	read_all("mac.key", c, 32);
	read_all("day.key", d, 32);
	read_all("sign-0001.seed", s, 32);
	assert_memory_not_equal(a, b, 32);
	assert_memory_not_equal(a, c, 32);
	assert_memory_not_equal(b, c, 32);
	assert_memory_not_equal(c, d, 32);
	assert_memory_not_equal(a, d, 32);
	assert_memory_not_equal(a, s, 32);
	assert_false(all_zero(a, 32));
}

static void test_init_twice_creates_nothing(void **state)
{
	char err[512] = "";
	uint8_t before[32], after[32];
	(void)state;
	assert_int_equal(keys_init(dir, NOW, err, sizeof err), 5);
	read_all("data.key", before, 32);
	assert_int_equal(keys_init(dir, NOW + DAY, err, sizeof err), 0);
	read_all("data.key", after, 32);
	assert_memory_equal(before, after, 32);
	assert_int_equal(count_files(), 6);
	/* The signing key was not replaced either: still valid from the first init. */
	struct keys k;
	assert_int_equal(keys_load(dir, &k, err, sizeof err), 0);
	assert_int_equal(k.nsign, 1);
	assert_int_equal(k.sign[0].not_before, NOW);
}

static void test_init_fills_in_missing(void **state)
{
	char err[512] = "";
	uint8_t data[32], mac[32];
	(void)state;
	assert_int_equal(keys_init(dir, NOW, err, sizeof err), 5);
	read_all("data.key", data, 32);
	read_all("mac.key", mac, 32);
	assert_int_equal(unlink(in_dir("mac.key")), 0);
	assert_int_equal(keys_init(dir, NOW, err, sizeof err), 1);
	uint8_t data2[32], mac2[32];
	read_all("data.key", data2, 32);
	read_all("mac.key", mac2, 32);
	assert_memory_equal(data, data2, 32);
	assert_memory_not_equal(mac, mac2, 32);
	assert_int_equal(mode_of("mac.key"), 0600);
}

static void test_init_creates_directory(void **state)
{
	char err[512] = "", sub[128];
	struct stat st;
	(void)state;
	snprintf(sub, sizeof sub, "%s/keys", dir);
	assert_int_equal(keys_init(sub, NOW, err, sizeof err), 5);
	assert_int_equal(stat(sub, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	struct keys k;
	assert_int_equal(keys_load(sub, &k, err, sizeof err), 0);
}

/* ---- keys_load ---- */

static void test_load(void **state)
{
	struct keys k;
	uint8_t file[32], pub[32];
	(void)state;
	init_and_load(&k);
	read_all("data.key", file, 32);
	assert_memory_equal(k.data, file, 32);
	read_all("index.key", file, 32);
	assert_memory_equal(k.index, file, 32);
	read_all("mac.key", file, 32);
	assert_memory_equal(k.mac, file, 32);
	read_all("day.key", file, 32);
	assert_memory_equal(k.day, file, 32);
	assert_int_equal(k.nsign, 1);
	assert_int_equal(k.sign[0].kid, 1);
	read_all("sign-0001.seed", file, 32);
	assert_memory_equal(k.sign[0].seed, file, 32);
	assert_int_equal(k.sign[0].not_before, NOW);
	assert_int_equal(k.sign[0].not_after, 0);
	/* The public key is derived from the seed, and verifies what the seed signs. */
	assert_false(all_zero(k.sign[0].pub, 32));
	assert_int_equal(crypto_ed25519_public(k.sign[0].seed, pub), 0);
	assert_memory_equal(k.sign[0].pub, pub, 32);
	static const char msg[] = "HQR1 test message";
	uint8_t sig[64];
	assert_int_equal(crypto_ed25519_sign(k.sign[0].seed, msg, sizeof msg - 1, sig), 0);
	assert_int_equal(crypto_ed25519_verify(k.sign[0].pub, msg, sizeof msg - 1, sig), 1);
}

static void test_signer_and_verifier(void **state)
{
	struct keys k;
	(void)state;
	init_and_load(&k);
	const struct signkey *s = keys_signer(&k, NOW);
	assert_non_null(s);
	assert_int_equal(s->kid, 1);
	assert_ptr_equal(keys_signer(&k, NOW + 365 * DAY), s);
	/* Not before its not_before. */
	assert_null(keys_signer(&k, NOW - 1));
	assert_ptr_equal(keys_verifier(&k, 1, NOW), s);
	assert_ptr_equal(keys_verifier(&k, 1, NOW + 365 * DAY), s);
	assert_null(keys_verifier(&k, 2, NOW));
	assert_null(keys_verifier(&k, 0, NOW));
}

static void test_load_refuses_open_mode(void **state)
{
	struct keys k;
	char err[512] = "";
	(void)state;
	init_and_load(&k);
	assert_int_equal(chmod(in_dir("data.key"), 0644), 0);
	expect_load_error(in_dir("data.key"));
	assert_int_equal(chmod(in_dir("data.key"), 0640), 0);
	expect_load_error(in_dir("data.key"));
	assert_int_equal(chmod(in_dir("data.key"), 0604), 0);
	expect_load_error(in_dir("data.key"));
	/* Stricter than 0600 is fine. */
	assert_int_equal(chmod(in_dir("data.key"), 0400), 0);
	assert_int_equal(keys_load(dir, &k, err, sizeof err), 0);
	assert_int_equal(chmod(in_dir("data.key"), 0600), 0);
	/* The signing seed is a key too. */
	assert_int_equal(chmod(in_dir("sign-0001.seed"), 0644), 0);
	expect_load_error(in_dir("sign-0001.seed"));
}

static void test_load_refuses_wrong_size(void **state)
{
	struct keys k;
	uint8_t buf[64];
	(void)state;
	init_and_load(&k);
	read_all("index.key", buf, 32);
	write_all("index.key", buf, 31, 0600);
	expect_load_error(in_dir("index.key"));
	memset(buf + 32, 0x5a, 1);
	write_all("index.key", buf, 33, 0600);
	expect_load_error(in_dir("index.key"));
	write_all("index.key", buf, 0, 0600);
	expect_load_error(in_dir("index.key"));
	write_all("index.key", buf, 32, 0600);
	write_all("sign-0001.seed", buf, 31, 0600);
	expect_load_error(in_dir("sign-0001.seed"));
}

static void test_load_refuses_missing(void **state)
{
	struct keys k;
	(void)state;
	init_and_load(&k);
	assert_int_equal(unlink(in_dir("mac.key")), 0);
	expect_load_error(in_dir("mac.key"));
}

/* A keys directory made before the day colour had its own key: keys_ensure_day adds one (the
 * master does on its first start), keeps the others, and never replaces one that is there. */
static void test_ensure_day_adds_the_missing_day_key(void **state)
{
	struct keys k;
	char err[512] = "";
	uint8_t mac[32], day[32], again[32];
	(void)state;
	init_and_load(&k);
	read_all("mac.key", mac, 32);
	assert_int_equal(unlink(in_dir("day.key")), 0);
	expect_load_error(in_dir("day.key"));
	assert_int_equal(keys_ensure_day(dir, err, sizeof err), 1);
	assert_int_equal(mode_of("day.key"), 0600);
	assert_int_equal(size_of("day.key"), 32);
	read_all("day.key", day, 32);
	assert_false(all_zero(day, 32));
	assert_memory_not_equal(day, mac, 32);
	if (keys_load(dir, &k, err, sizeof err) != 0)
		fail_msg("keys_load after keys_ensure_day: %s", err);
	assert_memory_equal(k.day, day, 32);
	assert_memory_equal(k.mac, mac, 32);
	/* Present: left alone. */
	assert_int_equal(keys_ensure_day(dir, err, sizeof err), 0);
	read_all("day.key", again, 32);
	assert_memory_equal(day, again, 32);
	/* A directory it cannot write: an error, not a silent success. */
	assert_int_equal(keys_ensure_day("/tmp/hqr-test-keys-does-not-exist/none", err, sizeof err), -1);
	assert_true(err[0] != '\0');
}

static void test_load_refuses_missing_meta(void **state)
{
	struct keys k;
	(void)state;
	init_and_load(&k);
	assert_int_equal(unlink(in_dir("sign-0001.meta")), 0);
	expect_load_error("sign-0001.meta");
}

static void test_load_refuses_empty_dir(void **state)
{
	struct keys k;
	char err[512] = "";
	uint8_t key[32];
	(void)state;
	/* Nothing at all: the first missing key is named. */
	assert_int_equal(keys_load(dir, &k, err, sizeof err), -1);
	assert_true(err[0] != '\0');
	/* The four secrets but no signing key. */
	memset(key, 7, sizeof key);
	write_all("data.key", key, 32, 0600);
	write_all("index.key", key, 32, 0600);
	write_all("mac.key", key, 32, 0600);
	write_all("day.key", key, 32, 0600);
	expect_load_error("no signing key");
	/* A leftover temporary or backup file is not a signing key. */
	write_all(".sign-0001.seed.tmp", key, 32, 0600);
	write_all("sign-0001.seed.bak", key, 32, 0600);
	expect_load_error("no signing key");
	/* And a directory that does not exist. */
	assert_int_equal(keys_load("/tmp/hqr-test-keys-does-not-exist/none", &k, err, sizeof err), -1);
	assert_true(err[0] != '\0');
}

/* ---- rotation ---- */

static void test_rotate(void **state)
{
	struct keys k;
	char err[512] = "";
	uint16_t kid = 0;
	const int64_t t1 = NOW + 30 * DAY, overlap = 7 * DAY;
	(void)state;
	init_and_load(&k);
	if (keys_rotate(dir, t1, overlap, &kid, err, sizeof err) != 0)
		fail_msg("keys_rotate: %s", err);
	assert_int_equal(kid, 2);
	assert_int_equal(mode_of("sign-0002.seed"), 0600);
	assert_int_equal(size_of("sign-0002.seed"), 32);
	if (keys_load(dir, &k, err, sizeof err) != 0)
		fail_msg("keys_load after rotate: %s", err);
	assert_int_equal(k.nsign, 2);
	assert_int_equal(k.sign[0].kid, 1);
	assert_int_equal(k.sign[1].kid, 2);
	assert_memory_not_equal(k.sign[0].seed, k.sign[1].seed, 32);
	assert_memory_not_equal(k.sign[0].pub, k.sign[1].pub, 32);
	assert_int_equal(k.sign[0].not_after, t1 + overlap);
	assert_int_equal(k.sign[1].not_before, t1);
	assert_int_equal(k.sign[1].not_after, 0);

	/* Kid 2 signs from the rotation on; kid 1 signed until then. */
	assert_int_equal(keys_signer(&k, t1)->kid, 2);
	assert_int_equal(keys_signer(&k, t1 + 365 * DAY)->kid, 2);
	assert_int_equal(keys_signer(&k, t1 - 1)->kid, 1);
	/* Kid 1 still verifies through the overlap, then is retired. */
	assert_non_null(keys_verifier(&k, 1, t1));
	assert_non_null(keys_verifier(&k, 1, t1 + overlap - 1));
	assert_null(keys_verifier(&k, 1, t1 + overlap + 1));
	assert_null(keys_verifier(&k, 1, t1 + 365 * DAY));
	assert_int_equal(keys_verifier(&k, 2, t1 + 365 * DAY)->kid, 2);

	/* A second rotation after kid 1's overlap: kid 1 (retired) is removed, kid 2 gets an end,
	 * kid 3 signs. */
	const int64_t t2 = t1 + 60 * DAY;
	assert_int_equal(keys_rotate(dir, t2, overlap, &kid, err, sizeof err), 0);
	assert_int_equal(kid, 3);
	assert_int_equal(keys_load(dir, &k, err, sizeof err), 0);
	assert_int_equal(k.nsign, 2);
	assert_int_equal(k.sign[0].kid, 2);
	assert_int_equal(k.sign[0].not_after, t2 + overlap);
	assert_int_equal(k.sign[1].kid, 3);
	assert_int_equal(k.sign[1].not_after, 0);
	assert_int_equal(keys_signer(&k, t2)->kid, 3);
	assert_non_null(keys_verifier(&k, 2, t2 + 1));
	assert_null(keys_verifier(&k, 2, t2 + overlap + 1));
	assert_null(keys_verifier(&k, 1, t2));
}

static void test_rotate_many_sorted(void **state)
{
	struct keys k;
	char err[512] = "";
	uint16_t kid = 0;
	(void)state;
	init_and_load(&k);
	/* Up to kid 12: files sign-0009 .. sign-0012 sort by number, not as readdir lists them. */
	/* A year of overlap: nothing retires, so every key stays. */
	for (int i = 2; i <= 12; i++) {
		assert_int_equal(keys_rotate(dir, NOW + i * DAY, 365 * DAY, &kid, err, sizeof err), 0);
		assert_int_equal(kid, i);
	}
	assert_int_equal(keys_load(dir, &k, err, sizeof err), 0);
	assert_int_equal(k.nsign, 12);
	for (int i = 0; i < k.nsign; i++)
		assert_int_equal(k.sign[i].kid, i + 1);
	assert_int_equal(keys_signer(&k, NOW + 12 * DAY)->kid, 12);
	assert_int_equal(keys_signer(&k, NOW + 11 * DAY)->kid, 11);
	assert_non_null(keys_verifier(&k, 10, NOW + 12 * DAY));
	assert_null(keys_verifier(&k, 10, NOW + 400 * DAY));
}

/* Whatever keys_rotate does at the KEYS_SIGN_MAX limit, a rotation that reports success must
 * leave a directory that keys_load (the service's start-up) still accepts. */
static void test_rotate_past_the_limit_keeps_dir_loadable(void **state)
{
	struct keys k;
	char err[512] = "";
	uint16_t kid = 0;
	(void)state;
	init_and_load(&k);
	/* Keys that all still verify (a year of overlap) fill the directory to the limit. */
	for (int i = 2; i <= KEYS_SIGN_MAX; i++)
		assert_int_equal(keys_rotate(dir, NOW + i * DAY, 365 * DAY, &kid, err, sizeof err), 0);
	if (keys_load(dir, &k, err, sizeof err) != 0)
		fail_msg("keys_load with %d keys: %s", KEYS_SIGN_MAX, err);
	assert_int_equal(k.nsign, KEYS_SIGN_MAX);
	int rc = keys_rotate(dir, NOW + (KEYS_SIGN_MAX + 1) * DAY, 365 * DAY, &kid, err, sizeof err);
	assert_int_not_equal(rc, 0); /* refused: every key still verifies */
	if (rc == 0 && keys_load(dir, &k, err, sizeof err) != 0)
		fail_msg("keys_rotate made key %u and reported success, but the directory no longer loads: %s",
			 (unsigned)kid, err);
	if (rc != 0 && keys_load(dir, &k, err, sizeof err) != 0)
		fail_msg("a refused rotation left a directory that does not load: %s", err);
	/* Once the overlaps are over, the retired keys are removed and a rotation succeeds again. */
	assert_int_equal(keys_rotate(dir, NOW + 400 * DAY, DAY, &kid, err, sizeof err), 0);
	assert_int_equal(keys_load(dir, &k, err, sizeof err), 0);
	assert_int_equal(k.nsign, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_creates_keys, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_init_twice_creates_nothing, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_init_fills_in_missing, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_init_creates_directory, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_signer_and_verifier, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_refuses_open_mode, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_refuses_wrong_size, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_ensure_day_adds_the_missing_day_key, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_refuses_missing, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_refuses_missing_meta, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_refuses_empty_dir, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_rotate, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_rotate_many_sorted, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_rotate_past_the_limit_keeps_dir_loadable, make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
