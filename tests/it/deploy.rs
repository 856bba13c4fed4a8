//! The deployment files against the real binary: `Dockerfile`, the kustomize base in
//! `deploy/kubernetes/`, the Grafana dashboard and `docs/metrics.md`. The probe paths, ports
//! and command lines they use must be ones the binary serves and accepts, the metric names
//! they query ones it exports, and the base's copies of the example contract must equal the
//! originals. Nothing here needs Docker or a cluster: the container's command line runs
//! against a folder laid out as the kubelet lays out a mounted ConfigMap.

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support;

/// Seconds the Deployment budgets for draining requests after SIGTERM (deployment.yaml).
const DRAIN_SECONDS: u64 = 25;

/// The routes of the example mapping, and of it without `GET /ping`.
const ROUTES: u64 = 6;
const PING_ROUTE: &str = "  - route: GET /ping\n    operation: Ping\n";

fn k8s() -> PathBuf {
    support::root().join("deploy/kubernetes")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every YAML document of a file (empty documents dropped).
fn yaml_docs(path: &Path) -> Vec<Value> {
    let text = read(path);
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
    docs.into_iter().filter(|d| !d.is_null()).collect()
}

/// Files under `dir` (recursively), relative to it, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push(path.strip_prefix(base).expect("under base").to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

fn kustomization() -> Value {
    let mut docs = yaml_docs(&k8s().join("kustomization.yaml"));
    assert_eq!(docs.len(), 1, "one kustomization document");
    docs.remove(0)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().expect("a string").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The resources the kustomization lists, every document of every file.
fn resources() -> Vec<Value> {
    strings(&kustomization()["resources"])
        .iter()
        .flat_map(|f| yaml_docs(&k8s().join(f)))
        .collect()
}

fn resource(kind: &str) -> Value {
    let mut found: Vec<Value> = resources()
        .into_iter()
        .filter(|r| r["kind"] == kind)
        .collect();
    assert_eq!(found.len(), 1, "exactly one {kind} in the base");
    found.remove(0)
}

fn container(deployment: &Value) -> Value {
    let containers = deployment["spec"]["template"]["spec"]["containers"]
        .as_array()
        .expect("containers");
    containers
        .iter()
        .find(|c| c["name"] == "soapbridge")
        .expect("a container named soapbridge")
        .clone()
}

fn u64_of(v: &Value, what: &str) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
}

/// The value after `flag` in an argument list.
fn flag_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn port_of(listen: &str) -> u16 {
    listen
        .parse::<std::net::SocketAddr>()
        .unwrap_or_else(|e| panic!("--listen {listen}: {e}"))
        .port()
}

// ---- Dockerfile --------------------------------------------------------------------------

/// A Dockerfile as stages of (INSTRUCTION, arguments), continuation lines joined.
struct Dockerfile {
    stages: Vec<Vec<(String, String)>>,
}

impl Dockerfile {
    fn load() -> Self {
        let text = read(&support::root().join("Dockerfile"));
        let mut stages: Vec<Vec<(String, String)>> = Vec::new();
        let mut pending = String::new();
        for line in text.lines() {
            let trimmed = line.trim();
            // Comment lines are dropped, inside a continuation too.
            if trimmed.starts_with('#') || (pending.is_empty() && trimmed.is_empty()) {
                continue;
            }
            if let Some(head) = trimmed.strip_suffix('\\') {
                pending.push_str(head);
                pending.push(' ');
                continue;
            }
            pending.push_str(trimmed);
            let full = std::mem::take(&mut pending);
            let (word, rest) = full.split_once(char::is_whitespace).unwrap_or((&full, ""));
            let word = word.to_ascii_uppercase();
            if word == "FROM" {
                stages.push(Vec::new());
            }
            stages
                .last_mut()
                .expect("FROM comes first")
                .push((word, rest.trim().to_owned()));
        }
        assert!(
            pending.is_empty(),
            "the Dockerfile ends inside a continuation"
        );
        Self { stages }
    }

    fn runtime(&self) -> &[(String, String)] {
        self.stages.last().expect("a stage")
    }

    fn builder(&self) -> &[(String, String)] {
        self.stages.first().expect("a stage")
    }

    /// The arguments of the runtime stage's instruction `word` (the last one counts).
    fn last(&self, word: &str) -> Option<&str> {
        self.runtime()
            .iter()
            .rev()
            .find(|(w, _)| w == word)
            .map(|(_, r)| r.as_str())
    }

    /// An exec-form (JSON array) instruction of the runtime stage.
    fn exec_form(&self, word: &str) -> Vec<String> {
        let rest = self
            .last(word)
            .unwrap_or_else(|| panic!("the runtime stage has no {word}"));
        serde_json::from_str(rest)
            .unwrap_or_else(|e| panic!("{word} is not in exec form (a JSON array): {e}"))
    }

    /// `ENV` of the runtime stage, as the container sees it.
    fn env(&self) -> Vec<(String, String)> {
        self.runtime()
            .iter()
            .filter(|(w, _)| w == "ENV")
            .flat_map(|(_, r)| {
                r.split_whitespace()
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').expect("ENV KEY=value");
                        (k.to_owned(), v.trim_matches('"').to_owned())
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// The image's `nonroot` uid and gid, from `USER uid:gid`.
fn image_user(d: &Dockerfile) -> (u64, u64) {
    let user = d.last("USER").expect("the runtime stage sets USER");
    let (uid, gid) = user.split_once(':').unwrap_or((user, user));
    let uid: u64 = uid
        .parse()
        .unwrap_or_else(|_| panic!("USER `{user}` is not numeric (runAsNonRoot needs a uid)"));
    let gid: u64 = gid.parse().expect("numeric gid");
    (uid, gid)
}

fn major_minor(v: &str) -> (u32, u32) {
    let mut it = v
        .split('.')
        .map(|p| p.parse::<u32>().expect("a version number"));
    (it.next().expect("major"), it.next().unwrap_or(0))
}

#[test]
fn deploy_dockerfile_builds_on_a_recent_enough_rust_and_runs_as_non_root() {
    let d = Dockerfile::load();
    assert!(d.stages.len() >= 2, "a multi-stage build");
    let manifest = read(&support::root().join("Cargo.toml"));
    let rust_version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .expect("rust-version in Cargo.toml")
        .trim_matches('"');
    let from = &d.builder()[0].1;
    let image = from.split_whitespace().next().expect("FROM image");
    let tag = image
        .strip_prefix("rust:")
        .unwrap_or_else(|| panic!("the builder is the official rust image, not {image}"));
    let version = tag.split('-').next().expect("version");
    assert!(
        major_minor(version) >= major_minor(rust_version),
        "rust:{version} is older than rust-version {rust_version}"
    );
    assert!(
        major_minor(version) >= (1, 85),
        "edition 2024 needs Rust 1.85"
    );
    let builds: Vec<&str> = d
        .builder()
        .iter()
        .filter(|(w, _)| w == "RUN")
        .map(|(_, r)| r.as_str())
        .filter(|r| r.contains("cargo build"))
        .collect();
    assert!(
        builds.len() >= 2,
        "a dependency layer before the real build: {builds:?}"
    );
    for b in &builds {
        assert!(b.contains("--release") && b.contains("--locked"), "{b}");
    }
    // Every bench declared in Cargo.toml has a stub in the dependency layer, or the
    // manifest does not load there.
    let mut in_bench = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            in_bench = line.trim() == "[[bench]]";
        } else if in_bench && let Some(name) = line.strip_prefix("name = ") {
            let stub = format!("benches/{}.rs", name.trim_matches('"'));
            assert!(builds[0].contains(&stub), "no stub for {stub}");
        }
    }

    let (uid, _) = image_user(&d);
    assert_ne!(uid, 0, "the image runs as a non-root user");
    assert!(
        d.stages.iter().flatten().all(|(w, _)| w != "HEALTHCHECK"),
        "no HEALTHCHECK: Kubernetes probes the pods"
    );
    let entry = d.exec_form("ENTRYPOINT");
    assert_eq!(entry, ["/usr/local/bin/soapbridge"]);
    let copied = d.runtime().iter().any(|(w, r)| {
        w == "COPY"
            && r.starts_with("--from=")
            && r.ends_with(" /usr/local/bin/soapbridge")
            && r.contains("/target/release/soapbridge ")
    });
    assert!(
        copied,
        "the runtime stage copies the release binary to the entrypoint"
    );
    let cmd = d.exec_form("CMD");
    let listen = flag_value(&cmd, "--listen").expect("CMD passes --listen");
    let exposed: Vec<u16> = d
        .last("EXPOSE")
        .expect("EXPOSE")
        .split_whitespace()
        .map(|p| p.trim_end_matches("/tcp").parse().expect("a port"))
        .collect();
    assert_eq!(
        exposed,
        [port_of(listen)],
        "EXPOSE is the port CMD listens on"
    );
    assert!(cmd.iter().any(|a| a == "--watch"), "CMD reloads on change");
}

/// `.dockerignore` patterns that name a path (globs are left out).
fn docker_ignored() -> Vec<String> {
    read(&support::root().join(".dockerignore"))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.contains('*'))
        .map(|l| l.trim_end_matches('/').trim_start_matches('/').to_owned())
        .collect()
}

fn is_ignored(ignored: &[String], path: &str) -> bool {
    let path = path.trim_start_matches("./").trim_end_matches('/');
    ignored
        .iter()
        .any(|i| path == i || path.starts_with(&format!("{i}/")))
}

#[test]
fn deploy_dockerfile_copies_everything_the_build_reads_and_the_context_has_it() {
    let d = Dockerfile::load();
    let ignored = docker_ignored();
    for must in ["target", ".git"] {
        assert!(
            ignored.iter().any(|i| i == must),
            ".dockerignore has {must}/"
        );
    }
    let mut copied = BTreeSet::new();
    for (w, rest) in d.builder() {
        if w != "COPY" || rest.starts_with("--from=") {
            continue;
        }
        let parts: Vec<&str> = rest
            .split_whitespace()
            .filter(|p| !p.starts_with("--"))
            .collect();
        let (_, sources) = parts.split_last().expect("COPY SRC... DEST");
        for s in sources {
            assert!(
                support::root().join(s).exists(),
                "COPY {s}: not in the repository"
            );
            assert!(
                !is_ignored(&ignored, s),
                "COPY {s}: excluded by .dockerignore"
            );
            copied.insert(s.trim_end_matches('/').to_owned());
        }
    }
    for must in ["Cargo.toml", "Cargo.lock", "src"] {
        assert!(copied.contains(must), "the builder copies {must}");
    }
    // Files the crate compiles in from outside src/ (the test modules' fixtures aside).
    let include = regex::Regex::new(r#"include_(?:str|bytes)!\(\s*"([^"]+)""#).expect("regex");
    let src = support::root().join("src");
    for file in files_under(&src) {
        if file.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let path = src.join(&file);
        let text = read(&path);
        for cap in include.captures_iter(&text) {
            let target = path.parent().expect("parent").join(&cap[1]);
            let Ok(rel) = normalize(&target)
                .strip_prefix(support::root())
                .map(Path::to_path_buf)
            else {
                panic!("{}: includes {} outside the crate", file.display(), &cap[1]);
            };
            let top = rel
                .components()
                .next()
                .expect("a component")
                .as_os_str()
                .to_string_lossy()
                .into_owned();
            if top == "tests" {
                continue;
            }
            assert!(
                copied.contains(&top),
                "src/{} includes {}, but the Dockerfile does not copy {top}/",
                file.display(),
                rel.display()
            );
        }
    }
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

// ---- the kustomize base ------------------------------------------------------------------

#[test]
fn deploy_every_yaml_file_parses() {
    let files: Vec<PathBuf> = files_under(&k8s())
        .into_iter()
        .filter(|f| is_yaml(f))
        .collect();
    assert!(files.len() >= 5, "{files:?}");
    for f in files {
        let docs = yaml_docs(&k8s().join(&f));
        assert!(!docs.is_empty(), "{}: no document", f.display());
        if f.starts_with("config") {
            continue;
        }
        for d in docs {
            assert!(
                d["apiVersion"].is_string() && d["kind"].is_string(),
                "{}: a document without apiVersion and kind",
                f.display()
            );
        }
    }
}

#[test]
fn deploy_kustomization_lists_every_resource_and_config_file() {
    let k = kustomization();
    let listed: BTreeSet<PathBuf> = strings(&k["resources"]).iter().map(PathBuf::from).collect();
    let present: BTreeSet<PathBuf> = files_under(&k8s())
        .into_iter()
        .filter(|f| f.components().count() == 1 && is_yaml(f))
        .filter(|f| f != Path::new("kustomization.yaml"))
        .collect();
    assert_eq!(listed, present, "resources: lists the manifests beside it");
    let generated: BTreeSet<PathBuf> = k["configMapGenerator"]
        .as_array()
        .expect("configMapGenerator")
        .iter()
        .flat_map(|g| strings(&g["files"]))
        .map(PathBuf::from)
        .collect();
    let config: BTreeSet<PathBuf> = files_under(&k8s().join("config"))
        .into_iter()
        .map(|f| Path::new("config").join(f))
        .collect();
    assert_eq!(
        generated, config,
        "configMapGenerator: names every file under config/"
    );
    let kinds: BTreeSet<String> = resources()
        .iter()
        .map(|r| r["kind"].as_str().expect("kind").to_owned())
        .collect();
    for kind in [
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
    ] {
        assert!(kinds.contains(kind), "the base has a {kind}");
    }
    let hpa = resource("HorizontalPodAutoscaler");
    assert_eq!(hpa["apiVersion"], "autoscaling/v2");
    assert_eq!(hpa["spec"]["scaleTargetRef"]["name"], "soapbridge");
    assert!(
        hpa["spec"]["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .any(|m| m["resource"]["name"] == "cpu"),
        "the HPA scales on CPU"
    );
}

#[test]
fn deploy_config_copies_equal_the_originals() {
    for (copy, original) in [
        ("config/mappings/customers.yaml", "mappings/customers.yaml"),
        ("config/wsdl/customers.wsdl", "wsdl/customers.wsdl"),
    ] {
        let a = std::fs::read(k8s().join(copy)).expect("copy");
        let b = std::fs::read(support::root().join(original)).expect("original");
        assert!(
            a == b,
            "deploy/kubernetes/{copy} differs from {original}: copy it again"
        );
    }
}

#[test]
fn deploy_pods_are_locked_down_and_terminate_gracefully() {
    let dep = resource("Deployment");
    let pod = &dep["spec"]["template"]["spec"];
    let c = container(&dep);
    let (uid, gid) = image_user(&Dockerfile::load());
    for sc in [&pod["securityContext"], &c["securityContext"]] {
        assert_eq!(sc["runAsNonRoot"], true, "{sc}");
        assert_eq!(
            u64_of(&sc["runAsUser"], "runAsUser"),
            uid,
            "the image's uid"
        );
        assert_eq!(
            u64_of(&sc["runAsGroup"], "runAsGroup"),
            gid,
            "the image's gid"
        );
        assert_eq!(sc["seccompProfile"]["type"], "RuntimeDefault", "{sc}");
    }
    let sc = &c["securityContext"];
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert_eq!(strings(&sc["capabilities"]["drop"]), ["ALL"]);
    for kind in ["requests", "limits"] {
        for r in ["cpu", "memory"] {
            assert!(c["resources"][kind][r].is_string(), "resources.{kind}.{r}");
        }
    }
    let pre_stop = u64_of(
        &c["lifecycle"]["preStop"]["sleep"]["seconds"],
        "preStop sleep",
    );
    assert!(
        (1..=15).contains(&pre_stop),
        "a preStop sleep of a few seconds"
    );
    let grace = u64_of(
        &pod["terminationGracePeriodSeconds"],
        "terminationGracePeriodSeconds",
    );
    assert!(
        grace > pre_stop + DRAIN_SECONDS,
        "terminationGracePeriodSeconds {grace} must exceed preStop {pre_stop} + drain {DRAIN_SECONDS}"
    );
    // Credentials come from an optional Secret, as environment variables.
    let env_from = c["envFrom"].as_array().expect("envFrom");
    assert!(
        env_from
            .iter()
            .any(|e| e["secretRef"]["name"].is_string() && e["secretRef"]["optional"] == true),
        "envFrom an optional Secret: {env_from:?}"
    );
    // The HPA owns the replica count.
    assert!(
        dep["spec"]["replicas"].is_null(),
        "no replicas beside an HPA"
    );
    let pdb = resource("PodDisruptionBudget");
    assert_eq!(
        pdb["spec"]["selector"]["matchLabels"],
        dep["spec"]["selector"]["matchLabels"]
    );
}

#[test]
fn deploy_config_maps_are_mounted_where_the_relative_wsdl_paths_resolve() {
    let dep = resource("Deployment");
    let mounts = mounted_files(&dep);
    let (mapping_dir, mapping_files) = mounts
        .iter()
        .find(|(_, files)| files.iter().any(|f| f.ends_with(".yaml")))
        .expect("a mount with the mapping files");
    assert_eq!(mapping_dir, Path::new("/etc/soapbridge/mappings"));
    let args = strings(&container(&dep)["args"]);
    assert!(
        args.iter().any(|a| Path::new(a) == mapping_dir.as_path()),
        "the args serve the mounted mappings: {args:?}"
    );
    let cmd = Dockerfile::load().exec_form("CMD");
    assert!(
        cmd.iter().any(|a| Path::new(a) == mapping_dir.as_path()),
        "the image's CMD serves the mounted mappings: {cmd:?}"
    );
    // Each WSDL a mapping names, relative to the mapping's folder, is a mounted file.
    let wsdl = regex::Regex::new(r"(?m)^\s*wsdl:\s*(\S+)").expect("regex");
    let mounted: BTreeSet<PathBuf> = mounts
        .iter()
        .flat_map(|(dir, files)| files.iter().map(move |f| dir.join(f)))
        .collect();
    for f in mapping_files {
        let text = read(&k8s().join("config/mappings").join(f));
        for cap in wsdl.captures_iter(&text) {
            let target = normalize(&mapping_dir.join(&cap[1]));
            assert!(
                mounted.contains(&target),
                "{f} names {} = {}, which is not mounted",
                &cap[1],
                target.display()
            );
        }
    }
}

/// Each ConfigMap volume of the Deployment: its mount path and the file names in it (the
/// generator's files, by base name).
fn mounted_files(dep: &Value) -> Vec<(PathBuf, Vec<String>)> {
    let generators: BTreeMap<String, Vec<String>> = kustomization()["configMapGenerator"]
        .as_array()
        .expect("configMapGenerator")
        .iter()
        .map(|g| {
            (
                g["name"].as_str().expect("name").to_owned(),
                strings(&g["files"]),
            )
        })
        .collect();
    let volumes = dep["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .expect("volumes");
    let mut out = Vec::new();
    for m in container(dep)["volumeMounts"]
        .as_array()
        .expect("volumeMounts")
    {
        let vol = volumes
            .iter()
            .find(|v| v["name"] == m["name"])
            .unwrap_or_else(|| panic!("no volume {}", m["name"]));
        let Some(cm) = vol["configMap"]["name"].as_str() else {
            continue;
        };
        assert_eq!(m["readOnly"], true, "ConfigMap mounts are read-only");
        assert!(m["subPath"].is_null(), "a subPath mount never sees updates");
        let files = generators.get(cm).unwrap_or_else(|| {
            panic!("volume {} names ConfigMap {cm}, not generated", vol["name"])
        });
        let names = files
            .iter()
            .map(|f| {
                Path::new(f)
                    .file_name()
                    .expect("file name")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        let path = m["mountPath"].as_str().expect("mountPath");
        out.push((PathBuf::from(path), names));
    }
    out
}

// ---- the real binary ---------------------------------------------------------------------

/// A soapbridge process; killed when the test ends, however it ends.
struct Proc {
    child: Child,
    stderr: tempfile::NamedTempFile,
}

impl Proc {
    fn start(args: &[String], env: &[(String, String)]) -> Self {
        let stderr = tempfile::NamedTempFile::new().expect("tmp");
        let child = Command::new(env!("CARGO_BIN_EXE_soapbridge"))
            .args(args)
            .env_remove("SOAPBRIDGE_LISTEN")
            .env("SOAPBRIDGE_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(stderr.reopen().expect("reopen"))
            .spawn()
            .expect("start soapbridge");
        Self { child, stderr }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.stderr.path()).unwrap_or_default()
    }

    /// Waits until `/readyz` reports `want` routes; panics with the log if the process
    /// exits or time runs out.
    async fn wait_routes(&mut self, port: u16, want: u64) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = None;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                panic!("soapbridge exited ({status}):\n{}", self.log());
            }
            if let Ok(r) = support::client()
                .get(format!("http://127.0.0.1:{port}/readyz"))
                .send()
                .await
                && let Ok(text) = r.text().await
            {
                let v: Option<Value> = serde_json::from_str(&text).ok();
                last = v.as_ref().and_then(|v| v["routes"].as_u64());
                if last == Some(want) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!(
            "no {want} routes on port {port} (last: {last:?}):\n{}",
            self.log()
        );
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

async fn get(port: u16, path: &str) -> (u16, String) {
    let r = support::client()
        .get(format!("http://127.0.0.1:{port}{path}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = r.status().as_u16();
    (status, r.text().await.expect("body"))
}

/// The embedded demo on a free port, ready.
async fn demo() -> (Proc, u16) {
    let port = free_port();
    let mut p = Proc::start(
        &[
            "demo".to_owned(),
            "--listen".to_owned(),
            format!("127.0.0.1:{port}"),
        ],
        &[],
    );
    p.wait_routes(port, ROUTES).await;
    (p, port)
}

#[actix_web::test]
async fn deploy_probes_and_ports_are_the_ones_the_binary_serves() {
    let dep = resource("Deployment");
    let c = container(&dep);
    let args = strings(&c["args"]);
    let listen = flag_value(&args, "--listen").expect("the args pass --listen");
    let listen_port = port_of(listen);
    assert!(
        listen.starts_with("0.0.0.0:"),
        "the pod listens on every interface"
    );
    let ports = c["ports"].as_array().expect("ports");
    let http = ports
        .iter()
        .find(|p| p["name"] == "http")
        .expect("a container port named http");
    let container_port = u64_of(&http["containerPort"], "containerPort");
    assert_eq!(
        container_port,
        u64::from(listen_port),
        "containerPort = --listen"
    );
    let service = resource("Service");
    let sp = &service["spec"]["ports"][0];
    assert_eq!(sp["name"], "http");
    assert_eq!(u64_of(&sp["port"], "port"), 80);
    let target = match &sp["targetPort"] {
        Value::String(name) => u64_of(
            &ports
                .iter()
                .find(|p| p["name"] == *name)
                .expect("named port")["containerPort"],
            "containerPort",
        ),
        n => u64_of(n, "targetPort"),
    };
    assert_eq!(target, container_port, "the Service's targetPort");
    assert_eq!(
        service["spec"]["selector"],
        dep["spec"]["template"]["metadata"]["labels"]
    );
    let annotations = &dep["spec"]["template"]["metadata"]["annotations"];
    assert_eq!(
        annotations["prometheus.io/port"],
        container_port.to_string()
    );

    let (_p, port) = demo().await;
    let mut probed = BTreeSet::new();
    for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
        let get_probe = &c[probe]["httpGet"];
        let path = get_probe["path"]
            .as_str()
            .unwrap_or_else(|| panic!("{probe} is an httpGet"));
        assert!(
            get_probe["port"] == "http" || get_probe["port"] == container_port,
            "{probe} probes the http port"
        );
        let (status, body) = get(port, path).await;
        assert_eq!(status, 200, "{probe} {path}: {body}");
        probed.insert(path.to_owned());
    }
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
    let metrics_path = annotations["prometheus.io/path"].as_str().expect("path");
    assert_eq!(get(port, metrics_path).await.0, 200, "{metrics_path}");
}

/// Writes files into `dir` the way the kubelet fills a ConfigMap volume: a timestamped
/// folder, `..data` pointing at it, and each file a link through `..data`. Called again, it
/// swaps `..data` atomically to a new folder, as an update of the ConfigMap does.
#[cfg(unix)]
fn write_config_map(dir: &Path, generation: u32, files: &[(String, String)]) {
    use std::os::unix::fs::symlink;
    std::fs::create_dir_all(dir).expect("mkdir");
    let stamp = format!("..2030_01_01_00_00_{generation:02}.000000001");
    std::fs::create_dir(dir.join(&stamp)).expect("mkdir stamp");
    for (name, text) in files {
        std::fs::write(dir.join(&stamp).join(name), text).expect("write");
    }
    let old = std::fs::read_link(dir.join("..data")).ok();
    symlink(&stamp, dir.join("..data_tmp")).expect("symlink");
    std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).expect("swap ..data");
    for (name, _) in files {
        let link = dir.join(name);
        if std::fs::symlink_metadata(&link).is_err() {
            symlink(Path::new("..data").join(name), &link).expect("symlink file");
        }
    }
    if let Some(old) = old {
        std::fs::remove_dir_all(dir.join(old)).expect("remove the old folder");
    }
}

/// Without symlinks: the files themselves.
#[cfg(not(unix))]
fn write_config_map(dir: &Path, _generation: u32, files: &[(String, String)]) {
    std::fs::create_dir_all(dir).expect("mkdir");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
}

/// The contents of each ConfigMap mount of the Deployment, from the base's config files.
fn config_map_contents(dep: &Value) -> Vec<(PathBuf, Vec<(String, String)>)> {
    let by_name: BTreeMap<String, String> = files_under(&k8s().join("config"))
        .into_iter()
        .map(|f| {
            let name = f.file_name().expect("name").to_string_lossy().into_owned();
            (name, read(&k8s().join("config").join(&f)))
        })
        .collect();
    mounted_files(dep)
        .into_iter()
        .map(|(dir, names)| {
            let files = names
                .into_iter()
                .map(|n| (n.clone(), by_name[&n].clone()))
                .collect();
            (dir, files)
        })
        .collect()
}

/// A container's command line for the host: the entrypoint is the built binary, absolute
/// paths live under `root`, and `--listen` is a free loopback port.
fn localize(argv: &[String], root: &Path, port: u16) -> Vec<String> {
    let (entry, args) = argv.split_first().expect("argv");
    assert_eq!(entry, "/usr/local/bin/soapbridge");
    assert!(
        flag_value(args, "--listen").is_some(),
        "the command line passes --listen: {argv:?}"
    );
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && args[i - 1] == "--listen" {
            out.push(format!("127.0.0.1:{port}"));
        } else if let Some(abs) = a.strip_prefix('/') {
            out.push(root.join(abs).display().to_string());
        } else {
            out.push(a.clone());
        }
    }
    out
}

/// The image's command line (ENTRYPOINT + CMD) and environment (ENV).
fn image_command() -> (Vec<String>, Vec<(String, String)>) {
    let d = Dockerfile::load();
    let mut argv = d.exec_form("ENTRYPOINT");
    argv.extend(d.exec_form("CMD"));
    (argv, d.env())
}

/// The pod's command line (the image's ENTRYPOINT + the Deployment's args) and `env`.
fn pod_command() -> (Vec<String>, Vec<(String, String)>) {
    let c = container(&resource("Deployment"));
    assert!(
        c["command"].is_null(),
        "the pod keeps the image's entrypoint"
    );
    let mut argv = Dockerfile::load().exec_form("ENTRYPOINT");
    argv.extend(strings(&c["args"]));
    let env = c["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_owned(),
                e["value"].as_str()?.to_owned(),
            ))
        })
        .collect();
    (argv, env)
}

/// A container command line run on the host, its mounts laid out under a temporary root as
/// the kubelet lays out the Deployment's ConfigMaps.
struct Pod {
    proc: Proc,
    port: u16,
    root: tempfile::TempDir,
    mounts: Vec<(PathBuf, Vec<(String, String)>)>,
}

impl Pod {
    async fn start((argv, env): (Vec<String>, Vec<(String, String)>)) -> Self {
        let root = tempfile::tempdir().expect("tmp");
        let mounts = config_map_contents(&resource("Deployment"));
        let pod = |dir: &Path| root.path().join(dir.strip_prefix("/").expect("absolute"));
        for (dir, files) in &mounts {
            write_config_map(&pod(dir), 1, files);
        }
        let port = free_port();
        let mut proc = Proc::start(&localize(&argv, root.path(), port), &env);
        proc.wait_routes(port, ROUTES).await;
        Self {
            proc,
            port,
            root,
            mounts,
        }
    }

    /// Updates the ConfigMaps with the mapping less its `GET /ping` route; waits for the
    /// reload.
    async fn update_without_ping(&mut self) {
        for (dir, files) in &self.mounts {
            let files: Vec<(String, String)> = files
                .iter()
                .map(|(n, t)| (n.clone(), t.replace(PING_ROUTE, "")))
                .collect();
            let dir = self
                .root
                .path()
                .join(dir.strip_prefix("/").expect("absolute"));
            write_config_map(&dir, 2, &files);
        }
        self.proc.wait_routes(self.port, ROUTES - 1).await;
    }
}

#[actix_web::test]
async fn deploy_the_image_command_and_the_pod_args_serve_a_mounted_config_map_and_reload_it() {
    for (what, command) in [
        ("the image's ENTRYPOINT + CMD", image_command()),
        ("the pod's args", pod_command()),
    ] {
        assert!(
            command.0.iter().any(|a| a == "--watch"),
            "{what}: without --watch a ConfigMap update is never seen"
        );
        let mut pod = Pod::start(command).await;
        assert_eq!(get(pod.port, "/healthz").await.0, 200, "{what}");
        // An update of the ConfigMaps: the kubelet swaps `..data`, --watch reloads.
        pod.update_without_ping().await;
        let (_, metrics) = get(pod.port, "/metrics").await;
        assert!(
            metrics.contains("soapbridge_config_reloads_total{result=\"ok\"} 1"),
            "{what}: the reload is counted:\n{metrics}"
        );
    }
}

// ---- metrics: the dashboard and docs/metrics.md ------------------------------------------

/// What `/metrics` says: each family's type, and the label names of its samples.
struct Exported {
    /// family name -> type (counter, gauge, histogram, ...).
    families: BTreeMap<String, String>,
    /// sample name (`_total`, `_bucket`...) -> label names seen.
    samples: BTreeMap<String, BTreeSet<String>>,
}

impl Exported {
    fn parse(text: &str) -> Self {
        let mut families = BTreeMap::new();
        let mut samples: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("# TYPE name type");
                families.insert(name.to_owned(), kind.to_owned());
            } else if !line.starts_with('#') && !line.is_empty() {
                let end = line
                    .find(['{', ' '])
                    .unwrap_or_else(|| panic!("a sample line: {line}"));
                let labels = if line[end..].starts_with('{') {
                    matcher_names(&line[end..]).0
                } else {
                    Vec::new()
                };
                samples
                    .entry(line[..end].to_owned())
                    .or_default()
                    .extend(labels);
            }
        }
        Self { families, samples }
    }

    /// The series names a family exposes (whether or not it has samples yet).
    fn series_of(&self, family: &str) -> Vec<String> {
        let suffixes: &[&str] = match self.families[family].as_str() {
            "counter" => &["_total"],
            "histogram" => &["_bucket", "_sum", "_count"],
            _ => &[""],
        };
        suffixes.iter().map(|s| format!("{family}{s}")).collect()
    }

    /// The family a series name belongs to.
    fn family_of(&self, series: &str) -> Option<&str> {
        self.families
            .keys()
            .find(|f| self.series_of(f).iter().any(|s| s == series))
            .map(String::as_str)
    }

    /// The label names of a family's samples, `le` aside; `None` before any sample.
    fn labels_of(&self, family: &str) -> Option<BTreeSet<String>> {
        let mut out: Option<BTreeSet<String>> = None;
        for s in self.series_of(family) {
            if let Some(l) = self.samples.get(&s) {
                out.get_or_insert_with(BTreeSet::new)
                    .extend(l.iter().filter(|n| *n != "le").cloned());
            }
        }
        out
    }
}

/// The label names of a `{name="value", other=~"..."}` block at the start of `s`, and the
/// length of the block.
fn matcher_names(s: &str) -> (Vec<String>, usize) {
    let bytes = s.as_bytes();
    assert_eq!(bytes.first(), Some(&b'{'), "a label block: {s}");
    let mut names = Vec::new();
    let mut i = 1;
    loop {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b',') {
            i += 1;
        }
        if i >= bytes.len() {
            panic!("an unterminated label block: {s}");
        }
        if bytes[i] == b'}' {
            return (names, i + 1);
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        names.push(s[start..i].to_owned());
        while i < bytes.len() && matches!(bytes[i], b' ' | b'=' | b'!' | b'~') {
            i += 1;
        }
        assert_eq!(bytes.get(i), Some(&b'"'), "a quoted label value in {s}");
        i += 1;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        i += 1;
    }
}

/// Everything the binary exports: the demo's `/metrics` after one request (requests and
/// backend calls), merged with that of the pod's command line after one ConfigMap update
/// (a reload: its counter has no series before one) and that of the secured example after
/// a refused and an admitted call (the edge's counters).
async fn exported() -> Exported {
    let (_demo, port) = demo().await;
    let (status, body) = get(port, "/customers/42").await;
    assert_eq!(status, 200, "{body}");
    let (status, text) = get(port, "/metrics").await;
    assert_eq!(status, 200);
    let mut all = Exported::parse(&text);
    let mut pod = Pod::start(pod_command()).await;
    pod.update_without_ping().await;
    let reloaded = Exported::parse(&get(pod.port, "/metrics").await.1);
    let secured = crate::secured::start().await;
    let (status, body) = get(secured.port, "/customers/42").await;
    assert_eq!(status, 401, "{body}");
    let r = support::client()
        .get(format!("http://127.0.0.1:{}/customers/42", secured.port))
        .bearer_auth(crate::secured::token("read.jwt"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    let edge = Exported::parse(&get(secured.port, "/metrics").await.1);
    for other in [reloaded, edge] {
        all.families.extend(other.families);
        for (name, labels) in other.samples {
            all.samples.entry(name).or_default().extend(labels);
        }
    }
    all
}

/// docs/metrics.md's table of the metrics served today: name -> (type, labels).
fn documented() -> BTreeMap<String, (String, BTreeSet<String>)> {
    let text = read(&support::root().join("docs/metrics.md"));
    let today = text
        .split("\n## Planned")
        .next()
        .expect("the part before Planned");
    let tick = regex::Regex::new(r"`([^`]+)`").expect("regex");
    let mut out = BTreeMap::new();
    for line in today.lines() {
        if !line.starts_with("| `soapbridge_") {
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let name = cells[1].trim_matches('`').to_owned();
        let kind = cells[2].to_owned();
        let labels = tick
            .captures_iter(cells[3])
            .map(|c| c[1].to_owned())
            .collect();
        out.insert(name, (kind, labels));
    }
    out
}

/// The name docs/metrics.md gives a family: counters as queried (`_total`), others as is.
fn doc_name(e: &Exported, family: &str) -> String {
    if e.families[family] == "counter" {
        format!("{family}_total")
    } else {
        family.to_owned()
    }
}

#[actix_web::test]
async fn deploy_metrics_doc_lists_every_metric_served_with_its_type_and_labels() {
    let e = exported().await;
    let docs = documented();
    let served: BTreeSet<String> = e.families.keys().map(|f| doc_name(&e, f)).collect();
    let listed: BTreeSet<String> = docs.keys().cloned().collect();
    assert_eq!(
        listed, served,
        "docs/metrics.md lists exactly the metrics /metrics serves"
    );
    for family in e.families.keys() {
        let (kind, labels) = &docs[&doc_name(&e, family)];
        assert_eq!(kind, &e.families[family], "the type of {family}");
        let real = e.labels_of(family).expect("a family with samples");
        assert_eq!(labels, &real, "the labels of {family}");
    }
}

fn exprs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "expr"
                    && let Some(s) = v.as_str()
                {
                    out.push(s.to_owned());
                } else {
                    exprs(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| exprs(v, out)),
        _ => {}
    }
}

fn all_panels(v: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for p in v["panels"].as_array().expect("panels") {
        out.push(p.clone());
        if p["panels"].is_array() {
            out.extend(all_panels(p));
        }
    }
    out
}

#[actix_web::test]
async fn deploy_dashboard_queries_only_metrics_and_labels_the_binary_exports() {
    let path = support::root().join("deploy/grafana/soapbridge.json");
    let dash: Value = serde_json::from_str(&read(&path)).expect("the dashboard is JSON");
    let vars = dash["templating"]["list"].as_array().expect("templating");
    let ds = vars
        .iter()
        .find(|v| v["type"] == "datasource")
        .expect("a data source variable");
    assert_eq!(ds["query"], "prometheus");
    let ds_ref = format!("${{{}}}", ds["name"].as_str().expect("name"));
    let mut ids = BTreeSet::new();
    for p in all_panels(&dash) {
        assert!(ids.insert(p["id"].to_string()), "panel ids are unique");
        for t in p["targets"].as_array().into_iter().flatten() {
            assert_eq!(t["datasource"]["uid"], ds_ref.as_str(), "{}", p["title"]);
        }
        if p["targets"].is_array() {
            assert_eq!(p["datasource"]["uid"], ds_ref.as_str(), "{}", p["title"]);
        }
    }
    let mut queries = Vec::new();
    exprs(&dash, &mut queries);
    assert!(queries.len() >= 10, "{queries:?}");
    // The variables' queries (`label_values(soapbridge_routes, job)`) name metrics too.
    queries.extend(
        vars.iter()
            .filter(|v| v["type"] == "query")
            .map(|v| v["query"].as_str().expect("a query string").to_owned()),
    );

    let e = exported().await;
    let metric = regex::Regex::new(r"\bsoapbridge_[a-z0-9_]+").expect("regex");
    let by = regex::Regex::new(r"\b(?:by|without)\s*\(([^)]*)\)").expect("regex");
    let target_labels: BTreeSet<String> = ["job", "instance"].map(str::to_owned).into();
    let mut used = BTreeSet::new();
    for q in &queries {
        let mut allowed = target_labels.clone();
        for m in metric.find_iter(q) {
            let series = m.as_str();
            let family = e
                .family_of(series)
                .unwrap_or_else(|| panic!("`{series}` is not on /metrics (in `{q}`)"));
            used.insert(series.to_owned());
            let labels = e.labels_of(family).unwrap_or_else(|| {
                panic!("`{family}` has no samples after a request and a reload")
            });
            if q[m.end()..].starts_with('{') {
                for name in matcher_names(&q[m.end()..]).0 {
                    assert!(
                        labels.contains(&name) || target_labels.contains(&name),
                        "`{series}` has no label `{name}` (in `{q}`)"
                    );
                }
            }
            allowed.extend(labels);
            if series.ends_with("_bucket") {
                allowed.insert("le".to_owned());
            }
        }
        for cap in by.captures_iter(q) {
            for name in cap[1].split(',').map(str::trim).filter(|n| !n.is_empty()) {
                assert!(
                    allowed.contains(name),
                    "no label `{name}` to group by (in `{q}`)"
                );
            }
        }
    }
    for needed in [
        "soapbridge_http_requests_total",
        "soapbridge_http_request_duration_seconds_bucket",
        "soapbridge_backend_calls_total",
        "soapbridge_backend_call_duration_seconds_bucket",
        "soapbridge_routes",
        "soapbridge_config_reloads_total",
    ] {
        assert!(used.contains(needed), "the dashboard shows {needed}");
    }
}
