/*
 * static_link.c: what the statically linked hook does without.
 *
 * The hook is linked statically (see the Makefile). Two libraries bring code
 * that would need glibc's dynamic machinery at run time: libxml2's HTTP
 * client resolves host names (getaddrinfo, gethostbyname), and ICU can load
 * plugins (dlopen). The hook reaches neither: documents are parsed from
 * memory with XML_PARSE_NONET, and no ICU plugin is wanted in a root hook.
 * The Makefile links with --wrap for these symbols, so every call from those
 * libraries lands here and fails: a root hook that cannot resolve a host
 * name or load a plugin, and a static link without glibc's warnings about
 * NSS and dlopen.
 */
#include <netdb.h>
#include <stddef.h>

int	__wrap_getaddrinfo(const char *, const char *, const struct addrinfo *,
	    struct addrinfo **);
struct hostent *__wrap_gethostbyname(const char *);
void	*__wrap_dlopen(const char *, int);

int
__wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	(void)node, (void)service, (void)hints;
	*res = NULL;
	return EAI_FAIL;
}

struct hostent *
__wrap_gethostbyname(const char *name)
{
	(void)name;
	h_errno = NO_RECOVERY;
	return NULL;
}

void *
__wrap_dlopen(const char *file, int mode)
{
	(void)file, (void)mode;
	return NULL;
}
