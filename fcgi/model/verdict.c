/* verdict.c: a scan's verdict at a checkpoint (DESIGN §6) as one pure function, and its words. */
#include "verdict.h"

#include <string.h>

static const char *const verdict_words[] = {
	[VERDICT_ALLOW] = "allow",
	[VERDICT_DENY] = "deny",
	[VERDICT_REGISTER] = "register",
	[VERDICT_NEED_TEMPERATURE] = NULL, /* never in an answer: the caller replies 422 */
};
_Static_assert(sizeof verdict_words / sizeof verdict_words[0] == VERDICT__MAX, "one word per verdict");

static const char *const reason_words[] = {
	[VERDICT_REASON_NO_VALID_CODE] = "NO_VALID_CODE",
	[VERDICT_REASON_EXPIRED_CODE] = "EXPIRED_CODE",
	[VERDICT_REASON_RED_CODE] = "RED_CODE",
	[VERDICT_REASON_FEVER] = "FEVER",
	[VERDICT_REASON_VISITOR_REGISTRATION] = "VISITOR_REGISTRATION",
};
_Static_assert(sizeof reason_words / sizeof reason_words[0] == VERDICT_REASON__MAX, "one word per reason");

static const char *const check_words[] = {
	[VERDICT_CHECK_ID_DOCUMENT] = "ID_DOCUMENT",
	[VERDICT_CHECK_TEMPERATURE] = "TEMPERATURE",
};
_Static_assert(sizeof check_words / sizeof check_words[0] == VERDICT_CHECK__MAX, "one word per check");

static const char *const token_words[] = {
	[VERDICT_TOKEN_OK] = "OK",
	[VERDICT_TOKEN_UNPARSABLE] = "UNPARSABLE",
	[VERDICT_TOKEN_BAD_MAC] = "BAD_MAC",
	[VERDICT_TOKEN_UNKNOWN_PERSON] = "UNKNOWN_PERSON",
	[VERDICT_TOKEN_STALE] = "STALE",
	[VERDICT_TOKEN_FUTURE] = "FUTURE",
	[VERDICT_TOKEN_SUPERSEDED_SERIAL] = "SUPERSEDED_SERIAL",
};
_Static_assert(sizeof token_words / sizeof token_words[0] == VERDICT_TOKEN__MAX, "one word per token state");

static const char *const direction_words[] = {
	[VERDICT_DIR_IN] = "in",
	[VERDICT_DIR_OUT] = "out",
};
_Static_assert(sizeof direction_words / sizeof direction_words[0] == VERDICT_DIR__MAX, "one word per direction");

static const char *const cp_kind_words[] = {
	[VERDICT_CP_COMMUNITY] = "community",
	[VERDICT_CP_PUBLIC_PLACE] = "public_place",
	[VERDICT_CP_TRANSPORT] = "transport",
};
_Static_assert(sizeof cp_kind_words / sizeof cp_kind_words[0] == VERDICT_CP__MAX, "one word per checkpoint kind");

/* One row per checkpoint type: its word and the kind it belongs to. */
static const struct {
	const char *word;
	enum verdict_cp_kind kind;
} cp_types[] = {
	[VERDICT_CPT_COMMUNITY] = { "community", VERDICT_CP_COMMUNITY },
	[VERDICT_CPT_SCHOOL] = { "school", VERDICT_CP_PUBLIC_PLACE },
	[VERDICT_CPT_HOSPITAL] = { "hospital", VERDICT_CP_PUBLIC_PLACE },
	[VERDICT_CPT_AIRPORT] = { "airport", VERDICT_CP_PUBLIC_PLACE },
	[VERDICT_CPT_STATION] = { "station", VERDICT_CP_PUBLIC_PLACE },
	[VERDICT_CPT_MALL] = { "mall", VERDICT_CP_PUBLIC_PLACE },
	[VERDICT_CPT_SUPERMARKET] = { "supermarket", VERDICT_CP_PUBLIC_PLACE },
	[VERDICT_CPT_MARKET] = { "market", VERDICT_CP_PUBLIC_PLACE },
	[VERDICT_CPT_ATTRACTION] = { "attraction", VERDICT_CP_PUBLIC_PLACE },
	[VERDICT_CPT_HOTEL] = { "hotel", VERDICT_CP_PUBLIC_PLACE },
	[VERDICT_CPT_BANK] = { "bank", VERDICT_CP_PUBLIC_PLACE },
	[VERDICT_CPT_BUS] = { "bus", VERDICT_CP_TRANSPORT },
	[VERDICT_CPT_SUBWAY] = { "subway", VERDICT_CP_TRANSPORT },
	[VERDICT_CPT_TOURIST_LINE] = { "tourist_line", VERDICT_CP_TRANSPORT },
	[VERDICT_CPT_COACH] = { "coach", VERDICT_CP_TRANSPORT },
	[VERDICT_CPT_TAXI] = { "taxi", VERDICT_CP_TRANSPORT },
	[VERDICT_CPT_RIDE_HAILING] = { "ride_hailing", VERDICT_CP_TRANSPORT },
};
_Static_assert(sizeof cp_types / sizeof cp_types[0] == VERDICT_CPT__MAX, "one row per checkpoint type");

