/*
 * gw_csv: RFC 4180 rows (design in gw_csv.h).
 *
 * Fields longer than the format buffer of gw_csv_fmt (256 bytes) are
 * truncated there: it is for numbers; text goes through gw_csv_str,
 * which has no limit.
 */
#include "gw_csv.h"

#include <stdarg.h>
#include <string.h>

void gw_csv_init(struct gw_csv *c, FILE *f)
{
	c->f = f;
	c->col = 0;
}

void gw_csv_str(struct gw_csv *c, const char *s)
{
	if (c->col++)
		fputc(',', c->f);
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, c->f);
		return;
	}
	fputc('"', c->f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', c->f);
		fputc(*s, c->f);
	}
	fputc('"', c->f);
}

void gw_csv_fmt(struct gw_csv *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gw_csv_str(c, buf);
}

void gw_csv_end(struct gw_csv *c)
{
	fputs("\r\n", c->f);
	c->col = 0;
}
