# shellcheck shell=bash disable=SC2154 # state is set by the scripts that source this one
# The two guests and the five links between them that the end-to-end test and the package test
# (tests/package/run.sh) wire, and the pairs.ini that declares them. Sourced; the caller sets
#   state    the hook's state_dir

ga=vserlink-e2e-a gb=vserlink-e2e-b
# Five links: four virtio channels wired crosswise, so that a hook confusing ports or directions
# cannot pass by luck, and the serial ports. LINK PORT_ON_A PORT_ON_B.
links=(
	"cross13 org.linux-kvm.port.1 org.linux-kvm.port.3"
	"cross24 org.linux-kvm.port.2 org.linux-kvm.port.4"
	"cross31 org.linux-kvm.port.3 org.linux-kvm.port.1"
	"cross42 org.linux-kvm.port.4 org.linux-kvm.port.2"
	"serial serial1 serial1"
)

# pairs_ini: prints the pairs.ini of the links, with the guest names as keys; B's end first in one
# link, so order in a section means nothing.
pairs_ini() {
	local link pa pb
	printf '[vserlink]\nstate_dir = %s\n' "$state"
	for link in "${links[@]}"; do
		read -r link pa pb <<<"$link"
		if [ "$link" = cross24 ]; then
			printf '\n[%s]\n%s = %s\n%s = %s\n' "$link" "$gb" "$pb" "$ga" "$pa"
		else
			printf '\n[%s]\n%s = %s\n%s = %s\n' "$link" "$ga" "$pa" "$gb" "$pb"
		fi
	done
}

# foreign_hook PATH LOG: puts another program's hook at PATH, a script that appends its first three
# arguments (for the QEMU hook: guest, operation, sub-operation) as a line to LOG.
foreign_hook() {
	cat >"$1" <<-EOF
		#!/bin/sh
		# Another program's hook: it notes each event.
		echo "\$1 \$2 \$3" >>$2
		cat >/dev/null
	EOF
	chmod 0755 "$1"
}
