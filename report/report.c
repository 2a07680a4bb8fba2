/* report.c -- what the report writers share (report.h): their buffered
 * output through a sink, so that a failing disk or pipe stops every writer
 * the same way, at the first failure.
 */
#include "report.h"

void exs_report_flush(struct exs_buf *buf, const struct exs_sink *out,
		      int *status, int force, size_t at)
{
	if (buf->failed && !*status)
		*status = buf->failed;
	if (*status || (!force && buf->len < at) || !buf->len)
		return;
	*status = out->write(out->ctx, buf->data, buf->len);
	exs_buf_reset(buf);
}
