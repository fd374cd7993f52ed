/* valid_id.c: pure validators and maskers for the application form (ID documents, name, phone, address, health; the photo: photo.c). */
#include "valid_id.h"
#include "cclass.h"
#include "label.h"
#include "trim.h"
#include "utf8.h"
#include "rules.h"

#include <math.h>
#include <string.h>

/*
 * Everything here is a pure function of its arguments: only static const
 * tables, no clock, no allocation, no errno. Safe to call from any thread.
 */

/* ---- error words -------------------------------------------------------- */

static const char *const err_words[VID__MAX] = {
	[VID_OK] = "OK",
	[VID_ID_LENGTH] = "ID_LENGTH",
	[VID_ID_CHARS] = "ID_CHARS",
	[VID_ID_REGION] = "ID_REGION",
	[VID_ID_BIRTH_DATE] = "ID_BIRTH_DATE",
	[VID_ID_CHECKSUM] = "ID_CHECKSUM",
	[VID_ID_FORMAT] = "ID_FORMAT",
	[VID_NAME_EMPTY] = "NAME_EMPTY",
	[VID_NAME_LENGTH] = "NAME_LENGTH",
	[VID_NAME_CHARS] = "NAME_CHARS",
	[VID_PHONE_FORMAT] = "PHONE_FORMAT",
	[VID_ADDRESS_LENGTH] = "ADDRESS_LENGTH",
	[VID_ADDRESS_CHARS] = "ADDRESS_CHARS",
	[VID_PHOTO_TYPE] = "PHOTO_TYPE",
	[VID_PHOTO_SIZE] = "PHOTO_SIZE",
	[VID_PHOTO_DIMENSIONS] = "PHOTO_DIMENSIONS",
	[VID_PHOTO_CORRUPT] = "PHOTO_CORRUPT",
	[VID_TEMPERATURE_RANGE] = "TEMPERATURE_RANGE",
	[VID_TEMPERATURE_FORMAT] = "TEMPERATURE_FORMAT",
	[VID_TRAVEL_FORMAT] = "TRAVEL_FORMAT",
	[VID_TRAVEL_DATES] = "TRAVEL_DATES",
	[VID_SYMPTOMS_UNKNOWN] = "SYMPTOMS_UNKNOWN",
	[VID_SYMPTOMS_NONE_MIXED] = "SYMPTOMS_NONE_MIXED",
	[VID_ID_TYPE] = "ID_TYPE",
	[VID_SYMPTOMS_EMPTY] = "SYMPTOMS_EMPTY",
};
static const char *const err_messages[VID__MAX] = {
	[VID_OK] = "ok",
	[VID_ID_LENGTH] = "the document number has the wrong length",
	[VID_ID_CHARS] = "the document number holds a character it never holds",
	[VID_ID_REGION] = "the ID number does not start with a province code",
	[VID_ID_BIRTH_DATE] = "the birth date in the ID number is not a real past date",
	[VID_ID_CHECKSUM] = "the check character of the number does not match",
	[VID_ID_FORMAT] = "the document number does not have the document's format",
	[VID_NAME_EMPTY] = "the name is empty",
	[VID_NAME_LENGTH] = "the name is longer than 30 characters",
	[VID_NAME_CHARS] = "the name holds a character a name on an ID document does not",
	[VID_PHONE_FORMAT] = "not a mainland mobile number",
	[VID_ADDRESS_LENGTH] = "the address must be 4 to 120 characters",
	[VID_ADDRESS_CHARS] = "the address holds control or invisible characters",
	[VID_PHOTO_TYPE] = "the photo must be a JPEG or PNG image",
	[VID_PHOTO_SIZE] = "the photo is empty or too large",
	[VID_PHOTO_DIMENSIONS] = "the photo's width or height is out of range",
	[VID_PHOTO_CORRUPT] = "the photo is damaged or incomplete",
	[VID_TEMPERATURE_RANGE] = "the temperature must be between 34.0 and 43.0",
	[VID_TEMPERATURE_FORMAT] = "the temperature must be a number like 36.5",
	[VID_TRAVEL_FORMAT] = "a travel entry needs a city and dates as YYYY-MM-DD",
	[VID_TRAVEL_DATES] = "travel dates must be real, in order, within the last 14 days",
	[VID_SYMPTOMS_UNKNOWN] = "unknown symptom",
	[VID_SYMPTOMS_NONE_MIXED] = "\"none\" cannot be declared with a symptom",
	[VID_ID_TYPE] = "unknown document type",
	[VID_SYMPTOMS_EMPTY] = "declare symptoms, or \"none\"",
};
const char *vid_err_word(enum vid_err e)
{
	if ((unsigned)e >= VID__MAX)
		return "UNKNOWN";
	return err_words[e];
}

