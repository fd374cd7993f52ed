/* daycolor.h: the colour of the day: the moving border around a phone code (pure). */
#ifndef HQR_DAYCOLOR_H
#define HQR_DAYCOLOR_H
#include <stddef.h>
#include <stdint.h>

#define DAYCOLOR_BUF 8 /* "#rrggbb" and its NUL */

/* The hue (degrees, 0-359) of local day `day` (days since 1970-01-01) under the service's key:
 * the same for every code that day; the next day's is at least 60 degrees away; never a red or
 * green hue (those are the codes' own colors). */
int daycolor_hue(const uint8_t *key, size_t klen, int32_t day);
/* The day's colour as "#rrggbb" into out[DAYCOLOR_BUF]. */
void daycolor(const uint8_t *key, size_t klen, int32_t day, char out[DAYCOLOR_BUF]);

#endif
