/* fault.h: test-only fault injection. FAULT_POINT("name") marks a step between
 * two changes; nothing in production. In the -DVSERLINK_FAULT_INJECTION build
 * (build/fault/vserlink only): VSERLINK_FAULT_AT=N kills with SIGKILL at the
 * Nth point reached; VSERLINK_FAULT_TRACE=FILE appends "N name" per point;
 * VSERLINK_FAULT_RUN=N (or =NAME, its first point) runs the shell command
 * VSERLINK_FAULT_CMD there once and goes on: an attacker's move made exactly
 * between two steps, every time. */
#ifndef VSERLINK_FAULT_H
#define VSERLINK_FAULT_H

#ifdef VSERLINK_FAULT_INJECTION
void	fault_point(const char *name);
#define FAULT_POINT(name)	fault_point(name)
#else
#define FAULT_POINT(name)	((void)0)
#endif

#endif