const char *vid_err_message(enum vid_err e)
{
	if ((unsigned)e >= VID__MAX)
		return "unknown error";
	return err_messages[e];
}

/* ---- small helpers ------------------------------------------------------ */

static void out_clear(char *out, size_t outmax)
{
	if (out != NULL && outmax > 0)
		out[0] = '\0';
}

static size_t u8_len(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* Appends cp to out[*o..]; keeps room for the NUL. Returns 0 or -1 (no room). */
static int u8_put(char *out, size_t outmax, size_t *o, uint32_t cp)
{
	size_t l = u8_len(cp);
	unsigned char *p;

	if (outmax == 0 || *o + l > outmax - 1)
		return -1;
	p = (unsigned char *)out + *o;
	switch (l) {
	case 1: p[0] = (unsigned char)cp; break;
	case 2:
		p[0] = (unsigned char)(0xC0 | (cp >> 6));
		p[1] = (unsigned char)(0x80 | (cp & 0x3F));
		break;
	case 3:
		p[0] = (unsigned char)(0xE0 | (cp >> 12));
		p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		p[2] = (unsigned char)(0x80 | (cp & 0x3F));
		break;
	default:
		p[0] = (unsigned char)(0xF0 | (cp >> 18));
		p[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		p[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		p[3] = (unsigned char)(0x80 | (cp & 0x3F));
		break;
	}
	*o += l;
	out[*o] = '\0';
	return 0;
}

/* Spaces trimmed around free text: U+0020, U+00A0 (no-break), U+3000 (ideographic). */
static int is_trim_space(uint32_t cp)
{
	return cp == 0x20 || cp == 0xA0 || cp == 0x3000;
}

/*
 * Checks that s[0..n) is strict UTF-8 and finds the byte range left once
 * surrounding trim spaces are removed. Returns 0, or -1 on bad UTF-8.
 */
static int u8_trim(const unsigned char *s, size_t n, size_t *start, size_t *end)
{
	size_t i = 0, prev;
	uint32_t cp;
	int seen = 0;

	*start = *end = 0;
	while (i < n) {
		prev = i;
		if (utf8_next(s, n, &i, &cp) != 0)
			return -1;
		if (is_trim_space(cp))
			continue;
		if (!seen) {
			*start = prev;
			seen = 1;
		}
		*end = i;
	}
	return 0;
}

/*
 * Code points refused in free text (address, city): controls, format
 * characters that are invisible or reorder text (soft hyphen, zero-width,
 * bidi controls and isolates, word joiner, BOM, interlinear annotations,
 * tags), invisible fillers, line and paragraph separators, private use and
 * non-characters. Variation selectors are kept: they follow rare ideographs.
 */
static int is_bad_text_cp(uint32_t cp)
{
	if (text_cp_hidden(cp))
		return 1; /* what every text field refuses (label.c) */
	/* Beyond those: the combining grapheme joiner, Khmer's invisible vowels, the halfwidth
	 * filler, the line and paragraph separators, and U+2065 of the reserved format block. */
	if (cp == 0x34F || cp == 0x17B4 || cp == 0x17B5 || cp == 0xFFA0 || cp == 0x2028 || cp == 0x2029 || cp == 0x2065)
		return 1;
	if ((cp >= 0x1D173 && cp <= 0x1D17A) || (cp >= 0xE0000 && cp <= 0xE007F))
		return 1;
	if ((cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000)
		return 1; /* private use */
	if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFEu) == 0xFFFEu)
		return 1; /* non-characters */
	return 0;
}

/*
 * Free text shared by address and city: trims, refuses bad code points,
 * counts code points and copies. Returns 0 ok, 1 bad characters, 2 length
 * outside min..max (or the copy does not fit).
 */
static int text_copy(const char *in, size_t len, size_t min_cp, size_t max_cp, char *out, size_t outmax)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t start, end, i, o = 0, count = 0;
	uint32_t cp;

	out_clear(out, outmax);
	if (in == NULL)
		len = 0;
	if (u8_trim(s, len, &start, &end) != 0)
		return 1;
	for (i = start; i < end;) {
		(void)utf8_next(s, end, &i, &cp);
		if (is_bad_text_cp(cp)) {
			out_clear(out, outmax);
			return 1;
		}
		if (++count > max_cp)
			break;
	}
	if (count < min_cp || count > max_cp)
		return 2;
	for (i = start; i < end;) {
		(void)utf8_next(s, end, &i, &cp);
		if (out == NULL || u8_put(out, outmax, &o, cp) != 0) {
			out_clear(out, outmax);
			return 2;
		}
	}
	return 0;
}

/* ---- dates (the calendar is day.h's) ----------------------------------- */

static int date_cmp(int y1, int m1, int d1, int y2, int m2, int d2)
{
	if (y1 != y2)
		return y1 < y2 ? -1 : 1;
	if (m1 != m2)
		return m1 < m2 ? -1 : 1;
	if (d1 != d2)
		return d1 < d2 ? -1 : 1;
	return 0;
}

static int digits_val(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* ---- identity documents ------------------------------------------------- */

static const char *const doc_words[VID_DOC__MAX] = {
	[VID_DOC_RESIDENT_ID] = "resident_id",
	[VID_DOC_PASSPORT] = "passport",
	[VID_DOC_HK_MACAO_PERMIT] = "hk_macao_permit",
	[VID_DOC_TAIWAN_PERMIT] = "taiwan_permit",
	[VID_DOC_FOREIGN_PERMANENT_ID] = "foreign_permanent_id",
};
enum vid_doc vid_doc_from_word(const char *id_type)
{
	int t;

	if (id_type == NULL)
		return VID_DOC__MAX;
	for (t = 0; t < VID_DOC__MAX; t++)
		if (strcmp(id_type, doc_words[t]) == 0)
			return (enum vid_doc)t;
	return VID_DOC__MAX;
}

const char *vid_doc_word(enum vid_doc t)
{
	if ((unsigned)t >= VID_DOC__MAX)
		return NULL;
	return doc_words[t];
}

bool vid_id_type_known(const char *id_type)
{
	return vid_doc_from_word(id_type) != VID_DOC__MAX;
}

/*
 * Province-level codes of GB/T 2260 that start an 18-character number:
 * 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71 (Taiwan), and 81, 82, 83, the
 * Hong Kong, Macao and Taiwan residents' residence permits (810000, 820000,
 * 830000). 91 is not accepted: it is in no edition of GB/T 2260 and no
 * resident ID is issued under it.
 */
static int province_ok(int p)
{
	return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) || (p >= 41 && p <= 46) ||
	       (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 || (p >= 81 && p <= 83);
}

/* ISO 7064 MOD 11-2 check character of 17 digits (GB 11643-1999). */
static char mod11_2(const char *s17)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char map[11] = { '1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2' };
	int i, sum = 0;

	for (i = 0; i < 17; i++)
		sum += (s17[i] - '0') * w[i];
	return map[sum % 11];
}

/* The checks of vid_resident_id, into b (VID_DOC_BUF bytes). */
static enum vid_err resident_check(const char *in, size_t len, int ty, int tm, int td, char *b)
{
	size_t i, n = 0;
	int x_seen = 0, y, m, d;

	if (in == NULL)
		len = 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == ' ')
			continue;
		if (x_seen)
			return VID_ID_CHARS; /* X only as the last character */
		if (c == 'x' || c == 'X') {
			x_seen = 1;
			c = 'X';
		} else if (!cc_digit(c))
			return VID_ID_CHARS;
		if (n < VID_DOC_MAX)
			b[n] = (char)c;
		n++;
	}
	if (n != 18)
		return VID_ID_LENGTH;
	b[18] = '\0';
	if (!province_ok(digits_val(b, 2)))
		return VID_ID_REGION;
	y = digits_val(b + 6, 4);
	m = digits_val(b + 10, 2);
	d = digits_val(b + 12, 2);
	if (!day_ymd_valid(y, m, d) || y < 1900 || date_cmp(y, m, d, ty, tm, td) > 0)
		return VID_ID_BIRTH_DATE;
	if (mod11_2(b) != b[17])
		return VID_ID_CHECKSUM;
	return VID_OK;
}

