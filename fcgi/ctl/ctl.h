/* ctl.h: the verbs of hqrctl, the operator's command. */
#ifndef HQR_CTL_H
#define HQR_CTL_H

#include <stdint.h>

#include "db.h"

struct conf;
struct keys;
struct checkpoint_row;

struct ctl {
	const struct conf *conf;
	struct db *db;
	const char *conf_path;
};

#include <stddef.h>
#include <stdint.h>

/* Reads a whole file of at most max bytes, NUL-terminated, into a new buffer (freed by the caller);
 * NULL if it cannot be read or is longer. *len (if not NULL) gets its length. */
char *ctl_read_file(const char *path, size_t max, size_t *len);

/* A decimal database id (1..2^63-1), or 0 with a message naming the option what. */
uint64_t ctl_id_arg(const char *what, const char *s);
/* Prints what a store failure means to an operator; the exit code (1). */
int ctl_db_fail(enum db_rc rc);
/* The checkpoint id into r: 0, or the exit code with a message (none with that id, or the store's
 * failure). */
int ctl_checkpoint_arg(const struct ctl *ctl, uint64_t id, struct checkpoint_row *r);
/* The service's keys into k (the caller wipes them): 0, or -1 with a message. */
int ctl_load_keys(const struct ctl *ctl, struct keys *k);

/* Each verb gets the arguments after its name and returns the exit code. */
int ctl_migrate(struct ctl *ctl, int argc, char **argv);
int ctl_menu(struct ctl *ctl, int argc, char **argv);
int ctl_keys(struct ctl *ctl, int argc, char **argv);
int ctl_jobs(struct ctl *ctl, int argc, char **argv);
int ctl_partitions(struct ctl *ctl, int argc, char **argv);
int ctl_bench_seed(struct ctl *ctl, int argc, char **argv);
int ctl_verify_token(struct ctl *ctl, int argc, char **argv);
int ctl_risk_areas(struct ctl *ctl, int argc, char **argv);
int ctl_admin(struct ctl *ctl, int argc, char **argv);
int ctl_checkpoint(struct ctl *ctl, int argc, char **argv);
int ctl_device(struct ctl *ctl, int argc, char **argv);
int ctl_integrator(struct ctl *ctl, int argc, char **argv);
int ctl_resident(struct ctl *ctl, int argc, char **argv);
int ctl_seed_demo(struct ctl *ctl, int argc, char **argv);
int ctl_place_code(struct ctl *ctl, int argc, char **argv);
int ctl_backup(struct ctl *ctl, int argc, char **argv);
int ctl_restore(struct ctl *ctl, int argc, char **argv);
/* Needs no configuration: run before it is read. */
int ctl_sign_request(int argc, char **argv);

#endif
