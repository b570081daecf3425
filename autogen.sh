#!/bin/sh -e
# Regenerate the build system: ./autogen.sh && ./configure && make
mkdir -p m4 build-aux
autoreconf -fi
