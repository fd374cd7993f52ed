/* valid_id.h: pure validators and maskers for the application form (ID documents, name, phone, address, health; the photo: photo.h). */
#ifndef HQR_VALID_ID_H
#define HQR_VALID_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "day.h"

/*
 * Every function here is pure: no I/O, no clock, no allocation, no global
 * mutable state. Inputs are (pointer, length) pairs that need not be
 * NUL-terminated and may hold any bytes; outputs go to caller buffers and are
 * always NUL-terminated when the buffer has room for at least one byte. On an
 * error the output buffer holds the empty string. "today" is always passed in
 * as a local calendar date (y, m, d) by the caller. The document and phone
 * validators write out last, so out may be the input buffer (normalising in
 * place); for names, addresses, travel and masks out must not overlap in.
 */

/* Result of a validator. The code words (vid_err_word) are part of the API:
 * they are added at the end, never renamed, never reused. */
enum vid_err {
	VID_OK = 0,
	VID_ID_LENGTH,     /* wrong number of characters for the document */
	VID_ID_CHARS,      /* a character the document never holds */
	VID_ID_REGION,     /* resident ID: first two digits not a province code */
	VID_ID_BIRTH_DATE, /* resident ID: not a real date, before 1900 or after today */
	VID_ID_CHECKSUM,   /* ISO 7064 MOD 11-2 check character wrong */
	VID_ID_FORMAT,     /* right characters and length, wrong shape */
	VID_NAME_EMPTY,
	VID_NAME_LENGTH,
	VID_NAME_CHARS,
	VID_PHONE_FORMAT,
	VID_ADDRESS_LENGTH,
	VID_ADDRESS_CHARS,
	VID_PHOTO_TYPE, /* neither PNG nor a browser-decodable JPEG */
	VID_PHOTO_SIZE, /* empty or over max_bytes */
	VID_PHOTO_DIMENSIONS,
	VID_PHOTO_CORRUPT, /* right type, broken or truncated structure */
	VID_TEMPERATURE_RANGE,
	VID_TEMPERATURE_FORMAT,
	VID_TRAVEL_FORMAT, /* city text or date shape */
	VID_TRAVEL_DATES,  /* unreal date, from > to, outside the window, future */
	VID_SYMPTOMS_UNKNOWN,
	VID_SYMPTOMS_NONE_MIXED,
	VID_ID_TYPE,        /* id_type is not one of the five words */
	VID_SYMPTOMS_EMPTY, /* no word at all (use "none" to declare none) */
	VID__MAX
};

/* Stable code word of e ("OK", "ID_CHECKSUM", ...); "UNKNOWN" when out of range. */
const char *vid_err_word(enum vid_err e);
/* A short English sentence for e, for the error body's message. Never NULL. */
const char *vid_err_message(enum vid_err e);

/* ---- dates ------------------------------------------------------------- */

/* ---- identity documents ------------------------------------------------ */

enum vid_doc {
	VID_DOC_RESIDENT_ID = 0,      /* "resident_id" */
	VID_DOC_PASSPORT,             /* "passport" */
	VID_DOC_HK_MACAO_PERMIT,      /* "hk_macao_permit" */
	VID_DOC_TAIWAN_PERMIT,        /* "taiwan_permit" */
	VID_DOC_FOREIGN_PERMANENT_ID, /* "foreign_permanent_id" */
	VID_DOC__MAX
};

/* Longest normalised document number, and the buffer that holds it. */
#define VID_DOC_MAX 18
#define VID_DOC_BUF (VID_DOC_MAX + 1)

/* The document type named by the NUL-terminated word, or VID_DOC__MAX. NULL -> VID_DOC__MAX. */
enum vid_doc vid_doc_from_word(const char *id_type);
/* The word of a document type; NULL when out of range. */
const char *vid_doc_word(enum vid_doc t);
/* True when id_type (NUL-terminated, may be NULL) is one of the five words. */
bool vid_id_type_known(const char *id_type);

