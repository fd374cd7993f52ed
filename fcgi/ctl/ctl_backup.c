/* ctl_backup.c: `hqrctl backup DIR` and `hqrctl restore DIR [--force]`: the database (with
 * mariadb-backup), the keys and the encrypted photos, and a manifest of their sizes and SHA-256. */
#include "conf.h"
#include "crypto.h"
#include "ctl.h"
#include "db.h"
#include "isotime.h"
#include "store_ops.h"
#include "log.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * A backup directory:
 *   db/                 the database, copied by `mariadb-backup --backup` and prepared at once
 *                       (`--prepare`), so that a restore is `--copy-back` and nothing else
 *   keys/               [app] keys_dir: the data, index, mac and day keys and the signing keys
 *   data/               [app] data_dir: the encrypted photos
 *   secrets/db_password the database's password: its users come back with it
 *   mariadb-backup.log  what mariadb-backup said
 *   manifest.json       {"format","created","versions":{...},"files":[{"path","size","sha256"}]}
 * The database is copied first: a photo is written before its row commits, so every person in
 * the copy has its photo on disk when the photos are copied after it; keys are only ever added
 * while their old versions keep verifying, so keys copied after the database cover it too.
 * Everything is 0600 in 0700 directories: the backup holds every secret the service has.
 */

#define FORMAT       1
#define MANIFEST     "manifest.json"
#define MAX_FILES    200000
#define PATH_MAX_LEN 4096

/* ---- small file helpers ------------------------------------------------------------------ */

static int is_empty_dir(const char *path)
{
	DIR *d = opendir(path);
	if (d == NULL)
		return errno == ENOENT ? 1 : -1;
	struct dirent *e;
	int empty = 1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	}
	closedir(d);
	return empty;
}

static int mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX_LEN];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return -1;
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Copies src to dst (created or truncated, 0600) and fsyncs it. 0, or -1 with errno. */
static int copy_file(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		int e = errno;
		close(in);
		errno = e;
		return -1;
	}
	char buf[65536];
	int rc = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0) {
			rc = -1;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0) {
				rc = -1;
				break;
			}
			off += w;
		}
		if (rc != 0)
			break;
	}
	int e = errno;
	if (rc == 0 && fsync(out) != 0)
		rc = -1, e = errno;
	close(in);
	if (close(out) != 0 && rc == 0)
		rc = -1, e = errno;
	errno = e;
	return rc;
}

/* ---- tree walks (nftw has no user pointer: one walk at a time, in this single thread) -------- */

struct walk {
	const char *src; /* the root walked */
	size_t src_len;
	const char *dst; /* copy: where to; NULL when listing */
	uid_t uid;       /* copy: owner to give, or (uid_t)-1 */
	gid_t gid;
	char **files; /* list: relative paths of regular files (malloc'd) */
	size_t nfiles;
	char err[PATH_MAX_LEN + 128];
};
static struct walk *cur;

