/* rules.c: code colors, declarations, observation and conversion to green (DESIGN §4), pure. */
#include "rules.h"
#include "cclass.h"

#include <string.h>

/* ---- vocabulary --------------------------------------------------------- */

static const char *const color_words[] = {
	[RULES_COLOR_NONE] = "none",
	[RULES_COLOR_GREEN] = "green",
	[RULES_COLOR_RED] = "red",
};
_Static_assert(sizeof color_words / sizeof color_words[0] == RULES_COLOR_RED + 1, "one word per color");

static const char *const reason_words[] = {
	[RULES_REASON_NONE] = "NONE",
	[RULES_REASON_SYMPTOMS] = "SYMPTOMS",
	[RULES_REASON_FEVER] = "FEVER",
	[RULES_REASON_CLOSE_CONTACT] = "CLOSE_CONTACT",
	[RULES_REASON_HIGH_RISK_TRAVEL] = "HIGH_RISK_TRAVEL",
};
_Static_assert(sizeof reason_words / sizeof reason_words[0] == RULES_REASON__MAX, "one word per reason");

/* Indexed by bit position: symptom_words[i] is the word of (1u << i). */
static const char *const symptom_words[RULES_SYM_COUNT] = {
	"fever", "cough", "sore_throat", "fatigue", "shortness_of_breath", "diarrhea", "loss_of_taste_or_smell",
};
_Static_assert(RULES_SYM_ALL == (1u << RULES_SYM_COUNT) - 1, "seven contiguous symptom bits");
_Static_assert(RULES_SYM_LOSS_OF_TASTE_OR_SMELL == 1u << (RULES_SYM_COUNT - 1), "the word table follows the bits");

const char *rules_color_word(enum rules_color c)
{
	return (unsigned)c <= RULES_COLOR_RED ? color_words[c] : NULL;
}

const char *rules_reason_word(enum rules_reason r)
{
	return (unsigned)r < RULES_REASON__MAX ? reason_words[r] : NULL;
}

const char *rules_symptom_word(unsigned bit)
{
	for (unsigned i = 0; i < RULES_SYM_COUNT; i++)
		if (bit == 1u << i)
			return symptom_words[i];
	return NULL;
}

bool rules_symptom_from_word(const char *w, size_t len, unsigned *bit)
{
	if (w == NULL || bit == NULL)
		return false;
	if (len == 4 && memcmp(w, "none", 4) == 0) {
		*bit = 0;
		return true;
	}
	for (unsigned i = 0; i < RULES_SYM_COUNT; i++) {
		if (strlen(symptom_words[i]) == len && memcmp(w, symptom_words[i], len) == 0) {
			*bit = 1u << i;
			return true;
		}
	}
	return false;
}

/* ---- configuration ------------------------------------------------------ */

bool rules_conf_valid(const struct rules_conf *conf)
{
	return conf != NULL && conf->fever_tenths >= RULES_FEVER_TENTHS_MIN &&
	       conf->fever_tenths <= RULES_FEVER_TENTHS_MAX && conf->observation_days >= RULES_OBSERVATION_DAYS_MIN &&
	       conf->observation_days <= RULES_OBSERVATION_DAYS_MAX;
}

/* ---- a declaration ------------------------------------------------------ */

/*
 * City matching. Names are compared after dropping ASCII spaces and tabs around
 * them, ASCII letters without regard to case ("wuhan" = "Wuhan"), and one trailing
 * "市" ("city", U+5E02) dropped from either side ("武汉市" = "武汉"), because people
 * write a city both ways. Everything else must be byte-equal: no district is matched
 * to its city ("武汉市江汉区" is not "武汉"); the risk-area list and the client's city
 * picker use the same names. An empty name never matches.
 */
static void city_span(const char *s, const char **b, size_t *n)
{
	size_t len = strlen(s);

	while (len > 0 && cc_ows(*s))
		s++, len--;
	while (len > 0 && cc_ows(s[len - 1]))
		len--;
	if (len > 3 && memcmp(s + len - 3, "\xe5\xb8\x82", 3) == 0) {
		len -= 3;
		while (len > 0 && cc_ows(s[len - 1]))
			len--;
	}
	*b = s;
	*n = len;
}

