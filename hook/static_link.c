/*
 * static_link.c: what the static hook (see the Makefile) does without. The
 * --wrap'ed host-name lookups of libxml2's HTTP client fail here
 * (XML_PARSE_NONET). ICU, libxml2's fallback for encodings iconv lacks, would
 * bring 30 MB and libstdc++ into every hook; libvirt writes UTF-8, so its
 * functions fail here instead and such a document is refused as an
 * unsupported encoding. liblzma, for the .xz files libxml2 can read (the hook
 * parses memory), would run its CPU probe at every start: its functions fail
 * here too.
 */
#include <lzma.h>
#include <netdb.h>
#include <stddef.h>
#include <unicode/ucnv.h>

int	__wrap_getaddrinfo(const char *, const char *, const struct addrinfo *,
	    struct addrinfo **);
struct hostent *__wrap_gethostbyname(const char *);

int
__wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	*res = NULL;
	return EAI_FAIL;
}

struct hostent *
__wrap_gethostbyname(const char *name)
{
	h_errno = NO_RECOVERY;
	return NULL;
}

UConverter *
ucnv_open(const char *name, UErrorCode *err)
{
	*err = U_UNSUPPORTED_ERROR;
	return NULL;
}

void
ucnv_close(UConverter *cnv)
{
}

/* Never reached (no converter opens); they fail all the same. */
void
ucnv_convertEx(UConverter *to, UConverter *from, char **target,
    const char *targetLimit, const char **source, const char *sourceLimit,
    UChar *pivotStart, UChar **pivotSource, UChar **pivotTarget,
    const UChar *pivotLimit, UBool reset, UBool flush, UErrorCode *err)
{
	*err = U_UNSUPPORTED_ERROR;
}

void
ucnv_setToUCallBack(UConverter *cnv, UConverterToUCallback action,
    const void *context, UConverterToUCallback *oldAction,
    const void **oldContext, UErrorCode *err)
{
	*err = U_UNSUPPORTED_ERROR;
}

void
ucnv_setFromUCallBack(UConverter *cnv, UConverterFromUCallback action,
    const void *context, UConverterFromUCallback *oldAction,
    const void **oldContext, UErrorCode *err)
{
	*err = U_UNSUPPORTED_ERROR;
}

/* ICU's stop-at-first-error callbacks, which libxml2 installs. */
void
UCNV_FROM_U_CALLBACK_STOP(const void *context, UConverterFromUnicodeArgs *args,
    const UChar *codeUnits, int32_t length, UChar32 codePoint,
    UConverterCallbackReason reason, UErrorCode *err)
{
}

void
UCNV_TO_U_CALLBACK_STOP(const void *context, UConverterToUnicodeArgs *args,
    const char *codeUnits, int32_t length, UConverterCallbackReason reason,
    UErrorCode *err)
{
}

lzma_ret
lzma_auto_decoder(lzma_stream *strm, uint64_t memlimit, uint32_t flags)
{
	return LZMA_PROG_ERROR;
}

lzma_ret
lzma_code(lzma_stream *strm, lzma_action action)
{
	return LZMA_PROG_ERROR;
}

void
lzma_end(lzma_stream *strm)
{
}

lzma_ret
lzma_properties_decode(lzma_filter *filter, const lzma_allocator *allocator,
    const uint8_t *props, size_t props_size)
{
	return LZMA_OPTIONS_ERROR;
}
