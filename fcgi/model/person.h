/* person.h: the bounds of what is said about a person, shared by the service and hqrctl. */
#ifndef HQR_PERSON_H
#define HQR_PERSON_H

/* A person's public id: 22 characters of URL-safe base64 (128 random bits). */
#define PUBLIC_ID_LEN 22
/* The high-risk area list: at most this many cities, each 1..RISK_AREA_MAX_CP code points. */
#define RISK_AREAS_MAX 1000
#define RISK_AREA_MAX_CP 40

#endif
