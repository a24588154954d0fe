# harness/ci.mk: the CI regression gate (harness/CI.md).
#   make ci         run the ci suite, compare with results/baseline/ci.json,
#                   write results/ci/report.md; fails when hakmem regressed
#   make baseline   regenerate results/baseline/ci.json (an accepted change)
#   make ci-packages  print every Debian package the project uses (.ci/run)
CI_PACKAGES := valgrind

.PHONY: ci baseline ci-packages
ci: all
	@harness/need-packages.sh $(CI_PACKAGES)
	@harness/ci.sh ci

baseline: all
	@harness/need-packages.sh $(CI_PACKAGES)
	@harness/ci.sh baseline

ci-packages:
	@echo $(sort $(BUILD_PACKAGES) $(TEST_PACKAGES) $(CI_PACKAGES))
