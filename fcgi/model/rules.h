/* rules.h: code colors, declarations, observation and conversion to green (DESIGN §4), pure. */
#ifndef HQR_RULES_H
#define HQR_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "day.h"

/*
 * Everything here is pure: no I/O, no clock, no allocation, no global mutable
 * state. Dates are local calendar days ("day numbers": days since 1970-01-01
 * in the configured zone) and are always passed in by the caller; thresholds
 * come in struct rules_conf, filled from the configuration.
 */

/* ---- vocabulary --------------------------------------------------------- */

/* Values are those of the HQR1 token's color byte (DESIGN §5). */
enum rules_color { RULES_COLOR_NONE = 0, RULES_COLOR_GREEN = 1, RULES_COLOR_RED = 2 };

/* Why a declaration is red. Listed in priority order: the first that applies is the
 * declaration's `reason`; all that apply are in its `reasons` bitmask. Words are stable. */
enum rules_reason {
	RULES_REASON_NONE = 0,         /* "NONE" */
	RULES_REASON_SYMPTOMS,         /* "SYMPTOMS" */
	RULES_REASON_FEVER,            /* "FEVER" */
	RULES_REASON_CLOSE_CONTACT,    /* "CLOSE_CONTACT" */
	RULES_REASON_HIGH_RISK_TRAVEL, /* "HIGH_RISK_TRAVEL" */
	RULES_REASON__MAX
};
#define RULES_REASON_BIT(r) (1u << (unsigned)(r))

/* Symptom bits: the same values as VID_SYM_* in valid_id.h (a unit test pins them).
 * Only these seven bits are symptoms; any other bit of a mask (valid_id.h's
 * VID_SYM_NONE, bit 7, for a declared "none") is ignored by every rule here. */
#define RULES_SYM_FEVER                  (1u << 0)
#define RULES_SYM_COUGH                  (1u << 1)
#define RULES_SYM_SORE_THROAT            (1u << 2)
#define RULES_SYM_FATIGUE                (1u << 3)
#define RULES_SYM_SHORTNESS_OF_BREATH    (1u << 4)
#define RULES_SYM_DIARRHEA               (1u << 5)
#define RULES_SYM_LOSS_OF_TASTE_OR_SMELL (1u << 6)
#define RULES_SYM_ALL                    0x7Fu
#define RULES_SYM_COUNT                  7

/* "green", "red", "none"; NULL outside the enum. Static strings. */
const char *rules_color_word(enum rules_color c);
/* "NONE", "SYMPTOMS", "FEVER", "CLOSE_CONTACT", "HIGH_RISK_TRAVEL"; NULL outside the enum. */
const char *rules_reason_word(enum rules_reason r);
/* The word of one symptom bit ("fever", ..., "loss_of_taste_or_smell"); NULL when bit is
 * not exactly one of the seven RULES_SYM_* bits. */
const char *rules_symptom_word(unsigned bit);
/* The bit of a symptom word in w[0..len) (exact, lower case); "none" gives 0. Returns
 * false, leaving *bit untouched, for any other word. */
bool rules_symptom_from_word(const char *w, size_t len, unsigned *bit);

/* ---- configuration ------------------------------------------------------ */

struct rules_conf {
	int fever_tenths;     /* fever at or above, in tenths of a degree Celsius: 373 */
	int observation_days; /* length of an observation, and of the travel window: 14 */
};

#define RULES_FEVER_TENTHS_DEFAULT     373
#define RULES_OBSERVATION_DAYS_DEFAULT 14
#define RULES_FEVER_TENTHS_MIN         350
#define RULES_FEVER_TENTHS_MAX         420
#define RULES_OBSERVATION_DAYS_MIN     1
#define RULES_OBSERVATION_DAYS_MAX     365

/* True when fever_tenths and observation_days are within the bounds above. Every function
 * below that takes a conf returns -1 for a conf that fails this check. */
bool rules_conf_valid(const struct rules_conf *conf);

/* ---- a declaration ------------------------------------------------------ */

struct rules_obs;

/* One stay of the declared travel: a city and the local days from..to, both included. */
struct rules_travel {
	const char *city; /* NUL-terminated UTF-8; NULL never matches */
	int32_t from_day;
	int32_t to_day; /* from_day > to_day is read as the stay to..from */
};

struct rules_decl {
	int32_t day;                       /* the local day of the declaration ("today") */
	unsigned symptoms;                 /* RULES_SYM_* bits; other bits ignored */
	bool has_temperature;              /* the temperature is optional on a declaration */
	int temperature_tenths;            /* read only when has_temperature */
	bool contact;                      /* close contact with a confirmed or suspected case */
	const struct rules_travel *travel; /* n_travel stays; may be NULL when n_travel == 0 */
	size_t n_travel;
};

struct rules_decl_result {
	enum rules_color color;   /* GREEN or RED */
	enum rules_reason reason; /* the first in priority order, NONE when green */
	unsigned reasons;         /* RULES_REASON_BIT of every reason that applies; 0 when green */
	int32_t day;              /* the declaration's day, copied from rules_decl.day */
};

