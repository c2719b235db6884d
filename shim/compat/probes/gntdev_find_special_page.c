// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct vm_operations_struct has find_special_page (for the special PTEs
 * gntdev installs on PV; until about 6.18).
 */
#include <linux/mm.h>

static struct page *xd_find(struct vm_area_struct *vma, unsigned long addr)
{
	return NULL;
}

const struct vm_operations_struct xd_probe_ops;
const struct vm_operations_struct xd_probe_ops = {
	.find_special_page = xd_find,
};
