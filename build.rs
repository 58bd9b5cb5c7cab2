//! Build-time facts for `php --ri kafka_queue` and the release archives' names.
//!
//! ext-php-rs generates its Zend bindings from the PHP that `php` (or `$PHP`) runs, while
//! `phpize`, PIE and `make install` use `php-config` (or `$PHP_CONFIG`). This script checks that
//! both name the same PHP, so that an extension is never built for one PHP and installed into
//! another, and records what the build targets:
//!
//! - `KAFKA_QUEUE_PHP_VERSION`, `KAFKA_QUEUE_PHP_API`: the PHP version and its API number
//!   (a PHP refuses to load an extension built for another API);
//! - `KAFKA_QUEUE_PHP_BUILD`: `nts`/`zts`, with `-debug` for a debug PHP;
//! - `KAFKA_QUEUE_RELEASE`: the name PIE looks for among a release's pre-packaged binaries,
//!   `php_kafka_queue-<version>_php<major.minor>-<arch>-<os>-<libc>[-debug]-<nts|zts>`;
//! - `KAFKA_QUEUE_LIBRDKAFKA_FEATURES`: what the bundled librdkafka was configured with (TLS,
//!   SASL mechanisms, codecs), from its own config.h.

use std::env;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

/// The oldest PHP ext-php-rs 0.16 builds for.
const MIN_PHP: (u32, u32) = (8, 1);

/// librdkafka's BUILT_WITH names the build tools too; these are the parts a user cares about.
const FEATURES: &[(&str, &str)] = &[
    ("SSL", "ssl"),
    ("SASL_CYRUS", "sasl_gssapi"),
    ("SASL_SCRAM", "sasl_scram"),
    ("SASL_OAUTHBEARER", "sasl_oauthbearer"),
    ("OAUTHBEARER_OIDC", "oidc"),
    ("CURL", "curl"),
    ("ZLIB", "gzip"),
    ("SNAPPY", "snappy"),
    ("ZSTD", "zstd"),
];

fn main() {
    for var in ["PHP", "PHP_CONFIG", "PATH", "DEP_RDKAFKA_ROOT"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=build.rs");

    let php = env::var("PHP").unwrap_or_else(|_| "php".into());
    let php_config = env::var("PHP_CONFIG").unwrap_or_else(|_| "php-config".into());

    let info = run(&php, &["-n", "-i"]);
    let key = |name: &str| -> String {
        let prefix = format!("{name} => ");
        info.lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .unwrap_or_else(|| fail(&format!("`{php} -i` prints no \"{name}\"")))
            .trim()
            .to_string()
    };
    let version = key("PHP Version");
    let api = key("PHP API");
    let zts = key("Thread Safety") == "enabled";
    let debug = key("Debug Build") == "yes";

    let config_version = run(&php_config, &["--version"]).trim().to_string();
    let config_api = run(&php_config, &["--phpapi"]).trim().to_string();
    if config_version != version || config_api != api {
        fail(&format!(
            "`{php}` is PHP {version} (API {api}) but `{php_config}` is PHP {config_version} \
             (API {config_api}): the extension would be built for one PHP and installed into the \
             other. Name the same PHP twice, e.g. PHP_CONFIG=/usr/bin/php-config8.4 \
             PHP=$(php-config8.4 --php-binary)"
        ));
    }

    let (major, minor) = major_minor(&version);
    if (major, minor) < MIN_PHP {
        fail(&format!(
            "PHP {version} is too old: kafka_queue needs PHP {}.{} or newer",
            MIN_PHP.0, MIN_PHP.1
        ));
    }

    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = match env::var("CARGO_CFG_TARGET_OS").unwrap_or_default().as_str() {
        "macos" => "darwin".to_string(),
        other => other.to_string(),
    };
    let libc = match env::var("CARGO_CFG_TARGET_ENV")
        .unwrap_or_default()
        .as_str()
    {
        "gnu" => "glibc",
        "musl" => "musl",
        _ if os == "darwin" => "bsdlibc",
        other => fail(&format!(
            "no PIE libc name for the target environment {other:?}"
        )),
    };
    let build = format!(
        "{}{}",
        if debug { "debug-" } else { "" },
        if zts { "zts" } else { "nts" }
    );
    let release = format!(
        "php_kafka_queue-{}_php{major}.{minor}-{arch}-{os}-{libc}-{build}",
        env::var("CARGO_PKG_VERSION").unwrap_or_default()
    );

    println!("cargo:rustc-env=KAFKA_QUEUE_PHP_VERSION={version}");
    println!("cargo:rustc-env=KAFKA_QUEUE_PHP_API={api}");
    println!("cargo:rustc-env=KAFKA_QUEUE_PHP_BUILD={build}");
    println!("cargo:rustc-env=KAFKA_QUEUE_RELEASE={release}");
    println!(
        "cargo:rustc-env=KAFKA_QUEUE_LIBRDKAFKA_FEATURES={}",
        librdkafka_features()
    );

    // src/kafka/patches.rs: guards around librdkafka functions that crash (GNU ld's --wrap).
    if os == "linux" {
        println!("cargo:rustc-link-arg=-Wl,--wrap=rd_kafka_cgrp_op");
    }

    // A PHP extension on macOS resolves the Zend symbols when PHP loads it.
    if os == "darwin" {
        println!("cargo:rustc-cdylib-link-arg=-undefined");
        println!("cargo:rustc-cdylib-link-arg=dynamic_lookup");
    }
}

/// The user-facing parts of the BUILT_WITH line of librdkafka's generated config.h
/// (rdkafka-sys exports its build directory as DEP_RDKAFKA_ROOT).
fn librdkafka_features() -> String {
    let Some(root) = env::var_os("DEP_RDKAFKA_ROOT").map(PathBuf::from) else {
        fail("rdkafka-sys did not export its build directory (DEP_RDKAFKA_ROOT)");
    };
    let config = root.join("config.h");
    println!("cargo:rerun-if-changed={}", config.display());
    let text = fs::read_to_string(&config)
        .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", config.display())));
    let built_with = text
        .lines()
        .find_map(|line| line.strip_prefix("#define BUILT_WITH "))
        .unwrap_or_else(|| fail(&format!("{} has no BUILT_WITH", config.display())))
        .trim_matches('"');
    let tokens: Vec<&str> = built_with.split_whitespace().collect();
    let mut features: Vec<&str> = FEATURES
        .iter()
        .filter(|(token, _)| tokens.contains(token))
        .map(|&(_, name)| name)
        .collect();
    // librdkafka compiles its own copy of lz4 when there is no system one (LZ4_EXT): always in.
    features.push("lz4");
    features.join(", ")
}

fn major_minor(version: &str) -> (u32, u32) {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            fail(&format!(
                "cannot run `{program}`: {e}. Install PHP's development files (php-dev) or set \
             PHP and PHP_CONFIG to the PHP to build for"
            ))
        });
    if !output.status.success() {
        fail(&format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn fail(message: &str) -> ! {
    eprintln!("kafka_queue build: {message}");
    std::process::exit(1);
}