enum vid_err vid_resident_id(const char *in, size_t len, int ty, int tm, int td, char out[VID_DOC_BUF])
{
	char b[VID_DOC_BUF];
	enum vid_err e = resident_check(in, len, ty, tm, td, b);

	/* Written only now, so that out may be the input buffer itself. */
	if (out != NULL) {
		if (e == VID_OK)
			memcpy(out, b, VID_DOC_BUF);
		else
			out[0] = '\0';
	}
	return e;
}

/*
 * Drops spaces and upper-cases into b (room for VID_DOC_MAX characters).
 * Returns VID_ID_CHARS for anything but ASCII letters and digits, or
 * VID_ID_LENGTH when more than VID_DOC_MAX remain; *n gets the count.
 */
static enum vid_err norm_alnum(const char *in, size_t len, char b[VID_DOC_BUF], size_t *n)
{
	size_t i;

	*n = 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == ' ')
			continue;
		if (cc_lower(c))
			c = (unsigned char)(c - 'a' + 'A');
		if (!cc_digit(c) && !cc_upper(c))
			return VID_ID_CHARS;
		if (*n < VID_DOC_MAX)
			b[*n] = (char)c;
		(*n)++;
	}
	if (*n > VID_DOC_MAX)
		return VID_ID_LENGTH;
	b[*n] = '\0';
	return VID_OK;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!cc_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Passport. The form does not carry the nationality, so a number is checked
 * against the ICAO 9303 document-number alphabet, not a country's pattern:
 * 5..17 letters and digits with at least one digit. Chinese passports
 * (E + 8 digits, E + letter + 7 digits since 2017, G + 8 digits, and the
 * D/S/P official ones) are all of that shape.
 */
