/*
 * gw_csv: rows of comma-separated values as RFC 4180 says -- fields
 * separated by commas, rows ended by CRLF, a field that holds a comma,
 * a double quote, CR or LF enclosed in double quotes with its quotes
 * doubled, every other field written as it is (spaces included; an
 * empty field is empty).  What Python's csv module, R, pandas and
 * spreadsheets read back unchanged.
 *
 * Writing only, to a stdio stream the caller owns (an atomic file, see
 * gw_atomic.h).  Errors are the stream's: check ferror() or the commit.
 *
 * Thread safety: a struct gw_csv belongs to one thread.
 */
#ifndef GW_CSV_H
#define GW_CSV_H

#include <stdio.h>

struct gw_csv {
	FILE *f;
	int col; /* fields written in the current row */
};

/* Start writing rows to f (borrowed). */
void gw_csv_init(struct gw_csv *c, FILE *f);
/* One field: s, quoted when it must be. */
void gw_csv_str(struct gw_csv *c, const char *s);
/* One field from a printf format (numbers; quoted when it must be). */
void gw_csv_fmt(struct gw_csv *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* End the row (CRLF). */
void gw_csv_end(struct gw_csv *c);

#endif /* GW_CSV_H */
