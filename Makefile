# paperboy build. `make` builds build/paperboy; `make test` runs every test.
#   SAN=1     build with AddressSanitizer + UndefinedBehaviorSanitizer
#   WERROR=1  treat warnings as errors (CI)
#   O=dir     build folder (default: build, or build-san with SAN=1)

CC      ?= cc
PKGS    := sqlite3 libxml-2.0 jansson libzstd zlib libmicrohttpd libsodium libcurl libpq openblas lapacke
SAN     ?= 0
# CI=true (as CI sets it) makes warnings errors too
WERROR  ?= $(if $(filter true 1,$(CI)),1,0)
ifeq ($(SAN),1)
O       ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1 -g
else
O       ?= build
SANFLAGS :=
OPT     := -O2 -g
endif

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter -Wno-format-truncation
ifeq ($(WERROR),1)
WARN    += -Werror
endif

CFLAGS_ALL  := -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) $(shell pkg-config --cflags $(PKGS)) -MMD -MP $(CFLAGS)
LDLIBS_ALL  := $(shell pkg-config --libs $(PKGS)) -lstemmer -lm -lpthread $(LDLIBS)
LDFLAGS_ALL := $(SANFLAGS) $(LDFLAGS)

LIB_SRC  := $(sort $(wildcard src/*/*.c))
LIB_SRC  := $(filter-out src/cli/main.c,$(LIB_SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o)
MAIN_OBJ := $(O)/src/cli/main.o
TEST_SRC := $(sort $(wildcard tests/unit/*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(O)/%.o)

all: $(O)/paperboy

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# the OpenAPI document is compiled into the API module
$(O)/src/web/api.o: docs/openapi.json

$(O)/libpaperboy.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(O)/paperboy: $(MAIN_OBJ) $(O)/libpaperboy.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(O)/unit-tests: $(TEST_OBJ) $(O)/libpaperboy.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

test: $(O)/paperboy $(O)/unit-tests
	@PB_BIN=$(abspath $(O)/paperboy) PB_UNIT=$(abspath $(O)/unit-tests) tests/run

# Fuzz harnesses (clang + libFuzzer): make fuzz CC=clang
FUZZ_SRC := $(wildcard fuzz/*.c)
fuzz: $(FUZZ_SRC:fuzz/%.c=$(O)/fuzz-%)
$(O)/fuzz-%: fuzz/%.c $(LIB_SRC)
	@mkdir -p $(O)
	clang -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined $(shell pkg-config --cflags $(PKGS)) -o $@ $< $(filter-out src/cli/%,$(LIB_SRC)) $(LDLIBS_ALL)

format:
	clang-format -i $(wildcard src/*/*.c src/*/*.h tests/unit/*.c tests/unit/*.h fuzz/*.c)

clean:
	rm -rf build build-san

.PHONY: all test fuzz format clean
-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
