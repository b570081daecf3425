#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# icinga.sh - contrib/icinga2/fwaudit.conf and contrib/nagios/fwaudit.cfg
# with the real tools: `icinga2 daemon -C` validates the CheckCommands and
# the service template applied to a host; a real Icinga 2 (its checker,
# run by hand with every path in a temporary directory, as root) then
# runs the check against a namespace with Redis's port open and no
# firewall, and its PerfdataWriter shows CRITICAL with fwaudit's output,
# the arguments rendered from the variables; `nagios4 -v` validates the
# Nagios command and template.  A few seconds.
set -euo pipefail
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

fwa_require_root
fwa_require_tools icinga2 nagios4 socat ip
fwa_require_fwaudit
fwa_tmpdir T
V=$T/var
mkdir -p "$V/data" "$V/log" "$V/cache" "$V/spool" "$V/run"
# every path Icinga writes, in $T; the checks run as root
DEFS=(-DDataDir="$V/data" -DLogDir="$V/log" -DCacheDir="$V/cache"
	-DSpoolDir="$V/spool" -DInitRunDir="$V/run" -DRunAsUser=root
	-DRunAsGroup=root)

# the shape an administrator writes: the template applied by a rule
cat > "$T/validate.conf" <<EOC
include <itl>
include "$top_srcdir/contrib/icinga2/fwaudit.conf"
object Host "node-1" { check_command = "dummy"; vars.os = "Linux" }
object Host "node-2" { check_command = "dummy"; vars.os = "Linux" }
apply Service "fwaudit" {
  import "fwaudit-service"
  vars.fwaudit_interfaces = [ "eth0", "ens3" ]
  assign where host.vars.os == "Linux"
}
apply Service "fwaudit-sudo" {
  import "fwaudit-service"
  check_command = "fwaudit-sudo"
  vars.fwaudit_rules = "/etc/fwaudit/local.rules"
  assign where host.name == "node-2"
}
EOC
if icinga2 daemon -C -c "$T/validate.conf" "${DEFS[@]}" >"$T/validate.log" 2>&1 &&
	grep -q 'Instantiated 3 Services' "$T/validate.log"; then
	fwa_pass "icinga2 daemon -C: the CheckCommands and the template, applied to two hosts"
else
	fwa_fail "icinga2 daemon -C: $(grep -v information/ "$T/validate.log" | tail -10)"
fi

# a node with tcp/6379 listening and no firewall: critical by the shipped
# default policy.  Icinga runs the check through a wrapper that enters the
# namespace and records its arguments.
fwa_ns_new NODE node
fwa_ns_new PEER peer
fwa_veth "$NODE" eth0 198.51.100.1/24 "$PEER" eth0 198.51.100.2/24
fwa_bg L ip netns exec "$NODE" socat TCP-LISTEN:6379,bind=0.0.0.0,fork,reuseaddr SYSTEM:true
for ((i = 0; i < 50; i++)); do
	ip netns exec "$NODE" ss -Hltn 'sport = :6379' | grep -q . && break
	sleep 0.1
done
cat > "$T/fwaudit-in-node" <<EOS
#!/bin/sh
printf '%s\n' "\$*" >> "$T/args"
exec ip netns exec "$NODE" "$FWAUDIT" "\$@"
EOS
chmod 755 "$T/fwaudit-in-node"
cat > "$T/run.conf" <<EOC
include <itl>
include "$top_srcdir/contrib/icinga2/fwaudit.conf"
object CheckerComponent "checker" { }
object Host "node" { check_command = "dummy"; enable_active_checks = false }
object Service "fwaudit" {
  host_name = "node"
  import "fwaudit-service"
  check_interval = 1s
  retry_interval = 1s
  vars.fwaudit_binary = "$T/fwaudit-in-node"
  vars.fwaudit_rules = "$top_srcdir/rules/default.rules"
  vars.fwaudit_interfaces = [ "eth0" ]
}
object PerfdataWriter "results" {
  host_perfdata_path = "$V/host-perfdata"
  host_temp_path = "$V/host-perfdata.tmp"
  service_perfdata_path = "$V/results"
  service_temp_path = "$V/results.tmp"
  service_format_template = "STATE::\$service.state\$\tOUTPUT::\$service.output\$\tPERF::\$service.perfdata\$"
  rotation_interval = 1s
}
EOC
fwa_bg IC icinga2 daemon -c "$T/run.conf" "${DEFS[@]}" >"$T/icinga2.log" 2>&1
for ((i = 0; i < 100; i++)); do
	cat "$V"/results.[0-9]* 2>/dev/null | grep -q '^STATE::' && break
	kill -0 "$IC" 2>/dev/null || break
	sleep 0.2
