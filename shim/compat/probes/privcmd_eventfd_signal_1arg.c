// SPDX-License-Identifier: GPL-2.0-only
/* eventfd_signal() takes only the context (newer kernels; older: ctx, n). */
#include <linux/eventfd.h>

void xd_probe(struct eventfd_ctx *ctx);
void xd_probe(struct eventfd_ctx *ctx)
{
	eventfd_signal(ctx);
}
