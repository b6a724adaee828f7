#!/bin/sh
# The service: exec, so that the server is the process Harness supervises.
exec node ./server.mjs