const char *verdict_word(enum verdict v)
{
	return (unsigned)v < VERDICT__MAX ? verdict_words[v] : NULL;
}

const char *verdict_reason_word(enum verdict_reason r)
{
	return (unsigned)r < VERDICT_REASON__MAX ? reason_words[r] : NULL;
}

const char *verdict_check_word(enum verdict_check c)
{
	return (unsigned)c < VERDICT_CHECK__MAX ? check_words[c] : NULL;
}

const char *verdict_token_word(enum verdict_token t)
{
	return (unsigned)t < VERDICT_TOKEN__MAX ? token_words[t] : NULL;
}

const char *verdict_direction_word(enum verdict_direction d)
{
	return (unsigned)d < VERDICT_DIR__MAX ? direction_words[d] : NULL;
}

const char *verdict_cp_kind_word(enum verdict_cp_kind k)
{
	return (unsigned)k < VERDICT_CP__MAX ? cp_kind_words[k] : NULL;
}

const char *verdict_cp_type_word(enum verdict_cp_type t)
{
	return (unsigned)t < VERDICT_CPT__MAX ? cp_types[t].word : NULL;
}

enum verdict_cp_kind verdict_cp_type_kind(enum verdict_cp_type t)
{
	return (unsigned)t < VERDICT_CPT__MAX ? cp_types[t].kind : VERDICT_CP__MAX;
}

static bool word_is(const char *w, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(w, word, len) == 0;
}

enum verdict_direction verdict_direction_from_word(const char *w, size_t len)
{
	for (int i = 0; w != NULL && i < VERDICT_DIR__MAX; i++)
		if (word_is(w, len, direction_words[i]))
			return (enum verdict_direction)i;
	return VERDICT_DIR__MAX;
}

enum verdict_cp_kind verdict_cp_kind_from_word(const char *w, size_t len)
{
	for (int i = 0; w != NULL && i < VERDICT_CP__MAX; i++)
		if (word_is(w, len, cp_kind_words[i]))
			return (enum verdict_cp_kind)i;
	return VERDICT_CP__MAX;
}

enum verdict_cp_type verdict_cp_type_from_word(const char *w, size_t len)
{
	for (int i = 0; w != NULL && i < VERDICT_CPT__MAX; i++)
		if (word_is(w, len, cp_types[i].word))
			return (enum verdict_cp_type)i;
	return VERDICT_CPT__MAX;
}

/* Sets the answer; returns it for the caller's tail call. */
static enum verdict answer(struct verdict_out *out, int row, enum verdict v, unsigned reasons)
{
	out->row = row;
	out->verdict = v;
	out->reasons = reasons;
	out->needs_temperature = v == VERDICT_NEED_TEMPERATURE;
	return v;
}

int verdict_direction(int cp_type, int direction)
{
	/* Taxis and ride-hailing scan before the car moves: always an entry (and traced as one). */
	if (cp_type == VERDICT_CPT_TAXI || cp_type == VERDICT_CPT_RIDE_HAILING)
		return VERDICT_DIR_IN;
	return direction;
}

