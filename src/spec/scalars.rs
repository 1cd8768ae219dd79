//! Validated scalar types of the spec language: names, image references, paths, durations,
//! percentages and Kubernetes quantities.
//!
//! Each type publishes its pattern into the JSON Schema (so editors and `mcpgen check` reject the
//! same strings) and offers the parsing the semantic checks and the compilers need. Parsing is
//! total on anything the pattern accepts; on anything else it returns `None` rather than
//! panicking, because these values are user input.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// DNS-1123 label.
pub const NAME_PATTERN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
/// DNS-1123 subdomain (a host name).
pub const HOST_PATTERN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/// Absolute HTTP path. Deliberately narrower than RFC 3986: the path reaches ingress-nginx
/// annotations (`rewrite-target`, the regex location), where `;`, `$`, spaces, quotes, braces
/// and regex or rewrite metacharacters would change the controller's configuration.
pub const PATH_PATTERN: &str = r"^/[A-Za-z0-9._~%:/-]*$";
/// Duration such as `30s`, `5m`, `1h30m`, `500ms`.
pub const DURATION_PATTERN: &str = r"^([0-9]+(ms|s|m|h|d|w))+$";
/// Percentage such as `5%` or `99.5%`.
pub const PERCENT_PATTERN: &str = r"^[0-9]+(\.[0-9]+)?%$";
/// CPU quantity: millicores (`500m`) or cores (`2`, `0.5`).
pub const CPU_PATTERN: &str = r"^([0-9]+m|[0-9]+(\.[0-9]{1,3})?)$";
/// Memory quantity: bytes with an optional binary or decimal suffix.
pub const MEMORY_PATTERN: &str = r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";
/// MCP protocol revision date.
pub const PROTOCOL_VERSION_PATTERN: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
/// Container image reference: `[registry[:port]/]repository[:tag][@sha256:digest]`.
pub const IMAGE_PATTERN: &str = r"^([a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:[0-9]{1,5})?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$";

macro_rules! string_scalar {
    ($(#[$doc:meta])* $name:ident, $schema_name:literal, $pattern:expr, $desc:literal $(, max = $max:literal)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The text as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// Wrap a string without checking it; for defaults and tests.
            pub fn new_unchecked(s: impl Into<String>) -> Self {
                Self(s.into())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(Self)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                $schema_name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                #[allow(unused_mut)]
                let mut s = json_schema!({
                    "type": "string",
                    "pattern": $pattern,
                    "description": $desc,
                });
                $( s.insert("maxLength".into(), $max.into()); )?
                s
            }
        }
    };
}

string_scalar!(
    /// A DNS-1123 label: lower-case letters, digits and `-`, at most 63 characters.
    Name, "Name", NAME_PATTERN,
    "DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit.",
    max = 63
);
string_scalar!(
    /// A host name (DNS-1123 subdomain).
    HostName, "HostName", HOST_PATTERN,
    "Host name: dot-separated DNS-1123 labels, lower case.",
    max = 253
);
string_scalar!(
    /// An absolute HTTP path.
    HttpPath, "HttpPath", PATH_PATTERN,
    "Absolute HTTP path, e.g. /mcp."
);
string_scalar!(
    /// An MCP protocol revision (`YYYY-MM-DD`).
    ProtocolVersion, "ProtocolVersion", PROTOCOL_VERSION_PATTERN,
    "MCP protocol revision, e.g. 2025-06-18."
);
string_scalar!(
    /// A container image reference.
    ImageRef, "ImageRef", IMAGE_PATTERN,
    "Container image: [registry[:port]/]repository[:tag][@sha256:digest], repository in lower case.",
    max = 512
);
string_scalar!(
    /// A duration such as `30s`, `5m`, `1h30m` or `500ms`.
    Duration, "Duration", DURATION_PATTERN,
    "Duration: one or more <number><unit> with unit ms, s, m, h, d or w, e.g. 30s, 5m, 1h30m."
);
string_scalar!(
    /// A percentage such as `5%`.
    Percent, "Percent", PERCENT_PATTERN,
    "Percentage, e.g. 5% or 99.5%."
);

impl ImageRef {
    /// The tag, if any (`1.2.3` in `repo:1.2.3@sha256:…`).
    pub fn tag(&self) -> Option<&str> {
        let without_digest = self.0.split('@').next().unwrap_or("");
        let last_segment = without_digest.rsplit('/').next().unwrap_or("");
        last_segment.split_once(':').map(|(_, t)| t)
    }
    /// The digest, if any (`sha256:…`).
    pub fn digest(&self) -> Option<&str> {
        self.0.split_once('@').map(|(_, d)| d)
    }
    /// The repository without tag or digest.
    pub fn repository(&self) -> &str {
        let without_digest = self.0.split('@').next().unwrap_or("");
        match without_digest.rfind(':') {
            Some(i) if !without_digest[i..].contains('/') => &without_digest[..i],
            _ => without_digest,
        }
    }
}

impl Duration {
    /// The duration in milliseconds, or `None` when it does not fit.
    pub fn millis(&self) -> Option<u64> {
        parse_duration_ms(&self.0)
    }
    /// The duration in whole seconds (rounded up), or `None` when it does not fit.
    pub fn seconds(&self) -> Option<u64> {
        self.millis().map(|ms| ms.div_ceil(1000))
    }
}

/// Parses `1h30m`, `500ms`, `2d` into milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit, len) = if rest.starts_with("ms") {
            (1, 2)
        } else {
            let factor = match rest.as_bytes().first()? {
                b's' => 1_000,
                b'm' => 60_000,
                b'h' => 3_600_000,
                b'd' => 86_400_000,
                b'w' => 604_800_000,
                _ => return None,
            };
            (factor, 1)
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
        rest = &rest[len..];
    }
    Some(total)
}