static enum vid_err doc_passport(const char *b, size_t n)
{
	size_t i;

	if (n < 5 || n > 17)
		return VID_ID_LENGTH;
	for (i = 0; i < n; i++)
		if (cc_digit((unsigned char)b[i]))
			return VID_OK;
	return VID_ID_FORMAT;
}

/*
 * Mainland Travel Permit for Hong Kong and Macao Residents (the "home return
 * permit" they show in the mainland): H (Hong Kong) or M (Macao) and 8 digits
 * on the 2013 card, or 10 digits (8 and a 2-digit issue count) on the old one.
 */
static enum vid_err doc_hk_macao(const char *b, size_t n)
{
	if (n != 9 && n != 11)
		return VID_ID_LENGTH;
	if ((b[0] != 'H' && b[0] != 'M') || !all_digits(b + 1, n - 1))
		return VID_ID_FORMAT;
	return VID_OK;
}

/* Mainland Travel Permit for Taiwan Residents: 8 digits, or 10 on the old card. */
static enum vid_err doc_taiwan(const char *b, size_t n)
{
	if (n != 8 && n != 10)
		return VID_ID_LENGTH;
	if (!all_digits(b, n))
		return VID_ID_FORMAT;
	return VID_OK;
}

/*
 * Foreign Permanent Resident ID Card. The 2004/2017 cards: 15 characters,
 * a 3-letter nationality code and 12 digits. The card issued from
 * 2023-12-01: 18 characters, '9' first, 16 digits and a check character by
 * ISO 7064 MOD 11-2 as for resident IDs (X for 10). The National Immigration
 * Administration's adaptation rules publish only the leading 9 and the check
 * algorithm, so the inner fields are not checked.
 */
static enum vid_err doc_foreign(const char *b, size_t n)
{
	if (n == 15) {
		if (!cc_upper((unsigned char)b[0]) || !cc_upper((unsigned char)b[1]) ||
		    !cc_upper((unsigned char)b[2]) || !all_digits(b + 3, 12))
			return VID_ID_FORMAT;
		return VID_OK;
	}
	if (n == 18) {
		if (b[0] != '9' || !all_digits(b, 17) || !(cc_digit((unsigned char)b[17]) || b[17] == 'X'))
			return VID_ID_FORMAT;
		if (mod11_2(b) != b[17])
			return VID_ID_CHECKSUM;
		return VID_OK;
	}
	return VID_ID_LENGTH;
}

/* Shape checks of the normalised number, by document (resident IDs apart). */
static enum vid_err (*const doc_check[VID_DOC__MAX])(const char *, size_t) = {
	[VID_DOC_RESIDENT_ID] = NULL,
	[VID_DOC_PASSPORT] = doc_passport,
	[VID_DOC_HK_MACAO_PERMIT] = doc_hk_macao,
	[VID_DOC_TAIWAN_PERMIT] = doc_taiwan,
	[VID_DOC_FOREIGN_PERMANENT_ID] = doc_foreign,
};

