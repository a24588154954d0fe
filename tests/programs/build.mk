# tests/programs/build.mk: real programs run under hakmem and under glibc
# (nothing to build; the Debian packages they need).
TEST_PACKAGES += python3 gcc binutils coreutils sqlite3 git redis-server redis-tools \
                 libpython3.11-testsuite
