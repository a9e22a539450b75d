/*
 * log.h: the one error format.
 *
 *   vserlink: guest web1: link port1 (org.linux-kvm.port.1): /srv/p1.in: exists and is not a FIFO
 *   vserlink: /etc/vserlink/pairs.ini:12: unknown setting "state_dri"
 *
 * Messages go to stderr (libvirt shows the hook's stderr to the user when a
 * start fails) and, in hook mode, to syslog. Never to stdout: libvirt takes
 * the hook's stdout as replacement XML on migrate and restore.
 * Control characters in names from XML or pairs.ini are printed as '?', so
 * that no name can forge a line of its own.
 */
#ifndef VSERLINK_LOG_H
#define VSERLINK_LOG_H

void	log_open_syslog(void);
void	log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Syslog only: what the hook did, for an administrator who wonders. */
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
