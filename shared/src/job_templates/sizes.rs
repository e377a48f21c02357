//! The CPU and memory combinations the platform offers a job.

use serde::{Deserialize, Serialize};

/// One CPU/memory combination. Offered as a choice, never typed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ResourceSize {
    ExtraSmall,
    #[default]
    Small,
    Medium,
    Large,
    ExtraLarge,
}

impl ResourceSize {
    /// Every size, smallest first.
    pub const ALL: [Self; 5] = [
        Self::ExtraSmall,
        Self::Small,
        Self::Medium,
        Self::Large,
        Self::ExtraLarge,
    ];

    /// CPU as Kubernetes writes it.
    pub fn cpu(self) -> &'static str {
        match self {
            Self::ExtraSmall => "250m",
            Self::Small => "500m",
            Self::Medium => "1",
            Self::Large => "2",
            Self::ExtraLarge => "4",
        }
    }

    /// Memory as Kubernetes writes it.
    pub fn memory(self) -> &'static str {
        match self {
            Self::ExtraSmall => "512Mi",
            Self::Small => "1Gi",
            Self::Medium => "2Gi",
            Self::Large => "4Gi",
            Self::ExtraLarge => "8Gi",
        }
    }

    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExtraSmall => "extra-small",
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
            Self::ExtraLarge => "extra-large",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|z| z.as_str() == s)
    }

    /// What a person reads in the choice.
    pub fn label(self) -> &'static str {
        match self {
            Self::ExtraSmall => "0.25 CPU, 0.5 GiB memory",
            Self::Small => "0.5 CPU, 1 GiB memory",
            Self::Medium => "1 CPU, 2 GiB memory",
            Self::Large => "2 CPU, 4 GiB memory",
            Self::ExtraLarge => "4 CPU, 8 GiB memory",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for size in ResourceSize::ALL {
            assert_eq!(ResourceSize::from_str_opt(size.as_str()), Some(size));
            let json = serde_json::to_value(size).expect("serialises");
            assert_eq!(json, size.as_str());
        }
        assert_eq!(ResourceSize::from_str_opt("huge"), None);
    }
}
