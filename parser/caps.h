/* caps.h: caps_parse and the CAPS_* bits are declared with the domain XML parser. */
#include "domain.h"
