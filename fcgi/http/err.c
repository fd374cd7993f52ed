/* err.c: the error table; a 5xx never carries database or library text. */
#include "err.h"

#include <stddef.h>

static const struct err_info table[ERR__MAX] = {
	[ERR_OK] = { 200, "OK", "OK", "ok" },
	[ERR_BAD_REQUEST] = { 400, "Bad Request", "BAD_REQUEST", "the request is malformed" },
	[ERR_UNAUTHENTICATED] = { 401, "Unauthorized", "UNAUTHENTICATED", "authentication is required" },
	[ERR_FORBIDDEN] = { 403, "Forbidden", "FORBIDDEN", "not allowed" },
	[ERR_NOT_FOUND] = { 404, "Not Found", "NOT_FOUND", "no such resource" },
	[ERR_METHOD_NOT_ALLOWED] = { 405, "Method Not Allowed", "METHOD_NOT_ALLOWED",
				     "method not allowed on this resource" },
	[ERR_CONFLICT] = { 409, "Conflict", "CONFLICT", "the request conflicts with the current state" },
	[ERR_LENGTH_REQUIRED] = { 411, "Length Required", "LENGTH_REQUIRED", "a Content-Length is required" },
	[ERR_TOO_LARGE] = { 413, "Payload Too Large", "TOO_LARGE", "the body exceeds this route's limit" },
	[ERR_UNSUPPORTED_TYPE] = { 415, "Unsupported Media Type", "UNSUPPORTED_MEDIA_TYPE",
				   "this route does not accept that content type" },
	[ERR_VALIDATION] = { 422, "Unprocessable Entity", "VALIDATION_FAILED", "some fields are invalid" },
	[ERR_RATE_LIMITED] = { 429, "Too Many Requests", "RATE_LIMITED", "too many requests" },
	[ERR_INTERNAL] = { 500, "Internal Server Error", "INTERNAL", "internal error" },
	[ERR_UNAVAILABLE] = { 503, "Service Unavailable", "UNAVAILABLE", "the service is temporarily unavailable" },
	[ERR_BAD_JSON] = { 400, "Bad Request", "BAD_JSON", "the body must be a JSON object" },
	[ERR_DUPLICATE_FIELD] = { 400, "Bad Request", "DUPLICATE_FIELD", "a field was given more than once" },
	[ERR_CSRF] = { 403, "Forbidden", "CSRF", "X-Requested-With: hqr is required" },
	[ERR_PLATFORM_UNAVAILABLE] = { 503, "Service Unavailable", "PLATFORM_UNAVAILABLE",
				       "the chat platform is unavailable" },
	[ERR_LOGIN_CODE_INVALID] = { 401, "Unauthorized", "LOGIN_CODE_INVALID", "the login code is not valid" },
	[ERR_LOGIN_CODE_USED] = { 401, "Unauthorized", "LOGIN_CODE_USED", "the login code was already used" },
	[ERR_LOGIN_RATE_LIMITED] = { 429, "Too Many Requests", "LOGIN_RATE_LIMITED",
				     "too many logins: try again in a minute" },
	[ERR_LOGIN_BLOCKED] = { 403, "Forbidden", "LOGIN_BLOCKED", "the platform refused this user's login" },
	[ERR_PLATFORM_ERROR] = { 502, "Bad Gateway", "PLATFORM_ERROR", "the chat platform refused the request" },
	[ERR_SIGNATURE] = { 403, "Forbidden", "SIGNATURE_INVALID", "the signature does not verify" },
	[ERR_SELF_EXISTS] = { 409, "Conflict", "SELF_EXISTS", "this account already has its own code" },
	[ERR_ID_HAS_SELF] = { 409, "Conflict", "ID_HAS_SELF_ACCOUNT",
			      "this ID number already has its own account: apply for it as a relative" },
	[ERR_ALREADY_HOLDER] = { 409, "Conflict", "ALREADY_HOLDER", "this account already holds this person" },
	[ERR_DELEGATION_LIMIT] = { 409, "Conflict", "DELEGATION_LIMIT",
				   "this account holds as many relatives as allowed" },
	[ERR_MALFORMED_FORM] = { 400, "Bad Request", "MALFORMED_FORM", "the multipart body cannot be parsed" },
	[ERR_SIGNATURE_EXPIRED] = { 401, "Unauthorized", "SIGNATURE_EXPIRED",
				    "the request's timestamp is too far from the server's clock" },
	[ERR_NONCE_REUSED] = { 401, "Unauthorized", "NONCE_REUSED", "this nonce was used already" },
	[ERR_SCAN_DENIED_SCOPE] = { 403, "Forbidden", "CHECKPOINT_NOT_ALLOWED",
				    "this integrator may not scan for that checkpoint" },
	[ERR_REPORT_EXISTS] = { 409, "Conflict", "REPORT_EXISTS", "today's report was filed already" },
	[ERR_REPORT_NOT_REQUIRED] = { 409, "Conflict", "REPORT_NOT_REQUIRED",
				      "no daily report is required: the code is not under observation" },
	[ERR_PERSON_MISMATCH] = { 409, "Conflict", "PERSON_MISMATCH",
				  "this ID number is registered under another name" },
	[ERR_PLACE_CODE_REVOKED] = { 410, "Gone", "PLACE_CODE_REVOKED", "this place code was withdrawn" },
	[ERR_PLACE_CODE_EXPIRED] = { 410, "Gone", "PLACE_CODE_EXPIRED",
				     "this code of the door's screen has expired: scan the screen again" },
	[ERR_PERSON_NOT_HELD] = { 403, "Forbidden", "PERSON_NOT_HELD", "this account does not hold that person" },
	[ERR_VERIFICATION_REQUIRED] = { 422, "Unprocessable Entity", "VERIFICATION_REQUIRED",
					"verify this identity with the face check first, then apply with its verification_id" },
	[ERR_DELEGATE_NOT_VERIFIED] = { 403, "Forbidden", "DELEGATE_NOT_VERIFIED",
					"verify yourself and apply for your own code before applying for a relative" },
	[ERR_APPLICATION_REFUSED] = { 409, "Conflict", "APPLICATION_REFUSED",
				      "this application cannot be accepted: check the name and ID number, or ask the person to add you" },
	[ERR_TOO_MANY_ATTEMPTS] = { 429, "Too Many Requests", "TOO_MANY_ATTEMPTS",
				    "too many refused attempts today: try again tomorrow" },
	/* Answered by nginx before a request reaches the application (nginx/nginx.conf.in): in this
	 * table so that every word of the service is in one place. */
	[ERR_URI_TOO_LONG] = { 414, "URI Too Long", "URI_TOO_LONG", "the request line is too long" },
	[ERR_HEADERS_TOO_LARGE] = { 431, "Request Header Fields Too Large", "HEADERS_TOO_LARGE",
				    "the request headers are too large" },
	[ERR_PHOTO_STORE_FULL] = { 503, "Service Unavailable", "PHOTO_STORE_FULL",
				   "the photo store is full: nothing was saved, try again later" },
	[ERR_BUSY] = { 503, "Service Unavailable", "BUSY",
		       "the service is busy: retry after the seconds in Retry-After" },
};

const struct err_info *err_info(enum err e)
{
	if ((unsigned)e >= ERR__MAX || table[e].code == NULL)
		return &table[ERR_INTERNAL];
	return &table[e];
}

const char *err_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	default: break;
	}
	for (int i = 0; i < ERR__MAX; i++)
		if (table[i].status == status && table[i].reason != NULL)
			return table[i].reason;
	return "Unknown";
}