impl Percent {
    /// The value as a number of percent (`5%` → 5.0).
    pub fn value(&self) -> Option<f64> {
        self.0.strip_suffix('%')?.parse().ok()
    }
}

/// A quantity that may be written as a string or a bare YAML number.
macro_rules! quantity_scalar {
    ($(#[$doc:meta])* $name:ident, $schema_name:literal, $pattern:expr, $desc:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The quantity as written (numbers are turned into their decimal text).
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// Wrap a string without checking it; for defaults and tests.
            pub fn new_unchecked(s: impl Into<String>) -> Self {
                Self(s.into())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                match serde_json::Value::deserialize(d)? {
                    serde_json::Value::String(s) => Ok(Self(s)),
                    serde_json::Value::Number(n) => Ok(Self(n.to_string())),
                    other => Err(serde::de::Error::custom(format!(
                        "expected a quantity, found {other}"
                    ))),
                }
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                $schema_name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": ["string", "number"],
                    "pattern": $pattern,
                    "minimum": 0,
                    "description": $desc,
                })
            }
        }
    };
}

quantity_scalar!(
    /// CPU quantity.
    Cpu, "Cpu", CPU_PATTERN,
    "CPU: cores (\"2\", 0.5) or millicores (500m)."
);
quantity_scalar!(
    /// Memory quantity.
    Memory, "Memory", MEMORY_PATTERN,
    "Memory: bytes with optional suffix Ki, Mi, Gi, Ti, Pi, Ei (binary) or k, M, G, T, P, E (decimal), e.g. 512Mi."
);

impl Cpu {
    /// The quantity in millicores.
    pub fn millis(&self) -> Option<u64> {
        if let Some(m) = self.0.strip_suffix('m') {
            return m.parse().ok();
        }
        let cores: f64 = self.0.parse().ok()?;
        if !(0.0..1e12).contains(&cores) {
            return None;
        }
        Some((cores * 1000.0).round() as u64)
    }
}

impl Memory {
    /// The quantity in bytes.
    pub fn bytes(&self) -> Option<u128> {
        let s = self.0.as_str();
        let split = s
            .find(|c: char| {
                !(c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+')
            })
            .unwrap_or(s.len());
        // `E` is both an exponent marker and the exa suffix; the pattern only admits the suffix.
        let (num, suffix) = if s.ends_with('E') && !s.ends_with("iE") {
            (&s[..s.len() - 1], "E")
        } else {
            (&s[..split], &s[split..])
        };
        let n: f64 = num.parse().ok()?;
        let factor: f64 = match suffix {
            "" => 1.0,
            "Ki" => 1024f64,
            "Mi" => 1024f64.powi(2),
            "Gi" => 1024f64.powi(3),
            "Ti" => 1024f64.powi(4),
            "Pi" => 1024f64.powi(5),
            "Ei" => 1024f64.powi(6),
            "k" => 1e3,
            "M" => 1e6,
            "G" => 1e9,
            "T" => 1e12,
            "P" => 1e15,
            "E" => 1e18,
            _ => return None,
        };
        let v = n * factor;
        if !(0.0..1e30).contains(&v) {
            return None;
        }
        Some(v.round() as u128)
    }
}

/// An environment variable value. YAML numbers and booleans are accepted and kept as text, so
/// `PORT: 8080` and `DEBUG: true` mean the strings `"8080"` and `"true"`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnvValue(String);

impl EnvValue {
    /// The value as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Wrap a string.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
}

impl Serialize for EnvValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EnvValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Self(s)),
            serde_json::Value::Number(n) => Ok(Self(n.to_string())),
            serde_json::Value::Bool(b) => Ok(Self(b.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "expected a string, number or boolean, found {other}"
            ))),
        }
    }
}

impl JsonSchema for EnvValue {
    fn schema_name() -> Cow<'static, str> {
        "EnvValue".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": ["string", "number", "boolean"],
            "description": "Environment variable value. Numbers and booleans are passed as their text.",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration_ms("500ms"), Some(500));
        assert_eq!(parse_duration_ms("5m"), Some(300_000));
        assert_eq!(parse_duration_ms("5x"), None);
        assert_eq!(parse_duration_ms(""), None);
        assert_eq!(parse_duration_ms("99999999999999999999s"), None);
    }

    #[test]
    fn quantities() {
        assert_eq!(Cpu::new_unchecked("500m").millis(), Some(500));
        assert_eq!(Cpu::new_unchecked("2").millis(), Some(2000));
        assert_eq!(Cpu::new_unchecked("0.25").millis(), Some(250));
        assert_eq!(
            Memory::new_unchecked("2Gi").bytes(),
            Some(2 * 1024 * 1024 * 1024)
        );
        assert_eq!(Memory::new_unchecked("1G").bytes(), Some(1_000_000_000));
        assert_eq!(Memory::new_unchecked("128").bytes(), Some(128));
        assert_eq!(
            Memory::new_unchecked("1E").bytes(),
            Some(1_000_000_000_000_000_000)
        );
    }

    #[test]
    fn images() {
        let i = ImageRef::new_unchecked("registry.company.com:5000/mcp-server:v1.0.0");
        assert_eq!(i.tag(), Some("v1.0.0"));
        assert_eq!(i.repository(), "registry.company.com:5000/mcp-server");
        let j = ImageRef::new_unchecked("localhost:5000/x");
        assert_eq!(j.tag(), None);
        assert_eq!(j.repository(), "localhost:5000/x");
        let k = ImageRef::new_unchecked("postgres:15@sha256:abc");
        assert_eq!(k.digest(), Some("sha256:abc"));
        assert_eq!(k.tag(), Some("15"));
    }
}