static int on_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	const char *rel = path + cur->src_len;
	while (*rel == '/')
		rel++;
	if (type == FTW_DNR || type == FTW_NS) {
		snprintf(cur->err, sizeof cur->err, "cannot read %s", path);
		return 1;
	}
	if (type != FTW_F && type != FTW_D) {
		snprintf(cur->err, sizeof cur->err, "%s is neither a file nor a directory", path);
		return 1;
	}
	if (type == FTW_F && !S_ISREG(st->st_mode)) {
		snprintf(cur->err, sizeof cur->err, "%s is not a regular file", path);
		return 1;
	}
	if (cur->dst == NULL) {
		if (type != FTW_F)
			return 0;
		if (cur->nfiles >= MAX_FILES) {
			snprintf(cur->err, sizeof cur->err, "more than %d files under %s", MAX_FILES, cur->src);
			return 1;
		}
		char **grown = realloc(cur->files, (cur->nfiles + 1) * sizeof *grown);
		if (grown == NULL || (grown[cur->nfiles] = strdup(rel)) == NULL) {
			if (grown != NULL)
				cur->files = grown;
			snprintf(cur->err, sizeof cur->err, "out of memory");
			return 1;
		}
		cur->files = grown;
		cur->nfiles++;
		return 0;
	}
	char to[PATH_MAX_LEN];
	if (snprintf(to, sizeof to, "%s%s%s", cur->dst, *rel != '\0' ? "/" : "", rel) >= (int)sizeof to) {
		snprintf(cur->err, sizeof cur->err, "path too long under %s", cur->dst);
		return 1;
	}
	int rc = type == FTW_D ? mkdirs(to, 0700) : copy_file(path, to);
	if (rc == 0 && type == FTW_D)
		rc = chmod(to, 0700);
	if (rc == 0 && cur->uid != (uid_t)-1)
		rc = chown(to, cur->uid, cur->gid);
	if (rc != 0) {
		snprintf(cur->err, sizeof cur->err, "cannot copy %s to %s: %s", path, to, strerror(errno));
		return 1;
	}
	return 0;
}

static int walk_tree(struct walk *w)
{
	w->src_len = strlen(w->src);
	cur = w;
	int rc = nftw(w->src, on_entry, 32, FTW_PHYS);
	cur = NULL;
	if (rc != 0 && w->err[0] == '\0')
		snprintf(w->err, sizeof w->err, "cannot walk %s: %s", w->src, strerror(errno));
	return rc == 0 ? 0 : -1;
}

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->nfiles; i++)
		free(w->files[i]);
	free(w->files);
	w->files = NULL;
	w->nfiles = 0;
}

/* Copies the tree src into dst (0700 directories, 0600 files), owned by uid:gid unless uid is
 * (uid_t)-1. 0, or -1 with a message on stderr. */
static int copy_tree(const char *src, const char *dst, uid_t uid, gid_t gid)
{
	struct walk w = { .src = src, .dst = dst, .uid = uid, .gid = gid };
	if (walk_tree(&w) != 0) {
		fprintf(stderr, "hqrctl: %s\n", w.err);
		return -1;
	}
	return 0;
}

/* ---- running mariadb-backup -------------------------------------------------------------- */

/* Runs argv with standard output and error appended to log (a path). The exit status, or -1. */
static int run_logged(char *const argv[], const char *log)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fd);
		return -1;
	}
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Shows the last lines of a log when a program failed. */
static void tail_log(const char *log)
{
	FILE *f = fopen(log, "r");
	if (f == NULL)
		return;
	char lines[12][512];
	int n = 0;
	while (fgets(lines[n % 12], sizeof lines[0], f) != NULL)
		n++;
	fclose(f);
	for (int i = n > 12 ? n - 12 : 0; i < n; i++)
		fprintf(stderr, "  %s", lines[i % 12]);
}

/* Runs mariadb-backup's step ("--backup", ...) with its output in log: 0, or 1 after the failure
 * and the end of the log on standard error. */
static int run_step(char *const argv[], const char *step, const char *log)
{
	int rc = run_logged(argv, log);
	if (rc == 0)
		return 0;
	fprintf(stderr, "hqrctl: mariadb-backup %s failed (%d); the end of %s:\n", step, rc, log);
	tail_log(log);
	return 1;
}

/* argv of mariadb-backup: the defaults file must come first when there is one. */
static int backup_argv(const struct conf *c, char **argv, char *dflt, size_t dlen, char *a1, char *a2)
{
	int n = 0;
	argv[n++] = (char *)(uintptr_t) "mariadb-backup";
	if (c->mariadb_cnf[0] != '\0') {
		snprintf(dflt, dlen, "--defaults-file=%s", c->mariadb_cnf);
		argv[n++] = dflt;
	}
	argv[n++] = a1;
	if (a2 != NULL)
		argv[n++] = a2;
	argv[n] = NULL;
	return n;
}

