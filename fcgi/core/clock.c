/* clock.c: the one clock of the service, and local dates in the configured zone. */
#include "clock.h"
#include "day.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int64_t clock_now(void)
{
	return (int64_t)time(NULL);
}

int64_t clock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int clock_set_zone(const char *zone)
{
	char path[512], magic[4];
	/* A zone name: no absolute path, no ".." part, and a real zone file (TZif) behind it. */
	if (zone[0] == '\0' || zone[0] == '/' || strstr(zone, "..") != NULL || strlen(zone) > 200)
		return -1;
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	FILE *f = fopen(path, "rb");
	size_t n = f != NULL ? fread(magic, 1, sizeof magic, f) : 0;
	if (f != NULL)
		fclose(f);
	if (n != sizeof magic || memcmp(magic, "TZif", 4) != 0)
		return -1;
	setenv("TZ", zone, 1);
	tzset();
	return 0;
}

void clock_local_ymd(int64_t t, int *y, int *m, int *d)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}

int32_t clock_local_day(int64_t t)
{
	int y, m, d;
	clock_local_ymd(t, &y, &m, &d);
	return day_from_ymd(y, m, d);
}
