//! The GitLab CI pipeline (`ci/gitlab-ci.yml`, included from the repository's
//! `.gitlab-ci.yml`): the keywords of the pipeline syntax mcpgen writes.
//!
//! Jobs by stage: `mcpgen-check` (JUnit and Code Quality reports, drift gate), `image-build`
//! (`docker build` with the generated Dockerfile, saved as an artifact), `image-scan` (Trivy on
//! the saved image, failing on HIGH and CRITICAL), `image-push` (push, and the pushed reference
//! pinned by digest as a dotenv artifact), then `deploy-<env>` per environment in the spec's
//! order, each needing the one before; an environment whose `rollout.promotion` is `manual` is
//! a manual job that blocks the ones after it. Each deploy job belongs to the GitLab
//! environment of the same name, whose scoped variables hold its `KUBECONFIG` (a file
//! variable) or `GITOPS_TOKEN`, and runs in a resource group so two deployments of one
//! environment never overlap.

use std::collections::BTreeMap;

use serde::Serialize;

use super::github::Ordered;
use super::{
    DOCKER_DIND_IMAGE, DOCKER_IMAGE, KUBECTL_VERSION, Paths, RENDERED, RUST_IMAGE, Stage,
    TRIVY_IMAGE, TRIVY_SEVERITY, apply, commit_to_gitops, current_image, image_stage,
    install_mcpgen, render, rollback, sh, wait,
};
use crate::spec::Promotion;

/// The pipeline: `stages`, `variables`, then the jobs in pipeline order.
#[derive(Debug)]
pub struct Pipeline {
    stages: Vec<&'static str>,
    variables: BTreeMap<&'static str, String>,
    jobs: Ordered<Job>,
}

impl Serialize for Pipeline {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(2 + self.jobs.0.len()))?;
        map.serialize_entry("stages", &self.stages)?;
        map.serialize_entry("variables", &self.variables)?;
        for (k, v) in &self.jobs.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Debug, Serialize, Default)]
struct Job {
    stage: &'static str,
    image: Image,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    needs: Option<Vec<Need>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules: Vec<Rule>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    variables: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<Environment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<String>,
    script: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    after_script: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifacts: Option<Artifacts>,
}

#[derive(Debug, Serialize, Default)]
struct Image {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    entrypoint: Option<Vec<&'static str>>,
}

#[derive(Debug, Serialize)]
struct Need {
    job: String,
    artifacts: bool,
}

#[derive(Debug, Serialize)]
struct Rule {
    #[serde(rename = "if")]
    if_: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    when: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_failure: Option<bool>,
}

#[derive(Debug, Serialize)]
struct Environment {
    name: String,
}

#[derive(Debug, Serialize, Default)]
struct Artifacts {
    #[serde(skip_serializing_if = "Option::is_none")]
    when: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    paths: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expire_in: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reports: Option<Reports>,
}

#[derive(Debug, Serialize, Default)]
struct Reports {
    #[serde(skip_serializing_if = "Option::is_none")]
    junit: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    codequality: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dotenv: Option<&'static str>,
}

const DEFAULT_BRANCH: &str = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH";
/// The image a pipeline builds: the repository, tagged with the commit.
const IMAGE_TAG: &str = "$IMAGE:$CI_COMMIT_SHA";

fn rust() -> Image {
    Image {
        name: RUST_IMAGE,
        entrypoint: None,
    }
}

fn docker() -> (Image, Vec<&'static str>, BTreeMap<&'static str, String>) {
    (
        Image {
            name: DOCKER_IMAGE,
            entrypoint: None,
        },
        vec![DOCKER_DIND_IMAGE],
        // The Docker-in-Docker service's TLS certificates, shared through this directory.
        BTreeMap::from([("DOCKER_TLS_CERTDIR", "/certs".to_string())]),
    )
}

fn on_default_branch() -> Vec<Rule> {
    vec![Rule {
        if_: DEFAULT_BRANCH,
        when: None,
        allow_failure: None,
    }]
}

fn need(job: &str, artifacts: bool) -> Need {
    Need {
        job: job.to_string(),
        artifacts,
    }
}

/// kubectl, verified against the SHA-256 Kubernetes publishes beside the binary.
fn install_kubectl() -> Vec<String> {
    let base = format!("https://dl.k8s.io/release/{KUBECTL_VERSION}/bin/linux/amd64/kubectl");
    vec![
        format!("curl -fsSLo /usr/local/bin/kubectl {base}"),
        format!("curl -fsSLo /tmp/kubectl.sha256 {base}.sha256"),
        "echo \"$(cat /tmp/kubectl.sha256)  /usr/local/bin/kubectl\" | sha256sum --check"
            .to_string(),
        "chmod +x /usr/local/bin/kubectl".to_string(),
    ]
}

