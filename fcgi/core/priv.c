/* priv.c: dropping root for a configured user, for good, and checking that it cannot return. */
#include "priv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int priv_lookup(const char *name, struct priv_user *out, char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc = getpwnam_r(name, &pw, buf, sizeof buf, &res);
	if (rc != 0 || res == NULL) {
		snprintf(err, errlen, "config key [app] user: no such user %s", name);
		return -1;
	}
	if (pw.pw_uid == 0) {
		snprintf(err, errlen, "config key [app] user: %s is root; name an unprivileged user", name);
		return -1;
	}
	out->uid = pw.pw_uid;
	out->gid = pw.pw_gid;
	snprintf(out->name, sizeof out->name, "%s", name);
	return 0;
}

int priv_drop(const struct priv_user *u, char *err, size_t errlen)
{
	if (initgroups(u->name, u->gid) != 0) {
		snprintf(err, errlen, "initgroups(%s): %s", u->name, strerror(errno));
		return -1;
	}
	if (setresgid(u->gid, u->gid, u->gid) != 0) {
		snprintf(err, errlen, "setresgid(%ld): %s", (long)u->gid, strerror(errno));
		return -1;
	}
	if (setresuid(u->uid, u->uid, u->uid) != 0) {
		snprintf(err, errlen, "setresuid(%ld): %s", (long)u->uid, strerror(errno));
		return -1;
	}
	/* A process that could become root again has dropped nothing. */
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1 || setegid(0) != -1) {
		snprintf(err, errlen, "root could be regained after dropping to %s", u->name);
		return -1;
	}
	/* Nor through a set-user-id program run later. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	uid_t r, e, s;
	gid_t gr, ge, gs;
	if (getresuid(&r, &e, &s) != 0 || r != u->uid || e != u->uid || s != u->uid || getresgid(&gr, &ge, &gs) != 0 ||
	    gr != u->gid || ge != u->gid || gs != u->gid) {
		snprintf(err, errlen, "the user or group ids are not %s's after the drop", u->name);
		return -1;
	}
	return 0;
}
