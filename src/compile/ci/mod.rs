//! The `ci` target: a delivery pipeline for the repository that holds the server and its spec,
//! for GitHub Actions ([`github`]) and GitLab CI ([`gitlab`]), written to `DIR/<name>/ci/`.
//!
//! Unlike the other targets, a pipeline covers every environment of a spec at once (they are
//! deployed in the spec's order), so it is built from all the variants' Models together, with
//! the paths the pipeline runs mcpgen on ([`Paths`]); `crate::pipeline::build` calls [`emit`]
//! once per spec. Both pipelines do the same steps (docs/delivery.md): `mcpgen check` with its
//! report for the platform (SARIF for code scanning; JUnit and Code Quality for GitLab), the
//! `build --check` drift gate, the image built with the generated Dockerfile, a Trivy scan that
//! fails on HIGH and CRITICAL vulnerabilities, the push, then for each environment in order:
//! the manifests rendered with the pushed image pinned by digest (`--image`), applied with
//! `kubectl apply -k` (or committed to a GitOps repository), the rollout awaited, and rolled
//! back when it fails. Environments whose `rollout.promotion` is `manual` wait for a person.
//!
//! Workflows are typed structures serialized with serde-saphyr; the only text mcpgen writes
//! itself is the shell of each `run`/`script` step, from values that are DNS labels, checked
//! relative paths or quoted. Third-party GitHub Actions are pinned to full commit SHAs
//! ([`ACTIONS`]), each with its release in a YAML comment.

pub mod github;
pub mod gitlab;

use crate::compile::{Artifact, CompileError, Content};
use crate::model::Model;
use crate::model::delivery::Strategy;

/// Directory of the pipelines below `DIR/<name>/`.
pub const DIR: &str = "ci";
/// The GitHub Actions workflow, to copy into `.github/workflows/`.
pub const GITHUB_FILE: &str = "github-actions.yaml";
/// The GitLab CI pipeline, to `include:` from `.gitlab-ci.yml`.
pub const GITLAB_FILE: &str = "gitlab-ci.yml";
/// Where the pipeline renders an environment's manifests before it deploys them.
pub const RENDERED: &str = "rendered";
/// The repository mcpgen is installed from, at the tag of the version that wrote the pipeline.
pub const MCPGEN_GIT: &str = "https://github.com/mcpgen/mcpgen";

/// What the pipeline needs to know beyond the Models: where the spec is and where its outputs
/// are committed, relative to the repository root (the directory the build ran in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The spec file.
    pub spec: String,
    /// The output directory (`-o`).
    pub out: String,
}

/// A GitHub Action pinned to a full commit SHA, with the release it is and where the SHA was
/// read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    /// `owner/repo` or `owner/repo/path`.
    pub name: &'static str,
    /// The commit of the release tag.
    pub sha: &'static str,
    /// The release tag.
    pub version: &'static str,
}

impl Action {
    /// `name@sha`, what `uses:` holds.
    pub fn uses(&self) -> String {
        format!("{}@{}", self.name, self.sha)
    }
}

/// Each SHA is the commit its release tag pointed to in the repository's history, read from a
/// snapshot of the repository with `git rev-parse <tag>^{commit}` and checked to lie on the
/// default branch (`git merge-base --is-ancestor <sha> HEAD`), so a tag moved to a commit
/// outside the project's history (the trivy-action tag hijack of March 2026) is not what is
/// pinned. Update them with Dependabot or Renovate, which keep the comment in step.
pub const CHECKOUT: Action = Action {
    name: "actions/checkout",
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    version: "v7.0.1",
};
/// See [`CHECKOUT`].
pub const SETUP_BUILDX: Action = Action {
    name: "docker/setup-buildx-action",
    sha: "37fe631027851001ddb9b187196cc803df7f5f0e",
    version: "v4.3.0",
};
/// See [`CHECKOUT`].
pub const LOGIN: Action = Action {
    name: "docker/login-action",
    sha: "4907a6ddec9925e35a0a9e82d7399ccc52663121",
    version: "v4.1.0",
};
/// See [`CHECKOUT`].
pub const BUILD_PUSH: Action = Action {
    name: "docker/build-push-action",
    sha: "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a",
    version: "v7.3.0",
};
/// See [`CHECKOUT`].
pub const TRIVY: Action = Action {
    name: "aquasecurity/trivy-action",
    sha: "ed142fd0673e97e23eac54620cfb913e5ce36c25",
    version: "v0.36.0",
};
/// See [`CHECKOUT`].
pub const UPLOAD_SARIF: Action = Action {
    name: "github/codeql-action/upload-sarif",
    sha: "8aad20d150bbac5944a9f9d289da16a4b0d87c1e",
    version: "v4.36.2",
};
/// Every pinned action.
pub const ACTIONS: &[Action] = &[
    CHECKOUT,
    SETUP_BUILDX,
    LOGIN,
    BUILD_PUSH,
    TRIVY,
    UPLOAD_SARIF,
];

