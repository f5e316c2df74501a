# wwsympa %post: %tmpfiles_create_package, then %systemd_post for the sockets, the services and the
# sender (presets: on Fedora they stay disabled until "systemctl enable --now wwsympa.socket
# wwsympa-lmtp.socket wwsympa-socketmap.socket sympasoap.socket wwsympa-sender.service").
systemd-tmpfiles --create /usr/lib/tmpfiles.d/wwsympa.conf >/dev/null 2>&1 || :
if [ "$1" -eq 1 ]; then
    if [ -x /usr/lib/systemd/systemd-update-helper ]; then
        /usr/lib/systemd/systemd-update-helper install-system-units wwsympa.socket wwsympa.service wwsympa-sender.service wwsympa-lmtp.socket wwsympa-lmtp.service wwsympa-socketmap.socket wwsympa-socketmap.service sympasoap.socket sympasoap.service || :
    else
        systemctl --no-reload preset wwsympa.socket wwsympa.service wwsympa-sender.service wwsympa-lmtp.socket wwsympa-lmtp.service wwsympa-socketmap.socket wwsympa-socketmap.service sympasoap.socket sympasoap.service >/dev/null 2>&1 || :
    fi
fi
