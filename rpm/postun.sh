# wwsympa %postun: %systemd_postun_with_restart wwsympa.socket wwsympa.service (restart running
# units after an upgrade). The lists database in /var/lib/wwsympa and the user are kept on erase.
if [ "$1" -ge 1 ]; then
    if [ -x /usr/lib/systemd/systemd-update-helper ]; then
        /usr/lib/systemd/systemd-update-helper mark-restart-system-units wwsympa.socket wwsympa.service || :
    elif [ -d /run/systemd/system ]; then
        systemctl daemon-reload >/dev/null 2>&1 || :
        systemctl try-restart wwsympa.socket wwsympa.service >/dev/null 2>&1 || :
    fi
fi
