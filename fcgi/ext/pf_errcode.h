/* pf_errcode.h: the chat platform's error numbers (PLATFORM.md) that the service branches on and
 * the simulator answers with, named once. */
#ifndef HQR_PF_ERRCODE_H
#define HQR_PF_ERRCODE_H

enum pf_errcode {
	PFE_SYSTEM_BUSY = -1,           /* the platform is busy: try again */
	PFE_INVALID_CREDENTIAL = 40001, /* access_token invalid or not the latest */
	PFE_INVALID_OPENID = 40003,     /* an openid the platform does not know */
	PFE_INVALID_ACCESS_TOKEN = 40014,
	PFE_ACCESS_TOKEN_MISSING = 41001,
	PFE_INVALID_CODE = 40029,       /* a login code unknown or expired */
	PFE_CODE_USED = 40163,          /* a login code already exchanged */
	PFE_IP_NOT_WHITELISTED = 40164, /* the caller's address is not in the IP whitelist */
	PFE_HIGH_RISK_USER = 40226,     /* jscode2session: the platform blocks this user */
	PFE_ACCESS_TOKEN_EXPIRED = 42001,
	PFE_REQUIRE_SUBSCRIBE = 43004, /* a template message to a user who does not follow the account */
	PFE_USER_REFUSED = 43101,      /* a subscription message the user refused */
	PFE_EMPTY_POST = 44002,        /* a POST without a body */
	PFE_DAILY_QUOTA = 45009,       /* the API's daily quota is reached */
	PFE_MINUTE_QUOTA = 45011,      /* too many calls this minute (a user's logins, forced token refreshes) */
	PFE_DATA_FORMAT = 47001,       /* a body that is not the JSON the endpoint takes */
};

/* The numbers of the platform's error page (web authorization and the H5 face page). */
enum pf_page_err {
	PFP_PARAMETER = 10001,      /* missing, extra or misordered parameters */
	PFP_RESPONSE_TYPE = 10002,  /* response_type is not code */
	PFP_REDIRECT_URI = 10003,   /* redirect_uri not encoded once, or not the authorization domain */
	PFP_SCOPE = 10005,          /* an unknown scope */
	PFP_TOO_MANY_USERS = 10009, /* (the simulator) no room for another test user */
	PFP_SCOPE_MISSING = 10010,
	PFP_REDIRECT_MISSING = 10011,
	PFP_APPID_MISSING = 10012,
	PFP_STATE = 10013, /* state longer than 128 or not [A-Za-z0-9] */
	PFP_APPID = 10016, /* an unknown appid */
};

#endif
