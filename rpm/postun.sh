# wwsympa %postun: %systemd_postun_with_restart for the socket, the service and the sender (restart
# running units after an upgrade). The lists database in /var/lib/wwsympa and the user are kept.
if [ "$1" -ge 1 ]; then
    if [ -x /usr/lib/systemd/systemd-update-helper ]; then
        /usr/lib/systemd/systemd-update-helper mark-restart-system-units wwsympa.socket wwsympa.service wwsympa-sender.service wwsympa-lmtp.socket wwsympa-lmtp.service wwsympa-socketmap.socket wwsympa-socketmap.service sympasoap.socket sympasoap.service || :
    elif [ -d /run/systemd/system ]; then
        systemctl daemon-reload >/dev/null 2>&1 || :
        systemctl try-restart wwsympa.socket wwsympa.service wwsympa-sender.service wwsympa-lmtp.socket wwsympa-lmtp.service wwsympa-socketmap.socket wwsympa-socketmap.service sympasoap.socket sympasoap.service >/dev/null 2>&1 || :
    fi
fi
