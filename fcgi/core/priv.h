/* priv.h: dropping root for a configured user, for good (the way nginx and Kore do). */
#ifndef HQR_PRIV_H
#define HQR_PRIV_H
#include <stddef.h>
#include <sys/types.h>

struct priv_user {
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* Looks name up in the user database. 0, or -1 with a message in err. */
int priv_lookup(const char *name, struct priv_user *out, char *err, size_t errlen);
/* Becomes u: supplementary groups from the group database (initgroups), then the group, then
 * the user, real, effective and saved alike; no new privileges (PR_SET_NO_NEW_PRIVS); then checks
 * that root cannot be regained (setuid(0) must fail). Call it while single-threaded. 0, or -1 with a message in err: the caller must
 * then exit, as the process may hold part of its privileges. */
int priv_drop(const struct priv_user *u, char *err, size_t errlen);

#endif
