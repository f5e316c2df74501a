# wwsympa %preun: %systemd_preun for the socket, the service and the sender (stop and disable on
# erase only).
if [ "$1" -eq 0 ]; then
    if [ -x /usr/lib/systemd/systemd-update-helper ]; then
        /usr/lib/systemd/systemd-update-helper remove-system-units wwsympa.socket wwsympa.service wwsympa-sender.service wwsympa-lmtp.socket wwsympa-lmtp.service wwsympa-socketmap.socket wwsympa-socketmap.service sympasoap.socket sympasoap.service || :
    else
        systemctl --no-reload disable --now wwsympa.socket wwsympa.service wwsympa-sender.service wwsympa-lmtp.socket wwsympa-lmtp.service wwsympa-socketmap.socket wwsympa-socketmap.service sympasoap.socket sympasoap.service >/dev/null 2>&1 || :
    fi
fi