/// Container images of the GitLab jobs, pinned to a release (pin them by digest in a registry
/// mirror if your policy requires it).
pub const RUST_IMAGE: &str = "rust:1.95-bookworm";
/// See [`RUST_IMAGE`].
pub const DOCKER_IMAGE: &str = "docker:28";
/// See [`RUST_IMAGE`].
pub const DOCKER_DIND_IMAGE: &str = "docker:28-dind";
/// See [`RUST_IMAGE`]: the Trivy release trivy-action v0.36.0 installs.
pub const TRIVY_IMAGE: &str = "aquasec/trivy:0.70.0";
/// kubectl release the GitLab deploy jobs download (verified against its published SHA-256).
pub const KUBECTL_VERSION: &str = "v1.37.0";
/// Severities that fail the scan.
pub const TRIVY_SEVERITY: &str = "HIGH,CRITICAL";

/// One environment of the pipeline, in the spec's order.
#[derive(Debug, Clone)]
pub struct Stage<'a> {
    /// The environment (`base` for a spec without environments).
    pub env: String,
    /// Its Model.
    pub model: &'a Model,
}

impl Stage<'_> {
    /// The job that deploys this environment.
    pub fn job(&self) -> String {
        format!("deploy-{}", self.env)
    }
}

/// A shell word: kept as is when it is plain, single-quoted otherwise.
pub fn sh(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=,+".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The shell that installs mcpgen at the version that wrote the pipeline.
pub fn install_mcpgen() -> String {
    format!(
        "cargo install --locked --git {MCPGEN_GIT} --tag v{} mcpgen",
        env!("CARGO_PKG_VERSION")
    )
}

/// `mcpgen build` of one environment with the pushed image pinned, into `dir`.
pub fn render(paths: &Paths, stage: &Stage, image_var: &str, dir: &str) -> String {
    let env = if stage.env == "base" {
        String::new()
    } else {
        format!(" --env {}", sh(&stage.env))
    };
    format!(
        "mcpgen build {}{env} -o {} --image \"${image_var}\"",
        sh(&paths.spec),
        sh(dir)
    )
}

/// The directory of one environment's rendered outputs.
pub fn rendered(stage: &Stage, dir: &str) -> String {
    format!("{dir}/{}/{}", stage.model.name, stage.env)
}

/// Shell that applies one environment's rendered manifests (the monitoring objects after the
/// server's).
pub fn apply(stage: &Stage, dir: &str) -> Vec<String> {
    let root = rendered(stage, dir);
    let mut out = vec![format!("kubectl apply -k {}", sh(&format!("{root}/k8s")))];
    if stage.model.monitoring.is_some() {
        out.push(format!(
            "kubectl apply -k {}",
            sh(&format!("{root}/monitoring"))
        ));
    }
    out
}

/// Shell that prints the image the server runs now, or nothing on a first deployment; its
/// output is what a failed rollout goes back to.
pub fn current_image(stage: &Stage) -> String {
    let m = stage.model;
    let w = &m.delivery.workload;
    format!(
        "kubectl -n {} get {} {} -o jsonpath='{{.spec.template.spec.containers[?(@.name==\"{}\")].image}}' 2>/dev/null || true",
        sh(&m.namespace),
        w.kind.to_lowercase(),
        sh(&w.name),
        crate::model::CONTAINER
    )
}

/// Shell that waits for the rollout and fails when it does: `kubectl rollout status` for a
/// Deployment; for an Argo Rollout, its phase (`Healthy` once the controller has seen this
/// generation, `Degraded` once it aborted: an analysis failed or the progress deadline
/// passed), read with plain kubectl so the pipeline needs no plugin download.
pub fn wait(stage: &Stage) -> Vec<String> {
    let m = stage.model;
    let w = &m.delivery.workload;
    let ns = sh(&m.namespace);
    let name = sh(&w.name);
    let timeout = super::delivery::rollout_timeout_seconds(m);
    if !m.delivery.is_rollout() {
        return vec![format!(
            "kubectl -n {ns} rollout status deployment/{name} --timeout={timeout}s"
        )];
    }
    let get = |path: &str| format!("kubectl -n {ns} get rollout {name} -o jsonpath='{{{path}}}'");
    vec![
        format!("deadline=$(( $(date +%s) + {timeout} ))"),
        "while :; do".to_string(),
        format!("  generation=$({})", get(".metadata.generation")),
        format!("  observed=$({})", get(".status.observedGeneration")),
        format!("  phase=$({})", get(".status.phase")),
        "  echo \"rollout: ${phase:-pending} (generation $generation, observed ${observed:-none})\""
            .to_string(),
        "  if [ \"$observed\" = \"$generation\" ] && [ \"$phase\" = Healthy ]; then break; fi"
            .to_string(),
        format!(
            "  if [ \"$observed\" = \"$generation\" ] && [ \"$phase\" = Degraded ]; then echo \"rollout aborted: $({})\"; exit 1; fi",
            get(".status.message")
        ),
        "  if [ \"$(date +%s)\" -ge \"$deadline\" ]; then echo \"rollout not done in time\"; exit 1; fi"
            .to_string(),
        "  sleep 10".to_string(),
        "done".to_string(),
    ]
}

/// Shell that rolls a failed rollout back, given the image it replaced in `$PREVIOUS_IMAGE`.
/// A Deployment goes back to its previous ReplicaSet (`rollout undo`). An Argo Rollout has
/// already sent all traffic back to the old version when it aborted; applying the manifests
/// again with the old image makes the Rollout's spec say so, which the controller completes
/// at once (the template matches the stable ReplicaSet: no steps, no analysis).
pub fn rollback(paths: &Paths, stage: &Stage) -> Vec<String> {
    let m = stage.model;
    let w = &m.delivery.workload;
    let ns = sh(&m.namespace);
    let name = sh(&w.name);
    let mut out = vec![
        "if [ -z \"$PREVIOUS_IMAGE\" ]; then echo \"first deployment: nothing to roll back to\"; exit 0; fi"
            .to_string(),
    ];
    if m.delivery.is_rollout() {
        let dir = "rollback";
        out.push(format!(
            "echo \"rolling back to $PREVIOUS_IMAGE\"; {}",
            render(paths, stage, "PREVIOUS_IMAGE", dir)
        ));
        out.push(format!(
            "kubectl apply -k {}",
            sh(&format!("{}/k8s", rendered(stage, dir)))
        ));
    } else {
        out.push(format!(
            "kubectl -n {ns} rollout undo deployment/{name} && kubectl -n {ns} rollout status deployment/{name} --timeout=600s"
        ));
    }
    out
}

/// Shell that commits one environment's rendered manifests to its GitOps repository (the
/// directory is replaced as a whole) and pushes. `user` is the user name the platform's
/// tokens authenticate with over HTTPS.
pub fn commit_to_gitops(stage: &Stage, dir: &str, user: &str) -> Vec<String> {
    let Some(g) = &stage.model.delivery.gitops else {
        return Vec::new();
    };
    let url = g
        .repository
        .strip_prefix("https://")
        .unwrap_or(&g.repository);
    let root = rendered(stage, dir);
    let mut out = vec![
        format!(
            "git clone --depth 1 --branch {} \"https://{user}:${{GITOPS_TOKEN}}@{url}\" gitops",
            sh(&g.branch)
        ),
        format!(
            "rm -rf {p} && mkdir -p {p}",
            p = sh(&format!("gitops/{}", g.path))
        ),
        format!(
            "cp -R {} {}",
            sh(&format!("{root}/k8s")),
            sh(&format!("gitops/{}/k8s", g.path))
        ),
    ];
    if stage.model.monitoring.is_some() {
        out.push(format!(
            "cp -R {} {}",
            sh(&format!("{root}/monitoring")),
            sh(&format!("gitops/{}/monitoring", g.path))
        ));
    }
    out.push("git -C gitops add -A".to_string());
    out.push(format!(
        "git -C gitops -c user.name=mcpgen -c user.email=mcpgen@users.noreply.github.com commit -m \"deploy {} to {} ($IMAGE_REF)\" || echo \"nothing changed\"",
        stage.model.name, stage.env
    ));
    out.push(format!("git -C gitops push origin {}", sh(&g.branch)));
    out
}

/// The environment whose Dockerfile builds the image: the first in the spec's order (the
/// image is built once and promoted through the environments).
pub fn image_stage<'a>(stages: &'a [Stage<'a>]) -> Option<&'a Stage<'a>> {
    stages.iter().find(|s| s.model.build.is_some())
}

/// Whether any environment deploys a Rollout (the pipeline then says so in its docs).
pub fn any_rollout(stages: &[Stage]) -> bool {
    stages
        .iter()
        .any(|s| !matches!(s.model.delivery.strategy, Strategy::Rolling))
}

/// The pipelines of one spec: its environments' Models in the spec's order.
pub fn emit(stages: &[Stage], paths: &Paths) -> Result<Vec<Artifact>, CompileError> {
    let Some(first) = stages.first() else {
        return Ok(Vec::new());
    };
    let m = first.model;
    let github = github::workflow(stages, paths);
    let gitlab = gitlab::pipeline(stages, paths);
    Ok(vec![
        Artifact {
            path: format!("{DIR}/{GITHUB_FILE}"),
            contents: github::text(m, &github)?,
            content: Content::Other,
        },
        Artifact {
            path: format!("{DIR}/{GITLAB_FILE}"),
            contents: crate::compile::yaml_file(m, "GitLab CI pipeline", &[gitlab])?,
            content: Content::Other,
        },
    ])
}
