# Release archives for PIE's pre-packaged-binary download (scripts/dist/dist.sh). Included by
# the top-level Makefile.

DIST_SH := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../scripts/dist/dist.sh)

.PHONY: dist

dist: build ## dist/: an archive per PHP (8.2, 8.4, 8.5) named as PIE looks for it, SHA256SUMS; each .so checked to load
	@$(DIST_SH)
