/* config.h: where pairs.ini is. */
#ifndef VSERLINK_CONFIG_H
#define VSERLINK_CONFIG_H

#define CONFIG_DEFAULT	SYSCONFDIR "/vserlink/pairs.ini"
#define CONFIG_ENV	"VSERLINK_CONFIG"

/* override (-c FILE) if set, else $VSERLINK_CONFIG if set, else the default. */
const char	*config_path(const char *override);

#endif