/// The pipeline of a spec's environments.
pub fn pipeline(stages: &[Stage], paths: &Paths) -> Pipeline {
    let m = stages[0].model;
    let mut jobs = Vec::new();
    jobs.push((
        "mcpgen-check".to_string(),
        Job {
            stage: "check",
            image: rust(),
            script: vec![
                install_mcpgen(),
                // Both reports, then the exit code of the check itself.
                format!(
                    "mcpgen check --format codequality {} > gl-code-quality-report.json || true",
                    sh(&paths.spec)
                ),
                format!(
                    "mcpgen check --format junit {} > mcpgen-junit.xml",
                    sh(&paths.spec)
                ),
                format!(
                    "mcpgen build {} -o {} --check",
                    sh(&paths.spec),
                    sh(&paths.out)
                ),
            ],
            artifacts: Some(Artifacts {
                when: Some("always"),
                reports: Some(Reports {
                    junit: Some("mcpgen-junit.xml"),
                    codequality: Some("gl-code-quality-report.json"),
                    dotenv: None,
                }),
                ..Artifacts::default()
            }),
            ..Job::default()
        },
    ));
    let built = image_stage(stages);
    if let Some(b) = built {
        let dockerfile = format!("{}/{}/{}/Dockerfile", paths.out, m.name, b.env);
        let (image, services, variables) = docker();
        jobs.push((
            "image-build".to_string(),
            Job {
                stage: "build",
                image,
                services,
                needs: Some(vec![need("mcpgen-check", false)]),
                rules: on_default_branch(),
                variables,
                // The documented build command: the repository root as context, BuildKit
                // (Docker 23 and later) reading Dockerfile.dockerignore beside the Dockerfile.
                script: vec![
                    format!("docker build -f {} -t \"{IMAGE_TAG}\" .", sh(&dockerfile)),
                    format!("docker save \"{IMAGE_TAG}\" -o image.tar"),
                ],
                artifacts: Some(Artifacts {
                    paths: vec!["image.tar"],
                    expire_in: Some("1 day"),
                    ..Artifacts::default()
                }),
                ..Job::default()
            },
        ));
        jobs.push((
            "image-scan".to_string(),
            Job {
                stage: "scan",
                image: Image {
                    name: TRIVY_IMAGE,
                    entrypoint: Some(vec![""]),
                },
                needs: Some(vec![need("image-build", true)]),
                rules: on_default_branch(),
                script: vec![format!(
                    "trivy image --input image.tar --severity {TRIVY_SEVERITY} --ignore-unfixed --exit-code 1 --no-progress"
                )],
                ..Job::default()
            },
        ));
        let (image, services, variables) = docker();
        jobs.push((
            "image-push".to_string(),
            Job {
                stage: "publish",
                image,
                services,
                needs: Some(vec![need("image-build", true), need("image-scan", false)]),
                rules: on_default_branch(),
                variables,
                script: vec![
                    format!(
                        "echo \"$REGISTRY_PASSWORD\" | docker login -u \"$REGISTRY_USERNAME\" --password-stdin {}",
                        sh(&m.delivery.registry)
                    ),
                    "docker load -i image.tar".to_string(),
                    format!("docker push \"{IMAGE_TAG}\""),
                    // The digest the registry gave the pushed manifest, kept with the tag.
                    format!(
                        "digest=$(docker inspect --format '{{{{index .RepoDigests 0}}}}' \"{IMAGE_TAG}\")"
                    ),
                    format!("echo \"IMAGE_REF={IMAGE_TAG}@${{digest#*@}}\" > image.env"),
                ],
                artifacts: Some(Artifacts {
                    reports: Some(Reports {
                        dotenv: Some("image.env"),
                        ..Reports::default()
                    }),
                    ..Artifacts::default()
                }),
                ..Job::default()
            },
        ));
    }
    let mut previous: Option<String> = None;
    for stage in stages {
        let sm = stage.model;
        let mut needs = vec![match built {
            Some(_) => need("image-push", true),
            None => need("mcpgen-check", false),
        }];
        needs.extend(previous.as_deref().map(|p| need(p, false)));
        let mut variables = BTreeMap::new();
        if built.is_none() {
            variables.insert("IMAGE_REF", sm.image.clone());
        }
        let mut script = vec![install_mcpgen()];
        script.push(render(paths, stage, "IMAGE_REF", RENDERED));
        let mut after_script = Vec::new();
        if sm.delivery.gitops.is_some() {
            script.extend(commit_to_gitops(stage, RENDERED, "oauth2"));
        } else {
            script.extend(install_kubectl());
            script.push(format!("PREVIOUS_IMAGE=$({})", current_image(stage)));
            // after_script runs in a shell of its own: the image to go back to is kept here.
            script.push("echo \"$PREVIOUS_IMAGE\" > previous-image".to_string());
            script.extend(apply(stage, RENDERED));
            // One entry: the runner runs each entry as a command of its own.
            script.push(wait(stage).join("\n"));
            let mut back =
                vec!["PREVIOUS_IMAGE=$(cat previous-image 2>/dev/null || true)".to_string()];
            back.extend(install_kubectl());
            back.extend(rollback(paths, stage));
            after_script.push(format!(
                "if [ \"$CI_JOB_STATUS\" = failed ] && [ -f previous-image ]; then\n{}\nfi",
                back.iter()
                    .map(|l| format!("  {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
        let manual = sm.delivery.promotion == Promotion::Manual;
        let timeout = super::super::delivery::rollout_timeout_seconds(sm);
        jobs.push((
            stage.job(),
            Job {
                stage: "deploy",
                image: rust(),
                needs: Some(needs),
                rules: vec![Rule {
                    if_: DEFAULT_BRANCH,
                    // A manual job that blocks what follows it: later environments wait for
                    // the approval too.
                    when: manual.then_some("manual"),
                    allow_failure: manual.then_some(false),
                }],
                variables,
                environment: Some(Environment {
                    name: stage.env.clone(),
                }),
                resource_group: Some(format!("deploy-{}-{}", sm.name, stage.env)),
                timeout: Some(format!("{} minutes", 30 + timeout.div_ceil(60))),
                script,
                after_script,
                ..Job::default()
            },
        ));
        previous = Some(stage.job());
    }
    Pipeline {
        stages: vec!["check", "build", "scan", "publish", "deploy"],
        variables: BTreeMap::from([("IMAGE", m.delivery.image_repository.clone())]),
        jobs: Ordered(jobs),
    }
}
