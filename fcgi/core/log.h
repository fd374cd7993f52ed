/* log.h: JSON-line logging on stderr, tagged with the current request id; never personal data. */
#ifndef HQR_LOG_H
#define HQR_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the minimum level and the process role ("master", "worker", "hqrctl"). */
void log_setup(enum log_level min, const char *role);
/* The request id of the calling thread ("" when none); the pointer stays owned by the caller. */
void log_set_request_id(const char *rid);
/* Writes {"ts","level","role","pid","rid","msg",...}. `fields` is either NULL or a
 * pre-rendered JSON fragment of extra members ("\"k\":1"), already escaped. */
void log_msg(enum log_level lvl, const char *fields, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int log_level_parse(const char *s, enum log_level *out);
/* Opens path for appending (mode 0640, created if missing) and makes it the process's standard
 * error and output, where every line goes; remembers path for log_reopen. 0, or -1 with errno. */
int log_open(const char *path);
/* Opens the remembered path again (after logrotate moved the file away: SIGUSR1). 0 when no
 * file is in use; -1 with errno when it cannot be opened (the old file stays in use). */
int log_reopen(void);

#define log_info(...)  log_msg(LOG_INFO, NULL, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, NULL, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, NULL, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, NULL, __VA_ARGS__)

#endif
