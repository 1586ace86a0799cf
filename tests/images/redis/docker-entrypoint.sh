#!/bin/sh
# The entrypoint of faultbox's redis:7 test image, after the official image's
# docker-entrypoint.sh (without its gosu step: this image has no redis user,
# so redis-server runs as the container's user). POSIX sh for dash, and only
# shell builtins: the image holds no other programs.
set -e

# First argument an option (-f, --port ...) or a config file: they are
# redis-server's arguments.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

if [ "$1" = 'redis-server' ]; then
	shift
	config=
	if [ $# -gt 0 ] && [ -f "$1" ]; then
		config=$1
		shift
	fi
	# Redis refuses non-loopback clients in protected mode (no password, no
	# bind address), and every client of a container comes from outside its
	# loopback. A config file that sets protected-mode itself wins.
	unprotect=1
	if [ -n "$config" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in
				protected-mode*) unprotect= ;;
			esac
		done < "$config"
		set -- redis-server "$config" "$@"
	else
		# A test cache, not a database: nothing persisted unless the
		# arguments that follow say otherwise.
		set -- redis-server --save '' --appendonly no "$@"
	fi
	if [ -n "$unprotect" ]; then
		set -- "$@" --protected-mode no
	fi
fi

# As the official image: files redis creates are private to its user.
if [ "$(umask)" = '0022' ]; then
	umask 0077
fi

exec "$@"