/* The value of `--NAME=` in what mariadb-backup would be started with (its --print-defaults),
 * read into out; "" when absent. 0, or -1 when mariadb-backup cannot tell. */
static int backup_default(const struct conf *c, const char *name, char *out, size_t max)
{
	char dflt[CONF_STR + 32], pd[] = "--print-defaults";
	char *argv[4];
	out[0] = '\0'; /* empty on every failure, the temp file's included */
	backup_argv(c, argv, dflt, sizeof dflt, pd, NULL);
	char log[] = "/tmp/hqrctl-defaults-XXXXXX";
	int fd = mkstemp(log);
	if (fd < 0)
		return -1;
	close(fd);
	int rc = run_logged(argv, log);
	FILE *f = rc == 0 ? fopen(log, "r") : NULL;
	unlink(log);
	if (f == NULL)
		return -1;
	char line[8192], key[64];
	snprintf(key, sizeof key, "--%s=", name);
	while (fgets(line, sizeof line, f) != NULL) {
		/* The arguments come space-separated on one line; the last one given wins. */
		for (char *p = strstr(line, key); p != NULL; p = strstr(p + 1, key)) {
			if (p != line && p[-1] != ' ')
				continue;
			p += strlen(key);
			size_t n = strcspn(p, " \n");
			if (n < max) {
				memcpy(out, p, n);
				out[n] = '\0';
			}
		}
	}
	fclose(f);
	return 0;
}

/* The value of `key = value` in mariadb-backup's xtrabackup_info, into out ("" if absent). */
static void info_value(const char *path, const char *key, char *out, size_t max)
{
	out[0] = '\0';
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	char line[1024];
	size_t kl = strlen(key);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, key, kl) == 0 && strncmp(line + kl, " = ", 3) == 0) {
			snprintf(out, max, "%s", line + kl + 3);
			out[strcspn(out, "\n")] = '\0';
		}
	}
	fclose(f);
}

