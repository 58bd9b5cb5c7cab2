# Sourced by the scripts of scripts/phproot: what each PHP root is. Expects REPO and the PHP
# version (major.minor) as $1; sets PHP_VERSION, SUITE (the Debian suite debootstrap makes),
# EXTRA_SUITE (another suite apt may take packages from, or nothing) and CHROOT (its folder,
# git-ignored: .phproot/<version>/root, or KAFKA_QUEUE_PHP<NN>_ROOT).
#
#   8.4  Debian 13 (trixie), Drupal 11's usual PHP
#   8.5  Debian unstable (sid) with PHP 8.5 from experimental (unstable's PHP is still 8.4);
#        both move, so a root is set up once and then kept as it is (setup.sh installs only
#        what is missing)

PHP_VERSION=${1:-}
EXTRA_SUITE=
case $PHP_VERSION in
8.4) SUITE=trixie ;;
8.5) SUITE=sid EXTRA_SUITE=experimental ;;
*)
    echo "phproot: no PHP root for \"$PHP_VERSION\" (known: 8.4, 8.5)" >&2
    exit 2
    ;;
esac
root_var=KAFKA_QUEUE_PHP${PHP_VERSION/./}_ROOT
CHROOT=${!root_var:-$REPO/.phproot/$PHP_VERSION/root}
unset root_var
