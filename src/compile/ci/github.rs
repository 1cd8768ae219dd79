//! The GitHub Actions workflow (`ci/github-actions.yaml`): the fields of the workflow syntax
//! mcpgen writes, in the order GitHub documents them.
//!
//! Jobs: `check` (on every push and pull request: `mcpgen check` as SARIF uploaded to code
//! scanning, and the drift gate), `image` (on the default branch: build with the generated
//! Dockerfile, Trivy scan, push; its output is the pushed reference pinned by digest), then one
//! `deploy-<env>` job per environment in the spec's order, each needing the one before. A
//! deploy job runs in the GitHub environment of the same name: its secrets (`KUBECONFIG`, or
//! `GITOPS_TOKEN`) are that environment's, and a person approves it when the environment has
//! required reviewers, which is how `rollout.promotion: manual` becomes a gate on GitHub (the
//! workflow file cannot require reviewers by itself; docs/delivery.md says how to set them).

use std::collections::BTreeMap;

use serde::{Serialize, Serializer, ser::SerializeMap};
use serde_saphyr::Commented;

use super::{
    Action, BUILD_PUSH, CHECKOUT, LOGIN, Paths, RENDERED, SETUP_BUILDX, Stage, TRIVY,
    TRIVY_SEVERITY, UPLOAD_SARIF, apply, commit_to_gitops, current_image, image_stage,
    install_mcpgen, render, rollback, sh, wait,
};
use crate::compile::CompileError;
use crate::model::Model;
use crate::spec::Promotion;

/// Runner of every job.
const RUNNER: &str = "ubuntu-24.04";

/// A map that keeps its insertion order (jobs read top to bottom in pipeline order).
#[derive(Debug, Clone, Default)]
pub struct Ordered<V>(pub Vec<(String, V)>);

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// A workflow.
#[derive(Debug, Serialize)]
pub struct Workflow {
    name: String,
    on: On,
    permissions: BTreeMap<&'static str, &'static str>,
    env: BTreeMap<&'static str, String>,
    jobs: Ordered<Job>,
}