enum vid_err vid_document(const char *id_type, const char *in, size_t len, int ty, int tm, int td, char *out,
			  size_t outmax)
{
	char b[VID_DOC_BUF];
	size_t n = 0;
	enum vid_err e;
	enum vid_doc t = vid_doc_from_word(id_type);

	if (t == VID_DOC__MAX) {
		out_clear(out, outmax);
		return VID_ID_TYPE;
	}
	if (in == NULL)
		len = 0;
	/* out is written last, so that it may be the input buffer itself. */
	if (t == VID_DOC_RESIDENT_ID) {
		e = resident_check(in, len, ty, tm, td, b);
		n = 18;
	} else {
		e = norm_alnum(in, len, b, &n);
		if (e == VID_OK)
			e = doc_check[t](b, n);
	}
	if (e == VID_OK && (out == NULL || outmax < n + 1))
		e = VID_ID_LENGTH;
	if (e != VID_OK) {
		out_clear(out, outmax);
		return e;
	}
	memcpy(out, b, n + 1);
	return VID_OK;
}

/* ---- names -------------------------------------------------------------- */

enum nclass {
	NC_BAD = 0,
	NC_CJK,
	NC_LATIN,
	NC_COMBINING, /* U+0300..U+036F, only after a Latin letter */
	NC_SPACE,
	NC_DOT,     /* middle dot and look-alikes, written as U+00B7 */
	NC_CJK_DOT, /* '.' and U+FF0E: a middle dot only between ideographs */
	NC_HYPHEN,
	NC_APOS
};

static int is_cjk(uint32_t cp)
{
	return cp == 0x3007 || (cp >= 0x3400 && cp <= 0x4DBF) ||                     /* Ext A */
	       (cp >= 0x4E00 && cp <= 0x9FFF) ||                                     /* URO */
	       (cp >= 0xF900 && cp <= 0xFA6D) ||                                     /* compatibility */
	       (cp >= 0xFA70 && cp <= 0xFAD9) || (cp >= 0x20000 && cp <= 0x2A6DF) || /* Ext B */
	       (cp >= 0x2A700 && cp <= 0x2EE5F) ||                                   /* Ext C, D, E, F, I */
	       (cp >= 0x2F800 && cp <= 0x2FA1F) ||                                   /* compatibility supplement */
	       (cp >= 0x30000 && cp <= 0x323AF);                                     /* Ext G, H */
}