/* True when every input the rows read lies inside its enum. The kind and color are
 * read only for an OK token (the kind also for a STALE one, where any value is safe:
 * only PAPER changes the reason). */
static bool inputs_known(const struct verdict_in *in, int fever_tenths)
{
	if ((unsigned)in->token >= VERDICT_TOKEN__MAX || (unsigned)in->direction >= VERDICT_DIR__MAX ||
	    (unsigned)in->cp_kind >= VERDICT_CP__MAX || (unsigned)in->cp_type >= VERDICT_CPT__MAX ||
	    fever_tenths < RULES_FEVER_TENTHS_MIN || fever_tenths > RULES_FEVER_TENTHS_MAX)
		return false;
	if (in->token == VERDICT_TOKEN_OK && ((in->kind != VERDICT_KIND_PHONE && in->kind != VERDICT_KIND_PAPER) ||
					      (in->color != RULES_COLOR_GREEN && in->color != RULES_COLOR_RED)))
		return false;
	return true;
}

enum verdict verdict_decide(const struct verdict_in *in, int fever_tenths, struct verdict_out *out)
{
	unsigned reasons = 0;
	bool entering;

	if (out == NULL)
		return VERDICT_DENY;
	*out = (struct verdict_out){ 0 };
	if (in == NULL || !inputs_known(in, fever_tenths))
		return answer(out, 0, VERDICT_DENY, VERDICT_REASON_BIT(VERDICT_REASON_NO_VALID_CODE));

	/* 1. No valid code: denied whatever the direction or temperature. */
	if (in->token != VERDICT_TOKEN_OK) {
		enum verdict_reason r = in->token == VERDICT_TOKEN_STALE && in->kind != VERDICT_KIND_PAPER
					    ? VERDICT_REASON_EXPIRED_CODE
					    : VERDICT_REASON_NO_VALID_CODE;

		return answer(out, 1, VERDICT_DENY, VERDICT_REASON_BIT(r));
	}

	/* 2. Leaving is always allowed, red or feverish; a taxi or ride-hailing scan is made
	 *    before the car moves and is always an entry. */
	entering = verdict_direction(in->cp_type, in->direction) == VERDICT_DIR_IN;
	if (!entering)
		return answer(out, 2, VERDICT_ALLOW, 0);

	/* 3. An entry needs a temperature; at a place code the door's staff take it. */
	if (in->temperature_at_door)
		out->checks |= VERDICT_CHECK_BIT(VERDICT_CHECK_TEMPERATURE);
	else if (!in->has_temperature)
		return answer(out, 3, VERDICT_NEED_TEMPERATURE, 0);

	/* 4. Red code, fever: both listed when both hold. */
	if (in->color == RULES_COLOR_RED)
		reasons |= VERDICT_REASON_BIT(VERDICT_REASON_RED_CODE);
	if (in->has_temperature && in->temperature_tenths >= fever_tenths)
		reasons |= VERDICT_REASON_BIT(VERDICT_REASON_FEVER);
	if (reasons)
		return answer(out, 4, VERDICT_DENY, reasons);

	/* 6's check rides along with 5: a paper code is only valid with the ID card. */
	if (in->kind == VERDICT_KIND_PAPER)
		out->checks |= VERDICT_CHECK_BIT(VERDICT_CHECK_ID_DOCUMENT);

	/* 5. A community lets in its residents and registered visitors. */
	if (in->cp_kind == VERDICT_CP_COMMUNITY && !in->is_resident) {
		if (!in->has_visitor_registration)
			return answer(out, 5, VERDICT_REGISTER,
				      VERDICT_REASON_BIT(VERDICT_REASON_VISITOR_REGISTRATION));
		out->visitor_registered = true;
		return answer(out, 5, VERDICT_ALLOW, 0);
	}

	/* 6. A paper code: allowed, staff compare the masked name and ID with the card. */
	if (in->kind == VERDICT_KIND_PAPER)
		return answer(out, 6, VERDICT_ALLOW, 0);

	/* 7. Everything else. */
	return answer(out, 7, VERDICT_ALLOW, 0);
}