done
fwa_stop "$IC" 20
r=$(cat "$V"/results.[0-9]* 2>/dev/null | grep -m1 '^STATE::' || true)
if [[ $r == STATE::CRITICAL*OUTPUT::"FWAUDIT CRITICAL"*PERF::*critical=* ]]; then
	fwa_pass "icinga2 ran the check: ${r//$'\t'/ }"
else
	fwa_fail "icinga2 check result: '${r}'; $(grep -v information/ "$T/icinga2.log" | tail -5)"
fi
a=$(head -1 "$T/args" 2>/dev/null || true)
[ "$a" = "audit --format nagios --interface eth0 --rules $top_srcdir/rules/default.rules" ] &&
	fwa_pass "arguments from the variables: $a" ||
	fwa_fail "arguments from the variables: '$a'"

# Nagios 4: the command and the template, with the least around them
cat > "$T/objects.cfg" <<'EOC'
define timeperiod {
    timeperiod_name 24x7
    alias           always
    sunday          00:00-24:00
    monday          00:00-24:00
    tuesday         00:00-24:00
    wednesday       00:00-24:00
    thursday        00:00-24:00
    friday          00:00-24:00
    saturday        00:00-24:00
}
define command {
    command_name    nothing
    command_line    /bin/true
}
define contact {
    contact_name                    root
    host_notifications_enabled      0
    service_notifications_enabled   0
    host_notification_period        24x7
    service_notification_period     24x7
    host_notification_options       n
    service_notification_options    n
    host_notification_commands      nothing
    service_notification_commands   nothing
}
define contactgroup {
    contactgroup_name   admins
    members             root
}
define host {
    host_name           node-1
    address             127.0.0.1
    check_command       nothing
    max_check_attempts  1
    check_period        24x7
    contact_groups      admins
    notification_period 24x7
}
define service {
    use                 fwaudit-service
    host_name           node-1
}
EOC
cat > "$T/nagios.cfg" <<EOC
cfg_file=$T/objects.cfg
cfg_file=$top_srcdir/contrib/nagios/fwaudit.cfg
lock_file=$T/nagios.lock
temp_file=$T/nagios.tmp
log_file=$T/nagios.log
status_file=$T/status.dat
object_cache_file=$T/objects.cache
precached_object_file=$T/objects.precache
check_result_path=$T
state_retention_file=$T/retention.dat
command_file=$T/nagios.cmd
nagios_user=root
nagios_group=root
illegal_macro_output_chars=\`~\$&|'"<>
EOC
if nagios4 -v "$T/nagios.cfg" >"$T/nagios-v.log" 2>&1 &&
	grep -q 'Total Errors: *0' "$T/nagios-v.log" &&
	grep -q 'Checked 1 services' "$T/nagios-v.log"; then
	fwa_pass "nagios4 -v: $(grep -E 'Total (Warnings|Errors)' "$T/nagios-v.log" | tr -s ' \n' ' ')"
else
	fwa_fail "nagios4 -v: $(grep -iE 'error|warning' "$T/nagios-v.log" | head -5)"
fi
fwa_finish