static int is_latin(uint32_t cp)
{
	return (cp < 0x80 && cc_alpha((int)cp)) || (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
	       (cp >= 0x1E00 && cp <= 0x1EFF);
}

static enum nclass name_class(uint32_t cp)
{
	if (is_cjk(cp))
		return NC_CJK;
	if (is_latin(cp))
		return NC_LATIN;
	if (cp >= 0x300 && cp <= 0x36F)
		return NC_COMBINING;
	if (is_trim_space(cp))
		return NC_SPACE;
	switch (cp) {
	case 0xB7:
	case 0x30FB:
	case 0xFF65:
	case 0x2022:
	case 0x2027: return NC_DOT;
	case '.':
	case 0xFF0E: return NC_CJK_DOT;
	case '-':
	case 0x2010: return NC_HYPHEN;
	case '\'':
	case 0x2019:
	case 0x2BC: return NC_APOS;
	default: return NC_BAD;
	}
}

enum vid_err vid_name(const char *in, size_t len, char *out, size_t outmax)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t start, end, i, o = 0, count = 0;
	enum nclass prev = NC_BAD;    /* class of the last code point written */
	enum nclass pending = NC_BAD; /* separator waiting for the next letter */
	int space = 0;                /* a run of spaces waiting for the next letter */
	uint32_t cp, w = 0;

	out_clear(out, outmax);
	if (in == NULL)
		len = 0;
	if (u8_trim(s, len, &start, &end) != 0)
		return VID_NAME_CHARS;
	if (start == end)
		return VID_NAME_EMPTY;
	for (i = start; i < end;) {
		enum nclass c;

		(void)utf8_next(s, end, &i, &cp);
		c = name_class(cp);
		switch (c) {
		case NC_BAD: goto chars;
		case NC_SPACE:
			/* Only between Latin words: after a letter, before a letter. */
			if (prev != NC_LATIN && prev != NC_COMBINING)
				goto chars;
			if (pending != NC_BAD)
				goto chars;
			space = 1;
			continue;
		case NC_COMBINING:
			if (space || pending != NC_BAD || (prev != NC_LATIN && prev != NC_COMBINING))
				goto chars;
			w = cp;
			break;
		case NC_DOT:
		case NC_CJK_DOT:
		case NC_HYPHEN:
		case NC_APOS:
			if (space || pending != NC_BAD || prev == NC_BAD)
				goto chars; /* not first, not doubled, not after a space */
			if (c == NC_CJK_DOT && prev != NC_CJK)
				goto chars;
			if (c == NC_APOS && prev != NC_LATIN && prev != NC_COMBINING)
				goto chars;
			pending = c;
			continue;
		default: /* a letter */
			if (space && c != NC_LATIN)
				goto chars;
			if (pending == NC_CJK_DOT && c != NC_CJK)
				goto chars;
			if (pending == NC_APOS && c != NC_LATIN)
				goto chars;
			w = cp;
			break;
		}
		/* Flush what waits before this letter or combining mark. */
		if (space) {
			if (++count > VID_NAME_MAX_CP)
				goto length;
			if (u8_put(out, outmax, &o, ' ') != 0)
				goto length;
			space = 0;
		}
		if (pending != NC_BAD) {
			uint32_t sep = pending == NC_HYPHEN ? '-' : pending == NC_APOS ? '\'' : 0xB7;
			if (++count > VID_NAME_MAX_CP)
				goto length;
			if (u8_put(out, outmax, &o, sep) != 0)
				goto length;
			pending = NC_BAD;
		}
		if (++count > VID_NAME_MAX_CP)
			goto length;
		if (u8_put(out, outmax, &o, w) != 0)
			goto length;
		prev = c;
	}
	if (pending != NC_BAD)
		goto chars; /* a separator last */
	return VID_OK;
chars:
	out_clear(out, outmax);
	return VID_NAME_CHARS;
length:
	out_clear(out, outmax);
	return VID_NAME_LENGTH;
}

/* ---- phone -------------------------------------------------------------- */

enum vid_err vid_phone(const char *in, size_t len, char out[VID_PHONE_BUF])
{
	char d[16] = { 0 };
	size_t i, n = 0, skip = 0;
	int plus = 0, any = 0, ok = 1;

	if (in == NULL)
		len = 0;
	for (i = 0; i < len && ok; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == ' ' || c == '-')
			continue;
		if (c == '+' && !any) {
			plus = 1;
			any = 1;
			continue;
		}
		if (!cc_digit(c) || n >= sizeof d)
			ok = 0;
		else
			d[n++] = (char)c;
		any = 1;
	}
	if (plus) {
		if (n != 13 || d[0] != '8' || d[1] != '6')
			ok = 0;
		skip = 2;
	} else if (n == 15 && memcmp(d, "0086", 4) == 0)
		skip = 4;
	else if (n == 13 && d[0] == '8' && d[1] == '6')
		skip = 2;
	if (!ok || n - skip != 11 || d[skip] != '1' || d[skip + 1] < '3' || d[skip + 1] > '9') {
		if (out != NULL)
			out[0] = '\0';
		return VID_PHONE_FORMAT;
	}
	/* Written last, so that out may be the input buffer itself. */
	if (out != NULL) {
		memcpy(out, d + skip, 11);
		out[11] = '\0';
	}
	return VID_OK;
}

/* ---- address ------------------------------------------------------------ */

enum vid_err vid_address(const char *in, size_t len, char *out, size_t outmax)
{
	switch (text_copy(in, len, VID_ADDRESS_MIN_CP, VID_ADDRESS_MAX_CP, out, outmax)) {
	case 0: return VID_OK;
	case 1: return VID_ADDRESS_CHARS;
	default: return VID_ADDRESS_LENGTH;
	}
}

/* ---- masking ------------------------------------------------------------ */

static size_t put_stars(char *out, size_t outmax, size_t *o, size_t k)
{
	while (k-- > 0)
		if (u8_put(out, outmax, o, '*') != 0)
			return 1;
	return 0;
}