/* ---- the manifest ------------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Size and hex SHA-256 of root/rel. 0, or -1 with errno. */
static int digest(const char *root, const char *rel, uint64_t *size, char hex[65])
{
	char path[PATH_MAX_LEN];
	if (snprintf(path, sizeof path, "%s/%s", root, rel) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	uint8_t sum[32];
	int rc = crypto_sha256_fd(fd, sum, size);
	close(fd);
	if (rc == 0)
		crypto_hex(sum, sizeof sum, hex);
	return rc;
}

/* Every regular file under dir except the manifest, sorted. 0, or -1 with a message. */
static int list_files(const char *dir, struct walk *w)
{
	memset(w, 0, sizeof *w);
	w->src = dir;
	if (walk_tree(w) != 0) {
		fprintf(stderr, "hqrctl: %s\n", w->err);
		walk_free(w);
		return -1;
	}
	size_t k = 0;
	for (size_t i = 0; i < w->nfiles; i++) {
		if (strcmp(w->files[i], MANIFEST) == 0)
			free(w->files[i]);
		else
			w->files[k++] = w->files[i];
	}
	w->nfiles = k;
	if (w->nfiles > 1)
		qsort(w->files, w->nfiles, sizeof *w->files, cmp_str);
	return 0;
}

static int write_manifest(const char *dir, cJSON *versions, uint64_t *total, size_t *count)
{
	struct walk w;
	if (list_files(dir, &w) != 0)
		return -1;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "format", FORMAT);
	char when[ISOTIME_BUF];
	isotime_format(time(NULL), when);
	cJSON_AddStringToObject(root, "created", when);
	cJSON_AddItemToObject(root, "versions", versions);
	cJSON *files = cJSON_AddArrayToObject(root, "files");
	int rc = 0;
	*total = 0;
	for (size_t i = 0; i < w.nfiles && rc == 0; i++) {
		uint64_t size;
		char hex[65];
		if (digest(dir, w.files[i], &size, hex) != 0) {
			fprintf(stderr, "hqrctl: cannot read %s/%s: %s\n", dir, w.files[i], strerror(errno));
			rc = -1;
			break;
		}
		cJSON *f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "path", w.files[i]);
		cJSON_AddNumberToObject(f, "size", (double)size);
		cJSON_AddStringToObject(f, "sha256", hex);
		cJSON_AddItemToArray(files, f);
		*total += size;
	}
	*count = w.nfiles;
	walk_free(&w);
	char *text = rc == 0 ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (rc != 0)
		return -1;
	if (text == NULL)
		return -1;
	char tmp[PATH_MAX_LEN], path[PATH_MAX_LEN];
	snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, MANIFEST);
	snprintf(path, sizeof path, "%s/%s", dir, MANIFEST);
	FILE *f = fopen(tmp, "w");
	if (f == NULL || fputs(text, f) < 0 || fputc('\n', f) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fprintf(stderr, "hqrctl: cannot write %s: %s\n", tmp, strerror(errno));
		if (f != NULL)
			fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	free(text);
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "hqrctl: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Checks every file of the backup against its manifest, and that the manifest names every
 * file there is. 0, or -1 with a message naming the first difference. */
static int check_manifest(const char *dir, char *schema, size_t schema_max)
{
	char path[PATH_MAX_LEN];
	snprintf(path, sizeof path, "%s/%s", dir, MANIFEST);
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "hqrctl: %s has no %s: not a backup of hqrctl backup\n", dir, MANIFEST);
		return -1;
	}
	char *text = malloc(64u << 20);
	size_t n = text != NULL ? fread(text, 1, (64u << 20) - 1, f) : 0;
	fclose(f);
	if (text == NULL)
		return -1;
	text[n] = '\0';
	cJSON *root = cJSON_Parse(text);
	free(text);
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(root, "files");
	const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
	if (!cJSON_IsArray(files) || !cJSON_IsNumber(format)) {
		fprintf(stderr, "hqrctl: %s is not a valid manifest\n", path);
		cJSON_Delete(root);
		return -1;
	}
	if (format->valuedouble != FORMAT) {
		fprintf(stderr, "hqrctl: %s has format %g; this hqrctl restores format %d\n", path, format->valuedouble,
			FORMAT);
		cJSON_Delete(root);
		return -1;
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "versions"), "schema");
	snprintf(schema, schema_max, "%s", cJSON_IsString(v) ? v->valuestring : "?");
	struct walk w;
	if (list_files(dir, &w) != 0) {
		cJSON_Delete(root);
		return -1;
	}
	int rc = 0;
	size_t listed = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, files) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "size");
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(e, "sha256");
		if (!cJSON_IsString(p) || !cJSON_IsNumber(s) || !cJSON_IsString(h) ||
		    strstr(p->valuestring, "..") != NULL) {
			fprintf(stderr, "hqrctl: %s: an entry is malformed\n", path);
			rc = -1;
			break;
		}
		listed++;
		const char *rel = p->valuestring;
		if (w.nfiles == 0 || bsearch(&rel, w.files, w.nfiles, sizeof *w.files, cmp_str) == NULL) {
			fprintf(stderr, "hqrctl: backup %s is damaged: %s is missing (refusing to restore)\n", dir,
				rel);
			rc = -1;
			break;
		}
		uint64_t size;
		char hex[65];
		if (digest(dir, rel, &size, hex) != 0) {
			fprintf(stderr, "hqrctl: cannot read %s/%s: %s\n", dir, rel, strerror(errno));
			rc = -1;
			break;
		}
		if ((double)size != s->valuedouble) {
			fprintf(stderr,
				"hqrctl: backup %s is damaged: %s has %" PRIu64 " bytes, the manifest says %.0f "
				"(refusing to restore)\n",
				dir, rel, size, s->valuedouble);
			rc = -1;
			break;
		}
		if (strcmp(hex, h->valuestring) != 0) {
			fprintf(stderr,
				"hqrctl: backup %s is damaged: %s does not match its SHA-256 in the manifest "
				"(refusing to restore)\n",
				dir, rel);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && listed != w.nfiles) {
		fprintf(stderr,
			"hqrctl: backup %s is damaged: it holds %zu files, the manifest lists %zu "
			"(refusing to restore)\n",
			dir, w.nfiles, listed);
		rc = -1;
	}
	walk_free(&w);
	cJSON_Delete(root);
	return rc;
}

