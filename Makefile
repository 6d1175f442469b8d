# make test: the README's test command. make fuzz: every fuzz target in the module, one after
# another, FUZZTIME each (go test -fuzz takes one target of one package per run). Crashers are
# kept in the package's testdata/fuzz/ and replayed by every later `go test`.
FUZZTIME ?= 60s
FUZZFLAGS ?= -parallel 1 -fuzzminimizetime 10s

.PHONY: test fuzz fuzz-list

test:
	go test -race -count=1 ./...

# fuzz-list prints "package target" for every func FuzzX in a _test.go file.
fuzz-list:
	@grep -r --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]*' . | sed 's|^\(.*\)/[^/]*_test.go:func |\1 |' | sort

fuzz:
	@set -e; $(MAKE) -s fuzz-list | while read -r pkg name; do \
		echo "== $$pkg $$name ($(FUZZTIME))"; \
		go test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) "$$pkg" </dev/null; \
	done
