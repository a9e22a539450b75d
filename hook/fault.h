/*
 * fault.h: test-only fault injection.
 *
 * FAULT_POINT("name") marks a step between two changes the hook makes (a
 * state save, a mkfifo, a link, an unlink, a rename). In the production
 * build it is nothing at all. Built with -DVSERLINK_FAULT_INJECTION (make
 * puts that variant in build/fault/vserlink and nowhere else), each point
 * reached counts, and:
 *  - VSERLINK_FAULT_AT=N kills the process with SIGKILL at the Nth point, as
 *    a crash, an OOM kill or a power cut would, with no chance to clean up;
 *  - VSERLINK_FAULT_TRACE=FILE appends "N name" for every point reached, so
 *    that a test learns how many points a run passes and can kill at each;
 *  - VSERLINK_FAULT_RUN=N (or =NAME: the first point of that name) runs the
 *    shell command VSERLINK_FAULT_CMD there, once, and goes on: an
 *    attacker's move made exactly between two steps, so that a race is
 *    tested every time, not by luck.
 */
#ifndef VSERLINK_FAULT_H
#define VSERLINK_FAULT_H

#ifdef VSERLINK_FAULT_INJECTION
void	fault_point(const char *name);
#define FAULT_POINT(name)	fault_point(name)
#else
#define FAULT_POINT(name)	((void)0)
#endif

#endif