/*
 * The color a declaration calls for (DESIGN §4 "On a declaration"): red, with
 *   SYMPTOMS          when any of the seven symptom bits is set;
 *   FEVER             when has_temperature and temperature_tenths >= conf->fever_tenths;
 *   CLOSE_CONTACT     when contact is declared;
 *   HIGH_RISK_TRAVEL  when a stay's city is one of areas[0..n_areas) and the stay
 *                     overlaps the window of the last observation_days local days,
 *                     today included: [day - (observation_days - 1), day];
 * green (NONE) otherwise. City matching and the window are explained in rules.c.
 * areas holds NUL-terminated city names (NULL entries are skipped); the caller owns it.
 * Returns 0 and fills *out, or -1 (out zeroed, color NONE) on a NULL pointer, an invalid
 * conf, d->day outside DAY_MIN..DAY_MAX, or travel/areas NULL with a non-zero
 * count.
 */
int rules_declaration(const struct rules_conf *conf, const struct rules_decl *d, const char *const *areas,
		      size_t n_areas, struct rules_decl_result *out);

/* What a declaration does to a code. */
struct rules_apply {
	enum rules_color color; /* the code's new color */
	bool start_observation; /* store start_day/until_day as the code's observation */
	int32_t start_day;      /* when start_observation: the declaration's day */
	int32_t until_day;      /* when start_observation: the base end to store */
};

/*
 * Applies a declaration's result r to a code whose color is `current`; cur is the
 * code's stored observation when current is RED (its reports are not read; NULL is
 * allowed and then counts as no observation).
 *  - A green declaration never lowers a code: the color stays `current` (RED stays RED
 *    with its observation untouched; a code without a color yet becomes GREEN).
 *  - A red declaration makes the code RED and starts an observation on its day, also on
 *    a code that is red already: a new exposure or a new symptom begins a new observation,
 *    just as a report with symptoms restarts one (DESIGN §4). The length is
 *    conf->observation_days, or the current observation's length when that is longer
 *    (an officer's longer order is never shortened by a restart), the same rule as a
 *    restart by a report in rules_conversion.
 * Returns 0 and fills *out, or -1 (out zeroed) on a NULL conf/r/out, an invalid conf,
 * r->day outside DAY_MIN..DAY_MAX or a color outside the enum.
 */
int rules_apply_declaration(const struct rules_conf *conf, enum rules_color current, const struct rules_obs *cur,
			    const struct rules_decl_result *r, struct rules_apply *out);

/* The end of an observation that starts on start_day: start_day + observation_days.
 * The code may turn green on that day at the earliest. Returns DAY_INVALID for
 * an invalid conf or a start_day outside DAY_MIN..DAY_MAX. */
int32_t rules_observation_until(const struct rules_conf *conf, int32_t start_day);

/* ---- daily reports and conversion to green ------------------------------ */

/* One daily health report (one per person per local day). A report always carries
 * a temperature: the report form requires it. */
struct rules_report {
	int32_t day;
	unsigned symptoms; /* RULES_SYM_* bits; other bits ignored */
	int temperature_tenths;
};

/* True when the report restarts an observation: a symptom bit, or a temperature at or
 * above conf->fever_tenths. False for NULL arguments. */
bool rules_report_restarts(const struct rules_conf *conf, const struct rules_report *r);

/* A red code's observation as stored. */
struct rules_obs {
	int32_t start_day;                  /* local day the observation (last) started */
	int32_t until_day;                  /* as stored: the BASE end, start_day + its length (observation_days,
	                      * or an officer's number of days); it never includes the missed-day
	                      * pushes, which are recomputed from the reports on every call */
	const struct rules_report *reports; /* sorted by day, ascending; NULL when n_reports == 0 */
	size_t n_reports;                   /* reports of other observations (before start_day) may be included */
};

struct rules_obs_out {
	int32_t start_day;      /* effective start: the stored one, or the day of a restart */
	int32_t base_until;     /* start_day + length, without the pushes: what to store */
	int32_t until_day;      /* effective end: base_until + missed_days */
	int missed_days;        /* days of this observation without a report, so far */
	bool restarted;         /* start_day/base_until differ from the stored ones: store them */
	bool today_done;        /* a report for `today` exists */
	bool report_due;        /* the code stays red and today's report is still to be filed */
	bool converts;          /* turn green now */
	int32_t earliest_green; /* the earliest day it can turn green if every report from now on
	                          * (today's included, unless filed) is filed on time and clean;
	                          * == today when converts */
};

/*
 * Conversion of a red code under observation to green, DESIGN §4, for the local day
 * `today`. The rule as implemented, with every decision, is spelled out in rules.c.
 * In short, with L = until_day - start_day (the length of the observation):
 *  - the latest report with symptoms or fever dated from start_day to today restarts the
 *    observation on its day, for max(L, conf->observation_days) days;
 *  - the observation's days so far are start_day .. today-1; today is never missed (it can
 *    still be filed) and the until day itself needs no report (it is the first free day);
 *  - each of those days without a report pushes the end one day later;
 *  - it converts when today >= the effective end and the latest report is clean.
 * Equivalently: the holder needs reports on L distinct days from the start; the code turns
 * green on the day after the L-th of them.
 * Returns 0 and fills *out, or -1 (out zeroed, converts false) on a NULL pointer, an invalid
 * conf, a day outside DAY_MIN..DAY_MAX, until_day < start_day, or reports not
 * sorted by day.
 */
int rules_conversion(const struct rules_conf *conf, const struct rules_obs *o, int32_t today,
		     struct rules_obs_out *out);

#endif
