/* err.h: the one table of errors: enum → HTTP status, stable code word, message. */
#ifndef HQR_ERR_H
#define HQR_ERR_H

/* Codes are added at the end, never renamed or reused. */
enum err {
	ERR_OK = 0,
	ERR_BAD_REQUEST,          /* 400 malformed request line, query, cookie or body */
	ERR_UNAUTHENTICATED,      /* 401 */
	ERR_FORBIDDEN,            /* 403 */
	ERR_NOT_FOUND,            /* 404 */
	ERR_METHOD_NOT_ALLOWED,   /* 405 */
	ERR_CONFLICT,             /* 409 */
	ERR_LENGTH_REQUIRED,      /* 411 */
	ERR_TOO_LARGE,            /* 413 */
	ERR_UNSUPPORTED_TYPE,     /* 415 */
	ERR_VALIDATION,           /* 422 with fields */
	ERR_RATE_LIMITED,         /* 429 */
	ERR_INTERNAL,             /* 500: details only in the log */
	ERR_UNAVAILABLE,          /* 503 database or dependency down */
	ERR_BAD_JSON,             /* 400 body is not the JSON object the route expects */
	ERR_DUPLICATE_FIELD,      /* 400 a field given twice */
	ERR_CSRF,                 /* 403 cookie request without X-Requested-With */
	ERR_PLATFORM_UNAVAILABLE, /* 503 the chat platform is slow or down */
	ERR_LOGIN_CODE_INVALID,   /* 401 the platform does not know the login code */
	ERR_LOGIN_CODE_USED,      /* 401 the login code was used already */
	ERR_LOGIN_RATE_LIMITED,   /* 429 the platform limits this user's logins */
	ERR_LOGIN_BLOCKED,        /* 403 the platform flags this user as high-risk */
	ERR_PLATFORM_ERROR,       /* 502 the platform refused the call */
	ERR_SIGNATURE,            /* 403 a platform push whose signature does not verify */
	ERR_SELF_EXISTS,          /* 409 the account already holds its own person */
	ERR_ID_HAS_SELF,          /* 409 this ID number already has its own account */
	ERR_ALREADY_HOLDER,       /* 409 the account already holds this person */
	ERR_DELEGATION_LIMIT,     /* 409 the account holds as many relatives as allowed */
	ERR_MALFORMED_FORM,       /* 400 the multipart body cannot be parsed */
	ERR_SIGNATURE_EXPIRED,    /* 401 an integrator's timestamp is outside the allowed skew */
	ERR_NONCE_REUSED,         /* 401 an integrator's nonce was used before */
	ERR_SCAN_DENIED_SCOPE,    /* 403 the integrator may not scan for that checkpoint */
	ERR_REPORT_EXISTS,        /* 409 today's report was filed already */
	ERR_REPORT_NOT_REQUIRED,  /* 409 the code is not under observation */
	ERR_PERSON_MISMATCH,      /* 409 the ID number is registered under another name */
	ERR_PLACE_CODE_REVOKED,   /* 410 the place code was withdrawn by an operator */
	ERR_PLACE_CODE_EXPIRED,   /* 410 a door screen's code older than two minutes */
	ERR_PERSON_NOT_HELD,      /* 403 a check-in names a person the account does not hold */
	/* whose code is it (DESIGN §10) */
	ERR_VERIFICATION_REQUIRED, /* 422 a self application needs a passed verification of that identity */
	ERR_DELEGATE_NOT_VERIFIED, /* 403 a delegate must own its own verified person first */
	ERR_APPLICATION_REFUSED,   /* 409 a relative application refused (it says nothing more) */
	ERR_TOO_MANY_ATTEMPTS,     /* 429 too many refused applications or verifications today */
	ERR_URI_TOO_LONG,          /* 414 answered by nginx: a request line longer than its buffers */
	ERR_HEADERS_TOO_LARGE,     /* 431 answered by nginx: a header line or all headers too large */
	ERR_PHOTO_STORE_FULL,      /* 503 no room for a photo (ENOSPC, EDQUOT): nothing was saved */
	ERR_BUSY,                  /* 503 past capacity: shed at once, retry after Retry-After */
	ERR__MAX
};

struct err_info {
	int status;
	const char *reason;  /* HTTP reason phrase */
	const char *code;    /* stable word */
	const char *message; /* default human text */
};

const struct err_info *err_info(enum err e);
/* The reason phrase of an HTTP status ("OK", "Not Found"); "Unknown" if not known. */
const char *err_reason(int status);

#endif