/*
 * Mainland resident ID number, 18 characters (GB 11643-1999). Spaces anywhere
 * are dropped and a lower-case x is read as X. Checks, in this order:
 * characters (ID_CHARS: digits, and X only last), length (ID_LENGTH; the
 * 15-digit first generation is refused), province code (ID_REGION), birth
 * date real, 1900-01-01 <= date <= today (ID_BIRTH_DATE), check character
 * (ID_CHECKSUM). Writes the normalised number to out on success.
 */
enum vid_err vid_resident_id(const char *in, size_t len, int ty, int tm, int td, char out[VID_DOC_BUF]);

/*
 * Any of the five documents by id_type (NUL-terminated word). Spaces are
 * dropped and letters upper-cased, then the number is checked against its
 * published shape (see valid_id.c for the exact rules). out receives the
 * normalised number; outmax must be at least VID_DOC_BUF for every valid
 * number to fit (a number that does not fit is refused with ID_LENGTH).
 */
enum vid_err vid_document(const char *id_type, const char *in, size_t len, int ty, int tm, int td, char *out,
			  size_t outmax);

/* ---- name, phone, address ---------------------------------------------- */

#define VID_NAME_MAX_CP 30
#define VID_NAME_BUF    (VID_NAME_MAX_CP * 4 + 1)

/*
 * A person's name as on the ID document: strict UTF-8; CJK ideographs
 * (including extensions and U+3007), Latin letters with accents (and
 * combining accents after a Latin letter), one space between Latin words,
 * name separators between letters: middle dot (U+00B7; U+30FB, U+FF65, U+2022
 * and U+2027 are accepted and written as U+00B7), hyphen (U+2010 written as
 * '-'), apostrophe (U+2019 written as '\''). Surrounding spaces (U+0020,
 * U+00A0, U+3000) are trimmed and inner runs between Latin words become one
 * U+0020. 1..30 code points after normalising. Anything else, including
 * digits, controls and invisible characters (zero-width, bidi, BOM), is
 * NAME_CHARS. out: at least VID_NAME_BUF bytes for every valid name to fit.
 */
enum vid_err vid_name(const char *in, size_t len, char *out, size_t outmax);

#define VID_PHONE_BUF 12
/*
 * Mainland mobile number: spaces and hyphens dropped, an optional +86, 0086
 * or 86 prefix, then 11 digits 1[3-9]xxxxxxxxx. out gets the 11 digits.
 */
enum vid_err vid_phone(const char *in, size_t len, char out[VID_PHONE_BUF]);

#define VID_ADDRESS_MIN_CP 4
#define VID_ADDRESS_MAX_CP 120
#define VID_ADDRESS_BUF    (VID_ADDRESS_MAX_CP * 4 + 1)
/*
 * A postal address: strict UTF-8, surrounding spaces trimmed, 4..120 code
 * points, no control, format (invisible), line-separator, private-use or
 * non-character code points (ADDRESS_CHARS). out: at least VID_ADDRESS_BUF.
 */
enum vid_err vid_address(const char *in, size_t len, char *out, size_t outmax);

/* ---- masking (for display; inputs are normalised values) --------------- */

/*
 * Each writes a NUL-terminated masked copy to out and returns its length in
 * bytes, or 0 (out = "") when the input is empty, not valid UTF-8, or the
 * result does not fit. A buffer of the input's size + 1 always suffices
 * for ids and phones; for names VID_NAME_BUF does.
 *  name:  CJK "张三" -> "张*", "张三丰" -> "张*丰", "欧阳娜娜" -> "欧**娜",
 *         a single character -> "*"; a name starting with a Latin letter ->
 *         that letter (with its combining accents) then "***".
 *  id:    resident ID and the 18-character foreign permanent ID: first 3 and
 *         last 4 visible ("110***********123X"); other documents: first 1
 *         and last 2 ("E******78"); 3 characters or fewer: all '*'.
 *  phone: first 3 and last 4 ("138****5678"); under 8 characters: all '*'.
 */