static bool city_eq(const char *a, const char *b)
{
	const char *pa, *pb;
	size_t na, nb;

	if (a == NULL || b == NULL)
		return false;
	city_span(a, &pa, &na);
	city_span(b, &pb, &nb);
	if (na == 0 || na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (cc_tolower((unsigned char)pa[i]) != cc_tolower((unsigned char)pb[i]))
			return false;
	return true;
}

/*
 * The travel window. DESIGN: "the travel of the last 14 days touches a listed
 * high-risk area". The window is the last observation_days local days, the
 * declaration's day included: [day - (observation_days - 1), day], 14 days. A
 * stay counts when it overlaps the window (from <= day and to >= day - 13).
 * Why not 15 days: had the holder been put under observation on the last day E of
 * the stay, the code could turn green on E + 14; a declaration on E + 14 therefore
 * leaves that stay out, and one on E + 13 still counts it. The window follows
 * observation_days (the same incubation period) rather than a constant 14.
 * A stay that begins after the declaration's day is not travel of the last days and
 * does not count. (vid_travel_entry accepts entries that end on day - 14: such an
 * entry is kept with the declaration but no longer turns the code red.)
 */
static bool stay_in_window(const struct rules_travel *t, int64_t day, int64_t days)
{
	int64_t from = t->from_day, to = t->to_day;

	if (from > to) {
		int64_t x = from;
		from = to;
		to = x;
	}
	return from <= day && to >= day - (days - 1);
}

static bool travel_hits(const struct rules_decl *d, int days, const char *const *areas, size_t n_areas)
{
	for (size_t i = 0; i < d->n_travel; i++) {
		const struct rules_travel *t = &d->travel[i];

		if (t->city == NULL || !stay_in_window(t, d->day, days))
			continue;
		for (size_t j = 0; j < n_areas; j++)
			if (city_eq(t->city, areas[j]))
				return true;
	}
	return false;
}

int rules_declaration(const struct rules_conf *conf, const struct rules_decl *d, const char *const *areas,
		      size_t n_areas, struct rules_decl_result *out)
{
	unsigned reasons = 0;

	if (out == NULL)
		return -1;
	*out = (struct rules_decl_result){ 0 };
	if (!rules_conf_valid(conf) || d == NULL || !day_ok(d->day) || (d->n_travel > 0 && d->travel == NULL) ||
	    (n_areas > 0 && areas == NULL))
		return -1;

	if (d->symptoms & RULES_SYM_ALL)
		reasons |= RULES_REASON_BIT(RULES_REASON_SYMPTOMS);
	if (d->has_temperature && d->temperature_tenths >= conf->fever_tenths)
		reasons |= RULES_REASON_BIT(RULES_REASON_FEVER);
	if (d->contact)
		reasons |= RULES_REASON_BIT(RULES_REASON_CLOSE_CONTACT);
	if (travel_hits(d, conf->observation_days, areas, n_areas))
		reasons |= RULES_REASON_BIT(RULES_REASON_HIGH_RISK_TRAVEL);

	out->day = d->day;
	out->reasons = reasons;
	out->color = reasons ? RULES_COLOR_RED : RULES_COLOR_GREEN;
	out->reason = RULES_REASON_NONE;
	for (int r = RULES_REASON_NONE + 1; r < RULES_REASON__MAX; r++) {
		if (reasons & RULES_REASON_BIT(r)) {
			out->reason = (enum rules_reason)r;
			break;
		}
	}
	return 0;
}

/* The length of a (re)started observation: the configured one, or the current one when
 * longer (an officer may have ordered more days; a restart never shortens them). */
static int64_t restart_length(const struct rules_conf *conf, int64_t cur_len)
{
	return cur_len > conf->observation_days ? cur_len : conf->observation_days;
}

int rules_apply_declaration(const struct rules_conf *conf, enum rules_color current, const struct rules_obs *cur,
			    const struct rules_decl_result *r, struct rules_apply *out)
{
	int64_t len;

	if (out == NULL)
		return -1;
	*out = (struct rules_apply){ 0 };
	if (!rules_conf_valid(conf) || r == NULL || !day_ok(r->day) || (unsigned)current > RULES_COLOR_RED ||
	    (r->color != RULES_COLOR_GREEN && r->color != RULES_COLOR_RED))
		return -1;

	out->start_day = DAY_INVALID;
	out->until_day = DAY_INVALID;
	if (r->color != RULES_COLOR_RED) {
		/* Never lowers: green on green, red stays red, no color yet becomes green. */
		out->color = current == RULES_COLOR_NONE ? RULES_COLOR_GREEN : current;
		return 0;
	}
	len = conf->observation_days;
	/* An observation stored with unreal days is not trusted for its length. */
	if (current == RULES_COLOR_RED && cur != NULL && day_ok(cur->start_day) && day_ok(cur->until_day) &&
	    cur->until_day >= cur->start_day)
		len = restart_length(conf, (int64_t)cur->until_day - cur->start_day);
	out->color = RULES_COLOR_RED;
	out->start_observation = true;
	out->start_day = r->day;
	out->until_day = (int32_t)(r->day + len);
	return 0;
}

int32_t rules_observation_until(const struct rules_conf *conf, int32_t start_day)
{
	if (!rules_conf_valid(conf) || !day_ok(start_day))
		return DAY_INVALID;
	return start_day + conf->observation_days;
}

/* ---- daily reports and conversion to green ------------------------------ */

bool rules_report_restarts(const struct rules_conf *conf, const struct rules_report *r)
{
	if (conf == NULL || r == NULL)
		return false;
	return (r->symptoms & RULES_SYM_ALL) != 0 || r->temperature_tenths >= conf->fever_tenths;
}

/*
 * DESIGN §4, "Conversion to green", as implemented here. L is the length of the
 * observation, until_day - start_day as stored (observation_days, or an officer's days).
 *
 * 1. Restart. Every report dated start_day..today with a symptom or a temperature at or
 *    above the threshold restarts the observation from its date; only the latest such
 *    report matters, so: start = its day, L = max(L, observation_days) (never shorter
 *    than an officer's longer order, never shorter than the configured period),
 *    base_until = start + L, and missed days are counted afresh from the new start.
 *    A report on the restart day is itself the first report of the new observation.
 *    Reports dated before start_day belong to an earlier observation and are ignored;
 *    reports dated after today (bad clocks, bad data) are ignored everywhere.
 *    Reports filed after the day the code could have turned green still count (a fever
 *    is never ignored because the daily job has not run yet).
 *
 * 2. The days of the observation "so far" are start .. today - 1: the start day
 *    included (a code that turns red on day S needs a report on S), today excluded
 *    (today's report can still be filed until midnight, so today is never missed;
 *    it is not required for today's conversion either). The observation's own days
 *    are start .. until - 1: the until day is the first day off observation and needs
 *    no report. So a code red on D with a report on each of D .. D+13 turns green on
 *    D+14 at 00:00 (the daily job or the first read, whichever comes first), without a
 *    report on D+14 and not a day before.
 *
 * 3. Missed days. Walking the days from the start, each day without a report pushes
 *    the end one day later; a day counts only while it is before the end pushed so
 *    far, i.e. until L reports have been filed. Equivalently: the holder needs reports
 *    on L distinct days from the start, and
 *      - with k >= L reports on days start .. today - 1, until = (the L-th one's day) + 1
 *        and missed = until - start - L (the gaps before the L-th report);
 *      - otherwise missed = (today - start) - k (every unreported day so far) and
 *        until = base_until + missed, which is after today.
 *    Missed days cannot be filed late: a report is always for the day it is filed.
 *
 * 4. Conversion when today >= until and the latest report (start .. today) has no
 *    symptom and a temperature under the threshold (after step 1 a latest report that
 *    fails this is the restart report itself; the test is kept as a guard). An
 *    observation of L = 0 days (an officer's order) converts on its start day without
 *    a report. A clean report filed on the until day does not hold the conversion
 *    back; one with symptoms or fever restarts the observation from that day.
 *
 * 5. earliest_green assumes every report from today on is filed on its day (today's
 *    included when not filed yet) and is clean: it is today when it converts now,
 *    else max(today, start) + (L - k) while reports are missing; when k >= L it is
 *    today (only a clean report today is missing).
 *
 * The stored until_day must be the base end (without pushes); the pushes are
 * recomputed from the reports on every call, so calling this again with the same
 * inputs, or with the restart stored, gives the same answer.
 */
int rules_conversion(const struct rules_conf *conf, const struct rules_obs *o, int32_t today, struct rules_obs_out *out)
{
	int64_t start, len, until, missed, k = 0, lth = 0, prev = INT64_MIN, earliest;
	const struct rules_report *latest = NULL;
	bool today_done = false;

	if (out == NULL)
		return -1;
	*out = (struct rules_obs_out){ 0 };
	if (!rules_conf_valid(conf) || o == NULL || !day_ok(o->start_day) || !day_ok(o->until_day) || !day_ok(today) ||
	    o->until_day < o->start_day || (o->n_reports > 0 && o->reports == NULL))
		return -1;
	for (size_t i = 1; i < o->n_reports; i++)
		if (o->reports[i].day < o->reports[i - 1].day)
			return -1;

	/* 1. The latest restarting report of this observation, up to today. */
	start = o->start_day;
	len = (int64_t)o->until_day - o->start_day;
	for (size_t i = o->n_reports; i > 0; i--) {
		const struct rules_report *r = &o->reports[i - 1];

		if (r->day > today)
			continue;
		if (r->day < start)
			break;
		if (rules_report_restarts(conf, r)) {
			start = r->day;
			len = restart_length(conf, len);
			break;
		}
	}

	/* 2, 3. Distinct report days from start to yesterday, and the L-th of them. */
	for (size_t i = 0; i < o->n_reports; i++) {
		const struct rules_report *r = &o->reports[i];

		if (r->day < start || r->day > today)
			continue;
		latest = r;
		if (r->day == today) {
			today_done = true;
			continue;
		}
		if (r->day == prev)
			continue;
		prev = r->day;
		if (++k == len)
			lth = r->day;
	}
	if (len == 0) {
		until = start;
		missed = 0;
	} else if (k >= len) {
		until = lth + 1;
		missed = until - start - len;
	} else {
		missed = today > start ? (today - start) - k : 0;
		until = start + len + missed;
	}

	/* 4. Conversion. */
	out->converts = today >= until && (latest == NULL || !rules_report_restarts(conf, latest));

	/* 5. The earliest day to turn green. */
	if (out->converts)
		earliest = today;
	else if (k >= len)
		earliest = today > start ? today : start;
	else
		earliest = (today > start ? today : start) + (len - k);

	out->start_day = (int32_t)start;
	out->base_until = (int32_t)(start + len);
	out->until_day = (int32_t)until;
	out->missed_days = (int)missed;
	out->restarted = start != o->start_day || start + len != o->until_day;
	out->today_done = today_done;
	out->report_due = !out->converts && !today_done && today >= start;
	out->earliest_green = (int32_t)earliest;
	return 0;
}