size_t vid_mask_name(const char *name, size_t len, char *out, size_t outmax)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t i = 0, o = 0, count = 0;
	uint32_t cp, first = 0, last = 0;

	out_clear(out, outmax);
	if (name == NULL || out == NULL || len == 0)
		return 0;
	while (i < len) {
		if (utf8_next(s, len, &i, &cp) != 0)
			return 0;
		if (count == 0)
			first = cp;
		last = cp;
		count++;
	}
	if (is_latin(first)) {
		/* The first letter with its combining accents, then "***". */
		i = 0;
		(void)utf8_next(s, len, &i, &cp);
		if (u8_put(out, outmax, &o, cp) != 0)
			goto fail;
		while (i < len) {
			size_t p = i;
			(void)utf8_next(s, len, &i, &cp);
			if (cp < 0x300 || cp > 0x36F) {
				i = p;
				break;
			}
			if (u8_put(out, outmax, &o, cp) != 0)
				goto fail;
		}
		if (put_stars(out, outmax, &o, 3) != 0)
			goto fail;
		return o;
	}
	if (count == 1) {
		if (put_stars(out, outmax, &o, 1) != 0)
			goto fail;
		return o;
	}
	if (u8_put(out, outmax, &o, first) != 0)
		goto fail;
	if (count == 2) {
		if (put_stars(out, outmax, &o, 1) != 0)
			goto fail;
		return o;
	}
	if (put_stars(out, outmax, &o, count - 2) != 0 || u8_put(out, outmax, &o, last) != 0)
		goto fail;
	return o;
fail:
	out_clear(out, outmax);
	return 0;
}

/* Keeps head and tail characters of an ASCII value, the rest '*'. */
static size_t mask_keep(const char *v, size_t len, size_t head, size_t tail, size_t min_len, char *out, size_t outmax)
{
	size_t i;

	out_clear(out, outmax);
	if (v == NULL || out == NULL || len == 0 || outmax < len + 1)
		return 0;
	for (i = 0; i < len; i++)
		if (!cc_graph((unsigned char)v[i]))
			return 0;
	for (i = 0; i < len; i++)
		out[i] = (len >= min_len && (i < head || i >= len - tail)) ? v[i] : '*';
	out[len] = '\0';
	return len;
}

size_t vid_mask_id(enum vid_doc t, const char *id, size_t len, char *out, size_t outmax)
{
	if (t == VID_DOC_RESIDENT_ID || (t == VID_DOC_FOREIGN_PERMANENT_ID && len == 18))
		return mask_keep(id, len, 3, 4, 8, out, outmax);
	return mask_keep(id, len, 1, 2, 4, out, outmax);
}

size_t vid_mask_phone(const char *phone, size_t len, char *out, size_t outmax)
{
	return mask_keep(phone, len, 3, 4, 8, out, outmax);
}

/* ---- temperature -------------------------------------------------------- */

static enum vid_err temp_range(long hundredths, int *tenths)
{
	long t = (hundredths + 5) / 10; /* half up; hundredths >= 0 */

	if (t < VID_TEMP_MIN_TENTHS || t > VID_TEMP_MAX_TENTHS)
		return VID_TEMPERATURE_RANGE;
	if (tenths != NULL)
		*tenths = (int)t;
	return VID_OK;
}

enum vid_err vid_temperature(const char *in, size_t len, int *tenths)
{
	size_t i = 0, nint = 0, nfrac = 0;
	long ip = 0, frac = 0;

	if (in == NULL)
		len = 0;
	while (i < len && cc_digit((unsigned char)in[i])) {
		if (ip < 100000)
			ip = ip * 10 + (in[i] - '0'); /* saturates: a range error */
		i++;
		nint++;
	}
	if (nint == 0)
		return VID_TEMPERATURE_FORMAT;
	if (i < len && in[i] == '.') {
		i++;
		while (i < len && cc_digit((unsigned char)in[i]) && nfrac < 3) {
			frac = frac * 10 + (in[i] - '0');
			i++;
			nfrac++;
		}
		if (nfrac == 0 || nfrac > 2)
			return VID_TEMPERATURE_FORMAT;
		if (nfrac == 1)
			frac *= 10;
	}
	if (i != len)
		return VID_TEMPERATURE_FORMAT;
	return temp_range(ip * 100 + frac, tenths);
}

enum vid_err vid_temperature_value(double v, int *tenths)
{
	if (!isfinite(v))
		return VID_TEMPERATURE_FORMAT;
	if (v < 0.0 || v > 1000.0)
		return VID_TEMPERATURE_RANGE;
	/* To hundredths first, so 36.55 (36.549999... in binary) rounds as text does. */
	return temp_range((long)(v * 100.0 + 0.5), tenths);
}