size_t vid_mask_name(const char *name, size_t len, char *out, size_t outmax);
size_t vid_mask_id(enum vid_doc t, const char *id, size_t len, char *out, size_t outmax);
size_t vid_mask_phone(const char *phone, size_t len, char *out, size_t outmax);

/* ---- health declaration ------------------------------------------------- */

#define VID_TEMP_MIN_TENTHS 340
#define VID_TEMP_MAX_TENTHS 430

/*
 * A body temperature in degrees Celsius as text: digits, then optionally '.'
 * and one or two digits ("36.5", "37", "36.55"). Two decimals are rounded
 * half up to tenths ("37.25" -> 373). Signs, spaces, exponents, hex, commas,
 * "nan" and "inf" are TEMPERATURE_FORMAT; a value outside 34.0..43.0 after
 * rounding is TEMPERATURE_RANGE. *tenths gets e.g. 365 on success.
 */
enum vid_err vid_temperature(const char *in, size_t len, int *tenths);
/* The same for a JSON number: not finite -> FORMAT; rounded as the text form. */
enum vid_err vid_temperature_value(double v, int *tenths);

/* Symptom bits. VID_SYM_NONE is a declared "none", distinct from no answer. */
enum vid_sym {
	VID_SYM_FEVER = 1u << 0,
	VID_SYM_COUGH = 1u << 1,
	VID_SYM_SORE_THROAT = 1u << 2,
	VID_SYM_FATIGUE = 1u << 3,
	VID_SYM_SHORTNESS_OF_BREATH = 1u << 4,
	VID_SYM_DIARRHEA = 1u << 5,
	VID_SYM_LOSS_OF_TASTE_OR_SMELL = 1u << 6,
	VID_SYM_NONE = 1u << 7
};
#define VID_SYM_ANY   0x7Fu /* every real symptom bit */
#define VID_SYM_COUNT 8     /* words, "none" included */

/* The word of the i-th bit (0..VID_SYM_COUNT-1), or NULL. */
const char *vid_symptom_word(unsigned bit_index);
/*
 * Adds one word (exact, lower case, no spaces) to *mask. A repeated word is
 * ignored (a set, so ["cough","cough"] is accepted as cough); "none" with any
 * other word, in either order, is SYMPTOMS_NONE_MIXED; any other word is
 * SYMPTOMS_UNKNOWN. *mask is unchanged on error. Use it for a JSON array.
 */
enum vid_err vid_symptom_add(unsigned *mask, const char *word, size_t len);
/*
 * A comma-separated list ("cough, fatigue" or "none"): ASCII spaces around
 * each word are dropped; an empty item ("a,,b", trailing comma) is
 * SYMPTOMS_UNKNOWN; no word at all is SYMPTOMS_EMPTY. *mask = 0 on error.
 */
enum vid_err vid_symptoms(const char *in, size_t len, unsigned *mask);

/* ---- travel ------------------------------------------------------------- */

#define VID_CITY_MAX_CP        40
#define VID_CITY_BUF           (VID_CITY_MAX_CP * 4 + 1)
#define VID_TRAVEL_WINDOW_DAYS 14

struct vid_date {
	int y, m, d;
};

struct vid_travel {
	char city[VID_CITY_BUF]; /* trimmed UTF-8 */
	struct vid_date from, to;
	long from_day, to_day; /* day_from_ymd of from and to */
};

/*
 * One entry of the travel list (the caller parses the JSON): city is UTF-8
 * text of 1..40 code points after trimming, with the same character rules as
 * an address (TRAVEL_FORMAT); from and to are exactly "YYYY-MM-DD"
 * (TRAVEL_FORMAT otherwise). TRAVEL_DATES when a date is not real, from > to,
 * to is after today, or the trip ended before the window: it must touch
 * [today - window_days, today] (a trip that began earlier and ended inside
 * the window is accepted). window_days < 0 is taken as 0. out may be NULL.
 */
enum vid_err vid_travel_entry(const char *city, size_t city_len, const char *from, size_t from_len, const char *to,
			      size_t to_len, int ty, int tm, int td, int window_days, struct vid_travel *out);

#endif
