/*
 * static_link.c: what the statically linked hook does without.
 *
 * The hook is linked statically (see the Makefile). Two pieces of libxml2
 * would need glibc's dynamic machinery at run time: its HTTP client resolves
 * host names (getaddrinfo, gethostbyname), and its modules load with dlopen.
 * The hook reaches neither: documents are parsed from memory with
 * XML_PARSE_NONET, and no module is wanted in a root hook. The Makefile
 * links with --wrap for these symbols, so every call lands here and fails: a
 * root hook that cannot resolve a host name or load code, and a static link
 * without glibc's warnings about NSS and dlopen.
 *
 * ICU: libxml2 turns to ICU for a document in an encoding that iconv does
 * not know. libvirt writes its XML in UTF-8, and ICU would bring 30 MB of
 * data and libstdc++ into every hook process (most of the binary, and of
 * the relocations at every start). The ICU functions libxml2 names are
 * defined here instead, and the Makefile links no ICU library: no converter
 * ever opens, and such a document is refused as an unsupported encoding.
 */
#include <netdb.h>
#include <stddef.h>
#include <unicode/ucnv.h>

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

UConverter *
ucnv_open(const char *name, UErrorCode *err)
{
	(void)name;
	*err = U_UNSUPPORTED_ERROR;
	return NULL;
}

void
ucnv_close(UConverter *cnv)
{
	(void)cnv;
}

/* Never reached: no converter opens. They fail all the same. */
void
ucnv_convertEx(UConverter *to, UConverter *from, char **target,
    const char *targetLimit, const char **source, const char *sourceLimit,
    UChar *pivotStart, UChar **pivotSource, UChar **pivotTarget,
    const UChar *pivotLimit, UBool reset, UBool flush, UErrorCode *err)
{
	(void)to, (void)from, (void)target, (void)targetLimit, (void)source;
	(void)sourceLimit, (void)pivotStart, (void)pivotSource, (void)pivotTarget;
	(void)pivotLimit, (void)reset, (void)flush;
	*err = U_UNSUPPORTED_ERROR;
}

void
ucnv_setToUCallBack(UConverter *cnv, UConverterToUCallback action,
    const void *context, UConverterToUCallback *oldAction,
    const void **oldContext, UErrorCode *err)
{
	(void)cnv, (void)action, (void)context, (void)oldAction, (void)oldContext;
	*err = U_UNSUPPORTED_ERROR;
}

void
ucnv_setFromUCallBack(UConverter *cnv, UConverterFromUCallback action,
    const void *context, UConverterFromUCallback *oldAction,
    const void **oldContext, UErrorCode *err)
{
	(void)cnv, (void)action, (void)context, (void)oldAction, (void)oldContext;
	*err = U_UNSUPPORTED_ERROR;
}

/* ICU's stop-at-first-error callbacks, which libxml2 installs; never called. */
void
UCNV_FROM_U_CALLBACK_STOP(const void *context, UConverterFromUnicodeArgs *args,
    const UChar *codeUnits, int32_t length, UChar32 codePoint,
    UConverterCallbackReason reason, UErrorCode *err)
{
	(void)context, (void)args, (void)codeUnits, (void)length, (void)codePoint;
	(void)reason, (void)err;
}

void
UCNV_TO_U_CALLBACK_STOP(const void *context, UConverterToUnicodeArgs *args,
    const char *codeUnits, int32_t length, UConverterCallbackReason reason,
    UErrorCode *err)
{
	(void)context, (void)args, (void)codeUnits, (void)length, (void)reason;
	(void)err;
}
