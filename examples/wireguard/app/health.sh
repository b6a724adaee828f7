#!/bin/sh
# Run on the peer from the release directory with the service's environment: healthy once the
# server answers locally.
exec node -e "require('http').get({ host: '127.0.0.1', port: process.env.PORT }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"
