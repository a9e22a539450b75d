/* log.h: the one error format, "vserlink: guest web1: link port1 (...): PATH:
 * reason" or "vserlink: /etc/vserlink/pairs.ini:12: unknown setting ...", on
 * stderr and, in hook mode, syslog; never stdout (libvirt takes it as
 * replacement XML). Control characters print as '?': no name forges a line. */
#ifndef VSERLINK_LOG_H
#define VSERLINK_LOG_H

void	log_open_syslog(void);
void	log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Syslog only: what the hook did, for an administrator who wonders. */
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
