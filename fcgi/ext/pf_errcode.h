/* pf_errcode.h: the chat platform's error numbers (PLATFORM.md) that the service branches on and
 * the simulator answers with, named once. */
#ifndef HQR_PF_ERRCODE_H
#define HQR_PF_ERRCODE_H

enum pf_errcode {
	PFE_SYSTEM_BUSY = -1,           /* the platform is busy: try again */
	PFE_INVALID_CREDENTIAL = 40001, /* access_token invalid or not the latest */
	PFE_INVALID_ACCESS_TOKEN = 40014,
	PFE_ACCESS_TOKEN_MISSING = 41001,
	PFE_INVALID_CODE = 40029,   /* a login code unknown or expired */
	PFE_CODE_USED = 40163,      /* a login code already exchanged */
	PFE_HIGH_RISK_USER = 40226, /* jscode2session: the platform blocks this user */
	PFE_ACCESS_TOKEN_EXPIRED = 42001,
	PFE_REQUIRE_SUBSCRIBE = 43004, /* a template message to a user who does not follow the account */
	PFE_USER_REFUSED = 43101,      /* a subscription message the user refused */
	PFE_DAILY_QUOTA = 45009,       /* the API's daily quota is reached */
	PFE_MINUTE_QUOTA = 45011,      /* too many calls this minute (a user's logins, forced token refreshes) */
};

#endif