/* ---- symptoms ----------------------------------------------------------- */

/* The words are the rules' (rules.c), plus "none" as the last bit. */
_Static_assert(VID_SYM_ANY == RULES_SYM_ALL, "the form's symptom bits are the rules' bits");
_Static_assert(VID_SYM_COUNT == RULES_SYM_COUNT + 1, "one word per symptom, then none");
_Static_assert(VID_SYM_NONE == 1u << (VID_SYM_COUNT - 1), "none is the last bit");
_Static_assert(VID_SYM_ANY == VID_SYM_NONE - 1u, "every bit below none is a symptom");

const char *vid_symptom_word(unsigned bit_index)
{
	if (bit_index >= VID_SYM_COUNT)
		return NULL;
	return bit_index + 1 == VID_SYM_COUNT ? "none" : rules_symptom_word(1u << bit_index);
}

enum vid_err vid_symptom_add(unsigned *mask, const char *word, size_t len)
{
	unsigned bit;

	if (word == NULL)
		return VID_SYMPTOMS_UNKNOWN;
	if (len == 4 && memcmp(word, "none", 4) == 0)
		bit = VID_SYM_NONE;
	else if (!rules_symptom_from_word(word, len, &bit) || bit == 0)
		return VID_SYMPTOMS_UNKNOWN;
	if ((bit == VID_SYM_NONE && (*mask & VID_SYM_ANY) != 0) || (bit != VID_SYM_NONE && (*mask & VID_SYM_NONE) != 0))
		return VID_SYMPTOMS_NONE_MIXED;
	*mask |= bit;
	return VID_OK;
}

enum vid_err vid_symptoms(const char *in, size_t len, unsigned *mask)
{
	size_t i = 0;
	unsigned m = 0;
	enum vid_err e;

	*mask = 0;
	if (in == NULL)
		len = 0;
	if (trim_end(in, len, cc_sp) == 0)
		return VID_SYMPTOMS_EMPTY;
	while (i <= len) {
		size_t j = i;
		while (j < len && in[j] != ',')
			j++;
		size_t n = j - i;
		const char *item = trim(in + i, &n, cc_sp);
		if (n == 0)
			return VID_SYMPTOMS_UNKNOWN; /* empty item */
		e = vid_symptom_add(&m, item, n);
		if (e != VID_OK)
			return e;
		i = j + 1;
	}
	*mask = m;
	return VID_OK;
}

/* ---- travel ------------------------------------------------------------- */

/* "YYYY-MM-DD": 0 ok, 1 wrong shape, 2 not a real date. */
static int parse_ymd(const char *s, size_t n, struct vid_date *dt)
{
	static const char shape[] = "dddd-dd-dd";
	size_t i;

	if (s == NULL || n != sizeof shape - 1)
		return 1;
	for (i = 0; i < n; i++)
		if (shape[i] == 'd' ? !cc_digit((unsigned char)s[i]) : s[i] != '-')
			return 1;
	dt->y = digits_val(s, 4);
	dt->m = digits_val(s + 5, 2);
	dt->d = digits_val(s + 8, 2);
	return day_ymd_valid(dt->y, dt->m, dt->d) ? 0 : 2;
}

enum vid_err vid_travel_entry(const char *city, size_t city_len, const char *from, size_t from_len, const char *to,
			      size_t to_len, int ty, int tm, int td, int window_days, struct vid_travel *out)
{
	struct vid_travel t;
	long today;
	int rf, rt;

	memset(&t, 0, sizeof t);
	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (text_copy(city, city_len, 1, VID_CITY_MAX_CP, t.city, sizeof t.city) != 0)
		return VID_TRAVEL_FORMAT;
	rf = parse_ymd(from, from_len, &t.from);
	rt = parse_ymd(to, to_len, &t.to);
	if (rf == 1 || rt == 1)
		return VID_TRAVEL_FORMAT;
	if (rf != 0 || rt != 0)
		return VID_TRAVEL_DATES;
	if (window_days < 0)
		window_days = 0;
	t.from_day = day_from_ymd(t.from.y, t.from.m, t.from.d);
	t.to_day = day_from_ymd(t.to.y, t.to.m, t.to.d);
	today = day_from_ymd(ty, tm, td);
	if (t.from_day > t.to_day || t.to_day > today || t.to_day < today - window_days)
		return VID_TRAVEL_DATES;
	if (out != NULL)
		*out = t;
	return VID_OK;
}