/* ---- backup ------------------------------------------------------------------------------ */

static int write_secret(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t n = strlen(value);
	int rc = write(fd, value, n) == (ssize_t)n && write(fd, "\n", 1) == 1 && fsync(fd) == 0 ? 0 : -1;
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

static void keep_name(const struct migration_row *m, void *arg)
{
	snprintf(arg, sizeof m->name, "%s", m->name);
}

/* The latest applied migration ("0007_visitor_size.sql"), or "" when none. */
static void schema_version(struct db *db, char out[200])
{
	out[0] = '\0';
	migrations_each(db, keep_name, out);
}

static int backup(struct ctl *ctl, const char *dir)
{
	const struct conf *c = ctl->conf;
	if (is_empty_dir(dir) != 1) {
		fprintf(stderr, "hqrctl: backup directory %s must be new or empty\n", dir);
		return 1;
	}
	umask(077);
	if (mkdirs(dir, 0700) != 0 || chmod(dir, 0700) != 0) {
		fprintf(stderr, "hqrctl: cannot make %s: %s\n", dir, strerror(errno));
		return 1;
	}
	char schema[200];
	schema_version(ctl->db, schema);

	/* 1. The database, consistent as of the end of the copy, prepared for a plain copy-back. */
	char log[PATH_MAX_LEN], target[PATH_MAX_LEN + 16], dflt[CONF_STR + 32];
	snprintf(log, sizeof log, "%s/mariadb-backup.log", dir);
	snprintf(target, sizeof target, "--target-dir=%s/db", dir);
	char *argv[6];
	char bk[] = "--backup", prep[] = "--prepare";
	backup_argv(c, argv, dflt, sizeof dflt, bk, target);
	char *pargv[] = { argv[0], prep, target, NULL };
	if (run_step(argv, bk, log) != 0 || run_step(pargv, prep, log) != 0)
		return 1;
	/* 2. The keys, then the encrypted photos (see the top of this file for the order). */
	char to[PATH_MAX_LEN];
	snprintf(to, sizeof to, "%s/keys", dir);
	if (copy_tree(c->keys_dir, to, (uid_t)-1, (gid_t)-1) != 0)
		return 1;
	snprintf(to, sizeof to, "%s/data", dir);
	if (is_empty_dir(c->data_dir) == 1) {
		if (mkdirs(to, 0700) != 0)
			return 1;
	} else if (copy_tree(c->data_dir, to, (uid_t)-1, (gid_t)-1) != 0) {
		return 1;
	}
	/* 3. The password of the database's users, which come back with it. */
	snprintf(to, sizeof to, "%s/secrets", dir);
	if (mkdirs(to, 0700) != 0) {
		fprintf(stderr, "hqrctl: cannot make %s: %s\n", to, strerror(errno));
		return 1;
	}
	snprintf(to, sizeof to, "%s/secrets/db_password", dir);
	if (write_secret(to, c->db_password) != 0) {
		fprintf(stderr, "hqrctl: cannot write %s: %s\n", to, strerror(errno));
		return 1;
	}
	/* 4. The manifest: versions, and each file's size and SHA-256. */
	char info[PATH_MAX_LEN], server[128], tool[128];
	snprintf(info, sizeof info, "%s/db/xtrabackup_info", dir);
	info_value(info, "server_version", server, sizeof server);
	info_value(info, "tool_version", tool, sizeof tool);
	cJSON *versions = cJSON_CreateObject();
	cJSON_AddStringToObject(versions, "schema", schema);
	cJSON_AddStringToObject(versions, "server", server);
	cJSON_AddStringToObject(versions, "mariadb_backup", tool);
	uint64_t total = 0;
	size_t count = 0;
	if (write_manifest(dir, versions, &total, &count) != 0)
		return 1;
	printf("backup %s: %zu files, %" PRIu64 " bytes (database %s, schema %s)\n", dir, count, total, server,
	       schema[0] != '\0' ? schema : "none");
	return 0;
}

/* ---- restore ----------------------------------------------------------------------------- */

/* 1 when something accepts connections on the unix socket path. */
static int socket_answers(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (path[0] == '\0' || strlen(path) >= sizeof a.sun_path)
		return 0;
	memcpy(a.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return ok;
}

/* Moves a non-empty path aside to PATH.before-restore-STAMP (printed). 0, or -1. */
static int move_aside(const char *path, const char *stamp)
{
	char to[PATH_MAX_LEN];
	snprintf(to, sizeof to, "%s.before-restore-%s", path, stamp);
	if (rename(path, to) != 0) {
		fprintf(stderr, "hqrctl: cannot move %s aside: %s\n", path, strerror(errno));
		return -1;
	}
	printf("moved %s aside to %s\n", path, to);
	return 0;
}

static int read_line(const char *path, char *out, size_t max)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fgets(out, (int)max, f) == NULL)
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static int restore(struct ctl *ctl, const char *dir, int force)
{
	const struct conf *c = ctl->conf;
	char schema[200];
	/* 1. The backup is whole and unchanged, before anything is touched. */
	if (check_manifest(dir, schema, sizeof schema) != 0)
		return 1;
	/* 2. The instance is stopped: neither the application nor its database answers. */
	if (socket_answers(c->socket)) {
		fprintf(stderr, "hqrctl: hqr-fcgi is running (it answers on %s): stop the instance first\n", c->socket);
		return 1;
	}
	/* A refused connection is the expected answer here, not a warning. */
	log_setup(LOG_ERROR, "hqrctl");
	struct db *db = db_open(c);
	if (db != NULL && db_connect(db) == DB_OK) {
		db_close(db);
		fprintf(stderr, "hqrctl: the database of %s is running: stop it first (a restore replaces its files)\n",
			ctl->conf_path);
		return 1;
	}
	db_close(db);
	log_setup(LOG_WARN, "hqrctl");
	umask(077);
	char datadir[PATH_MAX_LEN], dbuser[64];
	if (backup_default(c, "datadir", datadir, sizeof datadir) != 0 || datadir[0] == '\0') {
		fprintf(stderr, "hqrctl: cannot tell the database's datadir from %s (set [backup] mariadb_cnf)\n",
			c->mariadb_cnf[0] != '\0' ? c->mariadb_cnf : "mariadb-backup's defaults");
		return 1;
	}
	backup_default(c, "user", dbuser, sizeof dbuser);
	/* 3. Only into empty places, unless --force: then what is there is moved aside, not lost. */
	const char *targets[] = { datadir, c->keys_dir, c->data_dir };
	const char *what[] = { "the database's datadir", "[app] keys_dir", "[app] data_dir" };
	int busy = 0;
	for (int i = 0; i < 3; i++) {
		int e = is_empty_dir(targets[i]);
		if (e < 0) {
			fprintf(stderr, "hqrctl: cannot read %s %s: %s\n", what[i], targets[i], strerror(errno));
			return 1;
		}
		if (e == 0 && !force)
			fprintf(stderr, "hqrctl: %s %s is not empty\n", what[i], targets[i]);
		busy += e == 0;
	}
	if (busy > 0 && !force) {
		fprintf(stderr, "hqrctl: refusing to restore over an instance's data; --force moves it aside first\n");
		return 1;
	}
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	for (int i = 0; i < 3; i++)
		if (is_empty_dir(targets[i]) == 0 && move_aside(targets[i], stamp) != 0)
			return 1;
	/* 4. The database: mariadb-backup copies the prepared files back into the datadir. */
	char log[] = "/tmp/hqrctl-restore-XXXXXX";
	int lfd = mkstemp(log);
	if (lfd < 0)
		return 1;
	close(lfd);
	char target[PATH_MAX_LEN + 16], dflt[CONF_STR + 32], cb[] = "--copy-back";
	snprintf(target, sizeof target, "--target-dir=%s/db", dir);
	char *argv[6];
	backup_argv(c, argv, dflt, sizeof dflt, cb, target);
	if (run_step(argv, cb, log) != 0)
		return 1;
	unlink(log);
	/* The server's files belong to the user it runs as (mysql on Debian). */
	struct passwd *pw = dbuser[0] != '\0' && strcmp(dbuser, "root") != 0 ? getpwnam(dbuser) : NULL;
	if (pw != NULL) {
		char tmpdir[PATH_MAX_LEN];
		snprintf(tmpdir, sizeof tmpdir, "%s", datadir);
		char *cargv[] = { (char *)(uintptr_t) "chown", (char *)(uintptr_t) "-R", NULL, tmpdir, NULL };
		char owner[160];
		snprintf(owner, sizeof owner, "%s:", dbuser);
		cargv[2] = owner;
		if (run_logged(cargv, "/dev/null") != 0) {
			fprintf(stderr, "hqrctl: cannot give %s to %s\n", datadir, dbuser);
			return 1;
		}
	}
	/* 5. The keys and the photos, owned by [app] user when there is one. */
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	struct passwd *app = geteuid() == 0 && c->user[0] != '\0' ? getpwnam(c->user) : NULL;
	if (app != NULL) {
		uid = app->pw_uid;
		gid = app->pw_gid;
	}
	char from[PATH_MAX_LEN];
	snprintf(from, sizeof from, "%s/keys", dir);
	if (copy_tree(from, c->keys_dir, uid, gid) != 0)
		return 1;
	snprintf(from, sizeof from, "%s/data", dir);
	if (copy_tree(from, c->data_dir, uid, gid) != 0)
		return 1;
	/* 6. The database password its restored users have. */
	char pw_backup[CONF_STR];
	snprintf(from, sizeof from, "%s/secrets/db_password", dir);
	if (read_line(from, pw_backup, sizeof pw_backup) == 0 && strcmp(pw_backup, c->db_password) != 0) {
		if (c->db_password_file[0] != '\0') {
			char old[PATH_MAX_LEN];
			snprintf(old, sizeof old, "%s.before-restore-%s", c->db_password_file, stamp);
			if (copy_file(c->db_password_file, old) != 0 ||
			    write_secret(c->db_password_file, pw_backup) != 0) {
				fprintf(stderr, "hqrctl: cannot write %s: %s\n", c->db_password_file, strerror(errno));
				return 1;
			}
			printf("wrote the restored database's password to %s (the previous one is in %s)\n",
			       c->db_password_file, old);
		} else {
			printf("note: the restored database's users have the password in %s; set [database] password "
			       "to it\n",
			       from);
		}
	}
	printf("restored %s into %s (database, schema %s), %s and %s; start the database, then the service\n", dir,
	       datadir, schema, c->keys_dir, c->data_dir);
	return 0;
}

int ctl_backup(struct ctl *ctl, int argc, char **argv)
{
	if (argc != 1 || argv[0][0] == '-') {
		fprintf(stderr, "usage: hqrctl backup DIR\n");
		return 2;
	}
	return backup(ctl, argv[0]);
}

int ctl_restore(struct ctl *ctl, int argc, char **argv)
{
	int force = 0;
	const char *dir = NULL;
	int bad = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else if (argv[i][0] != '-' && dir == NULL)
			dir = argv[i];
		else
			bad = 1;
	}
	if (dir == NULL || bad) {
		fprintf(stderr, "usage: hqrctl restore DIR [--force]\n");
		return 2;
	}
	return restore(ctl, dir, force);
}
