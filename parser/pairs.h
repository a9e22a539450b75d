/*
 * pairs.h: the links that /etc/vserlink/pairs.ini declares, as plain structs.
 *
 * A link is a null-modem cable between two guest ports. Each section other
 * than [vserlink] is one link; each key in it names a guest, its value the
 * guest's port. Nothing of inih crosses this header.
 */
#ifndef VSERLINK_PAIRS_H
#define VSERLINK_PAIRS_H

#include <stddef.h>
#include <sys/types.h>

/* What a restarted end receives of what its peer wrote while it was down. */
enum backlog {
	BACKLOG_KEEP,		/* the pipe's content, up to its 64 KiB */
	BACKLOG_DISCARD,	/* nothing: drained when the end joins */
};

struct link_end {
	char		*domain;
	char		*port;
	unsigned	 line;
};

struct link {
	char		*name;
	unsigned	 line;		/* of the [section] header */
	struct link_end	*ends;
	size_t		 nends;
	enum backlog	 backlog;
	int		 backlog_set;	/* 0: inherits the [vserlink] default */
	int		 broken;	/* an error was reported about it */
};

struct settings {
	char		*state_dir;
	char		*owner_name, *group_name;	/* as written, NULL if not */
	unsigned	 owner_line, group_line;
	uid_t		 owner;		/* resolved by the config layer */
	gid_t		 group;
	mode_t		 mode;
	enum backlog	 backlog;
};

/*
 * One problem in the file. It concerns a guest when it names it (domain),
 * when it is about a link with an end on the guest (link >= 0), or when it is
 * about the file as a whole (domain == NULL and link < 0).
 */
struct config_error {
	unsigned	 line;		/* 0: the file as a whole */
	char		*message;
	char		*domain;
	long		 link;		/* -1: none */
	long		 link2;		/* a second link it breaks, or -1 */
};

struct pairs {
	char			*path;
	struct settings		 settings;
	struct link		*links;
	size_t			 nlinks;
	struct config_error	*errors;
	size_t			 nerrors;
};

#define PAIRS_DEFAULT_STATE_DIR	"/run/vserlink"
#define PAIRS_SETTINGS_SECTION	"vserlink"

/*
 * Reads and checks the file at path. Returns 0 when the file was read, with
 * every problem found in out->errors (the caller decides which concern it);
 * -1 with errno set when it cannot be opened (ENOENT: no such file), out
 * holding defaults and nothing else. The file must be a regular file, not a
 * symlink, owned by root or the caller, and writable by nobody else;
 * otherwise a whole-file error is recorded and its content is still read, so
 * that the caller can tell whom it concerns, but must not be acted on.
 */
int	pairs_load(const char *path, struct pairs *out);

/* Same, from a buffer already in memory; name is used in messages. */
int	pairs_parse(const char *name, const char *buf, size_t len, struct pairs *out);
void	pairs_free(struct pairs *p);

/*
 * The one way to record a problem: message fmt on line (0: the file as a
 * whole), about guest domain and link (or NULL, -1), which it marks broken.
 * p->errors stays sorted by line, in the order found within a line.
 */
struct config_error *pairs_add_error(struct pairs *p, unsigned line,
	    const char *domain, long link, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

/* Guest domain's end of link l or NULL; its other end (or NULL) in *peer if peer is not NULL. */
const struct link_end *pairs_end_of(const struct link *l, const char *domain,
	    const struct link_end **peer);
/* The name of setting i of [vserlink], NULL past the last. */
const char *pairs_setting_name(size_t i);
/* Nonzero when any link names guest domain. */
int	pairs_mentions(const struct pairs *p, const char *domain);
/* Nonzero when error e concerns guest domain (see struct config_error). */
int	pairs_error_concerns(const struct pairs *p, const struct config_error *e,
	    const char *domain);
/* Nonzero when an error of pairs.ini concerns guest domain: it must not start. */
int	pairs_refuses(const struct pairs *p, const char *domain);
/* A link or an error about guest domain; for any other the hook has nothing to do. */
int	pairs_concerns(const struct pairs *p, const char *domain);
/* The backlog policy of link l. */
enum backlog pairs_backlog(const struct pairs *p, const struct link *l);

#endif
