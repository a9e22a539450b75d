/*
 * hook.h: what vserlink does for each event libvirt reports.
 *
 * libvirt runs the hook as "qemu DOMAIN OPERATION SUBOPERATION EXTRA" with the
 * domain XML on stdin, for every lifecycle event of every guest, and waits.
 * Only three events matter here:
 *   prepare begin   wire the guest's links (non-zero exit stops the start)
 *   release end     unwire them (also after a start that failed)
 *   migrate begin   refuse an incoming linked guest: its peer is not here
 * Every other event, including ones libvirt adds later, exits 0 at once;
 * "reconnect" must, or libvirt kills the running guest.
 */
#ifndef VSERLINK_HOOK_H
#define VSERLINK_HOOK_H

#include "domain.h"

/* Reads guest domain's XML from stdin (not a terminal) and parses it: 0, or -1
 * after reporting why it cannot be used (the XML of another guest too). */
int	hook_read_xml(const char *domain, struct domain *xml);

/* Returns the exit status: 0 or 1. */
int	hook_event(const char *config, const char *domain, const char *op, const char *subop);

#endif