#[derive(Debug, Serialize)]
struct On {
    push: Branches,
    pull_request: Branches,
    workflow_dispatch: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
struct Branches {
    branches: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct Job {
    name: String,
    #[serde(rename = "runs-on")]
    runs_on: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    needs: Vec<String>,
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    if_: Option<String>,
    permissions: BTreeMap<&'static str, &'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<Concurrency>,
    #[serde(rename = "timeout-minutes")]
    timeout_minutes: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    outputs: BTreeMap<&'static str, String>,
    steps: Vec<Step>,
}

#[derive(Debug, Serialize)]
struct Concurrency {
    group: String,
    #[serde(rename = "cancel-in-progress")]
    cancel_in_progress: bool,
}

#[derive(Debug, Serialize, Default)]
struct Step {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'static str>,
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    if_: Option<&'static str>,
    /// `owner/repo@sha # version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    uses: Option<Commented<String>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    with: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    env: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<String>,
}

fn action(name: &str, a: Action, with: &[(&'static str, String)]) -> Step {
    Step {
        name: name.to_string(),
        uses: Some(Commented(a.uses(), a.version.to_string())),
        with: with.iter().cloned().collect(),
        ..Step::default()
    }
}

fn run(name: &str, lines: &[String]) -> Step {
    Step {
        name: name.to_string(),
        run: Some(lines.join("\n")),
        ..Step::default()
    }
}

fn checkout() -> Step {
    // The token stays out of `.git/config`, where every later step could read it.
    action(
        "Check out",
        CHECKOUT,
        &[("persist-credentials", "false".to_string())],
    )
}

fn perms(p: &[(&'static str, &'static str)]) -> BTreeMap<&'static str, &'static str> {
    p.iter().copied().collect()
}

/// The image reference a job of the pipeline builds: the repository, tagged with the commit.
const IMAGE_TAG: &str = "${{ env.IMAGE }}:${{ github.sha }}";

/// The workflow of a spec's environments.
pub fn workflow(stages: &[Stage], paths: &Paths) -> Workflow {
    let m = stages[0].model;
    let mut jobs = Vec::new();
    jobs.push((
        "check".to_string(),
        Job {
            name: "mcpgen check and drift gate".to_string(),
            runs_on: RUNNER,
            needs: Vec::new(),
            if_: None,
            permissions: perms(&[("contents", "read"), ("security-events", "write")]),
            environment: None,
            concurrency: None,
            timeout_minutes: 30,
            outputs: BTreeMap::new(),
            steps: vec![
                checkout(),
                run("Install mcpgen", &[install_mcpgen()]),
                run(
                    "mcpgen check",
                    &[format!(
                        "mcpgen check --format sarif {} > mcpgen.sarif",
                        sh(&paths.spec)
                    )],
                ),
                Step {
                    if_: Some("always()"),
                    ..action(
                        "Upload findings to code scanning",
                        UPLOAD_SARIF,
                        &[
                            ("sarif_file", "mcpgen.sarif".to_string()),
                            ("category", "mcpgen".to_string()),
                        ],
                    )
                },
                run(
                    "Committed manifests are current",
                    &[format!(
                        "mcpgen build {} -o {} --check",
                        sh(&paths.spec),
                        sh(&paths.out)
                    )],
                ),
            ],
        },
    ));
    let default_branch = "github.event_name != 'pull_request' && github.ref_name == github.event.repository.default_branch";
    let built = image_stage(stages);
    if let Some(b) = built {
        let dockerfile = format!("{}/{}/{}/Dockerfile", paths.out, m.name, b.env);
        jobs.push((
            "image".to_string(),
            Job {
                name: "Build, scan and push the image".to_string(),
                runs_on: RUNNER,
                needs: vec!["check".to_string()],
                if_: Some(default_branch.to_string()),
                permissions: perms(&[("contents", "read")]),
                environment: None,
                concurrency: None,
                timeout_minutes: 60,
                outputs: BTreeMap::from([(
                    "ref",
                    format!("{IMAGE_TAG}@${{{{ steps.push.outputs.digest }}}}"),
                )]),
                steps: vec![
                    checkout(),
                    action("Set up Buildx", SETUP_BUILDX, &[]),
                    // The documented build command: the generated Dockerfile, the repository
                    // root as context (BuildKit reads Dockerfile.dockerignore beside it).
                    action(
                        "Build",
                        BUILD_PUSH,
                        &[
                            ("context", ".".to_string()),
                            ("file", dockerfile.clone()),
                            ("load", "true".to_string()),
                            ("push", "false".to_string()),
                            ("provenance", "false".to_string()),
                            ("tags", IMAGE_TAG.to_string()),
                        ],
                    ),
                    action(
                        "Scan for HIGH and CRITICAL vulnerabilities",
                        TRIVY,
                        &[
                            ("image-ref", IMAGE_TAG.to_string()),
                            ("severity", TRIVY_SEVERITY.to_string()),
                            ("ignore-unfixed", "true".to_string()),
                            ("exit-code", "1".to_string()),
                        ],
                    ),
                    action(
                        "Log in to the registry",
                        LOGIN,
                        &[
                            ("registry", m.delivery.registry.clone()),
                            ("username", "${{ secrets.REGISTRY_USERNAME }}".to_string()),
                            ("password", "${{ secrets.REGISTRY_PASSWORD }}".to_string()),
                        ],
                    ),
                    // The same build again, from the builder's cache: the image that was
                    // scanned, now pushed; its digest is what every environment deploys.
                    Step {
                        id: Some("push"),
                        ..action(
                            "Push",
                            BUILD_PUSH,
                            &[
                                ("context", ".".to_string()),
                                ("file", dockerfile),
                                ("push", "true".to_string()),
                                ("provenance", "false".to_string()),
                                ("tags", IMAGE_TAG.to_string()),
                            ],
                        )
                    },
                ],
            },
        ));
    }
    let mut previous: Option<String> = None;
    for stage in stages {
        let sm = stage.model;
        let mut needs = vec![if built.is_some() { "image" } else { "check" }.to_string()];
        needs.extend(previous.clone());
        let image_ref = if built.is_some() {
            "${{ needs.image.outputs.ref }}".to_string()
        } else {
            sm.image.clone()
        };
        let mut steps = vec![
            checkout(),
            run("Install mcpgen", &[install_mcpgen()]),
            Step {
                env: BTreeMap::from([("IMAGE_REF", image_ref.clone())]),
                ..run(
                    "Render the manifests with the image pinned",
                    &[render(paths, stage, "IMAGE_REF", RENDERED)],
                )
            },
        ];
        let gitops = sm.delivery.gitops.is_some();
        if gitops {
            steps.push(Step {
                env: BTreeMap::from([
                    ("GITOPS_TOKEN", "${{ secrets.GITOPS_TOKEN }}".to_string()),
                    ("IMAGE_REF", image_ref),
                ]),
                ..run(
                    "Commit to the GitOps repository",
                    &commit_to_gitops(stage, RENDERED, "x-access-token"),
                )
            });
        } else {
            let kube = [
                "install -m 600 /dev/null \"$RUNNER_TEMP/kubeconfig\"".to_string(),
                "printf '%s' \"$KUBECONFIG_DATA\" > \"$RUNNER_TEMP/kubeconfig\"".to_string(),
                "echo \"KUBECONFIG=$RUNNER_TEMP/kubeconfig\" >> \"$GITHUB_ENV\"".to_string(),
            ];
            steps.push(Step {
                env: BTreeMap::from([("KUBECONFIG_DATA", "${{ secrets.KUBECONFIG }}".to_string())]),
                ..run("Cluster credentials", &kube)
            });
            steps.push(Step {
                id: Some("current"),
                ..run(
                    "Image running now",
                    &[format!(
                        "echo \"image=$({})\" >> \"$GITHUB_OUTPUT\"",
                        current_image(stage)
                    )],
                )
            });
            steps.push(run("Apply", &apply(stage, RENDERED)));
            steps.push(run("Wait for the rollout", &wait(stage)));
            steps.push(Step {
                if_: Some("failure() && steps.current.outcome == 'success'"),
                env: BTreeMap::from([(
                    "PREVIOUS_IMAGE",
                    "${{ steps.current.outputs.image }}".to_string(),
                )]),
                ..run("Roll back", &rollback(paths, stage))
            });
        }
        let timeout = super::super::delivery::rollout_timeout_seconds(sm);
        jobs.push((
            stage.job(),
            Job {
                name: format!(
                    "Deploy to {}{}",
                    stage.env,
                    if sm.delivery.promotion == Promotion::Manual {
                        " (approved in the environment)"
                    } else {
                        ""
                    }
                ),
                runs_on: RUNNER,
                needs,
                if_: Some(default_branch.to_string()),
                permissions: perms(&[("contents", "read")]),
                environment: Some(stage.env.clone()),
                concurrency: Some(Concurrency {
                    group: format!("deploy-{}-{}", sm.name, stage.env),
                    cancel_in_progress: false,
                }),
                timeout_minutes: 30 + timeout.div_ceil(60),
                outputs: BTreeMap::new(),
                steps,
            },
        ));
        previous = Some(stage.job());
    }
    Workflow {
        name: format!("{} delivery", m.name),
        on: On {
            push: Branches {
                branches: vec!["main"],
            },
            pull_request: Branches {
                branches: vec!["main"],
            },
            workflow_dispatch: BTreeMap::new(),
        },
        permissions: perms(&[("contents", "read")]),
        env: BTreeMap::from([("IMAGE", m.delivery.image_repository.clone())]),
        jobs: Ordered(jobs),
    }
}

/// The workflow file: the generated-by header, then the workflow.
pub fn text(m: &Model, w: &Workflow) -> Result<String, CompileError> {
    crate::compile::yaml_file(m, "GitHub Actions workflow", &[w])
}
