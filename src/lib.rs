//! kafka_queue: a Drupal queue backend on Apache Kafka, as a PHP extension.
//!
//! Three layers whose doors open one way: [`php`] (the PHP classes) → [`queue`] (the queue
//! contract, plain Rust) → [`kafka`] (librdkafka); [`process`] holds what every layer may use.

pub mod kafka;
#[cfg(not(test))]
pub mod php;
pub mod process;
pub mod queue;

/// The doors open one way: each layer names only the layers below it.
#[cfg(test)]
mod layers {
    use std::fs;
    use std::path::Path;

    /// Every `use`/path mention of `crate::<layer>` or of a foreign crate in the files of `dir`.
    fn mentions(dir: &str, forbidden: &[&str]) -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
        let mut found = Vec::new();
        for entry in fs::read_dir(&root).unwrap() {
            let path = entry.unwrap().path();
            let text = fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for name in forbidden {
                    if code.contains(name) {
                        found.push(format!("{}:{}: {name}", path.display(), n + 1));
                    }
                }
            }
        }
        found
    }

    #[test]
    fn each_layer_names_only_the_layers_below_it() {
        assert_eq!(
            mentions(
                "process",
                &[
                    "crate::php",
                    "crate::queue",
                    "crate::kafka",
                    "rdkafka::",
                    "ext_php_rs"
                ]
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            mentions("kafka", &["crate::php", "crate::queue", "ext_php_rs"]),
            Vec::<String>::new()
        );
        assert_eq!(
            mentions("queue", &["crate::php", "ext_php_rs"]),
            Vec::<String>::new()
        );
        assert_eq!(
            mentions("php", &["crate::kafka", "rdkafka::"]),
            Vec::<String>::new()
        );
    }
}
