dnl kafka_queue is written in Rust: this shim lets `phpize && ./configure && make && make install`
dnl (what PIE runs, in this directory: composer.json's build-path) build it with cargo. It lives
dnl in ext/ so that the files phpize and configure write (a Makefile among them) stay out of
dnl the repository's root. Makefile.frag holds the build rule.

PHP_ARG_ENABLE([kafka-queue],
  [whether to enable kafka_queue],
  [AS_HELP_STRING([--enable-kafka-queue], [Build kafka_queue (default: yes)])],
  [yes])

PHP_ARG_WITH([cargo],
  [for a cargo given with --with-cargo],
  [AS_HELP_STRING([--with-cargo=PATH], [cargo, the Rust build tool (default: cargo from PATH or ~/.cargo/bin)])],
  [no],
  [no])

if test "$PHP_KAFKA_QUEUE" != "no"; then
  if test "$PHP_CARGO" != "no" && test "$PHP_CARGO" != "yes"; then
    KAFKA_QUEUE_CARGO=$PHP_CARGO
    test -x "$KAFKA_QUEUE_CARGO" || KAFKA_QUEUE_CARGO=no
  else
    AC_PATH_PROG([KAFKA_QUEUE_CARGO], [cargo], [no], [$PATH$PATH_SEPARATOR$HOME/.cargo/bin])
  fi
  if test "$KAFKA_QUEUE_CARGO" = "no"; then
    AC_MSG_ERROR([cargo not found. kafka_queue is written in Rust and builds with cargo: install a Rust toolchain (rustup, then open a new shell or run . "\$HOME/.cargo/env") and run configure again, or pass --with-cargo=/path/to/cargo. Building also needs clang (libclang-dev) and pkg-config with the development files of OpenSSL, libsasl2, libcurl, zlib and zstd. Without Rust: install a pre-built binary (pie install picks one when the release has one for this PHP).])
  fi
  AC_MSG_CHECKING([the cargo version])
  kafka_queue_cargo_version=`"$KAFKA_QUEUE_CARGO" --version 2>&1` || AC_MSG_ERROR([$KAFKA_QUEUE_CARGO --version failed: $kafka_queue_cargo_version])
  AC_MSG_RESULT([$kafka_queue_cargo_version])

  dnl The crate is the parent directory; cargo's build directory is $CARGO_TARGET_DIR when set
  dnl at configure time, else the crate's target/.
  KAFKA_QUEUE_CRATE=`cd "$abs_srcdir/.." && pwd`
  test -f "$KAFKA_QUEUE_CRATE/Cargo.toml" || AC_MSG_ERROR([no Cargo.toml in $KAFKA_QUEUE_CRATE: run phpize in the ext/ directory of the kafka_queue sources])
  KAFKA_QUEUE_TARGET_DIR=${CARGO_TARGET_DIR:-$KAFKA_QUEUE_CRATE/target}
  KAFKA_QUEUE_PHP_CONFIG=$PHP_CONFIG
  case $KAFKA_QUEUE_PHP_CONFIG in
    */*) ;;
    *) KAFKA_QUEUE_PHP_CONFIG=`command -v "$KAFKA_QUEUE_PHP_CONFIG"` ;;
  esac

  dnl No C sources: the module is the .so cargo builds, copied to modules/ by Makefile.frag.
  PHP_MODULES='$(phplibdir)/kafka_queue.so'
  PHP_ADD_BUILD_DIR([modules])
  PHP_SUBST(KAFKA_QUEUE_CARGO)
  PHP_SUBST(KAFKA_QUEUE_CRATE)
  PHP_SUBST(KAFKA_QUEUE_TARGET_DIR)
  PHP_SUBST(KAFKA_QUEUE_PHP_CONFIG)
  PHP_ADD_MAKEFILE_FRAGMENT([$abs_srcdir/Makefile.frag], [$abs_srcdir], [$abs_builddir])
fi
