// SPDX-License-Identifier: GPL-2.0-only
/* vma->vm_flags is read-only; vm_flags_set()/vm_flags_clear() change it (6.3). */
#include <linux/mm.h>

void xd_probe(struct vm_area_struct *vma);
void xd_probe(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
	vm_flags_clear(vma, VM_MAYWRITE);
}
