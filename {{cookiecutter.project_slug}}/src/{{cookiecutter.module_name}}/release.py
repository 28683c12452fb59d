"""Model versions, the DVC way: `release VERSION` tags the bundle, `fetch VERSION` gets one back.

A release is a git tag `model@vX.Y.Z` in GTO's convention, on a commit whose dvc.lock records
the bundle: `dvc artifacts get`, `gto show` and DVC Studio read these tags. `release` makes one
only when the verdict is done, the pipeline is up to date and committed, and the bundle has
been pushed to the DVC remote, so a release can always be fetched again. The tag message holds
the verdict, the score and the bundle's manifest digest.

`fetch` gets a released bundle with `dvc artifacts get`, together with the registry.json it was
published with (from the tag's commit), and verifies the pair before saying it is there.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .bundles.bundle import REGISTRY, BundleError, sha256, verify_bundle
from .core.paths import Paths
from .core.records import Verdict, read_record
from .core.settings import ThriftyError

log = logging.getLogger(__name__)
ARTIFACT = "model"  # the name in dvc.yaml's artifacts: block
SEMVER = re.compile(r"v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


def tag_version(version: str) -> str:
    """`0.2.0` or `v0.2.0` as GTO's `v0.2.0`; anything else is refused, naming the form."""
    if not SEMVER.fullmatch(version or ""):
        raise ThriftyError(
            f"VERSION {version!r}: use three numbers MAJOR.MINOR.PATCH, such as 0.2.0 or v0.2.0"
        )
    return "v" + version.removeprefix("v")


def _git(root: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise ThriftyError(f"git {' '.join(args)}: {result.stderr.strip() or 'failed'}")
    return result.stdout.rstrip() if result.returncode == 0 else ""


def versions(root: Path) -> list[str]:
    """The released versions, oldest first."""
    tags = _git(root, "tag", "--list", f"{ARTIFACT}@v*", "--sort=version:refname", check=False)
    return [tag.split("@", 1)[1] for tag in tags.splitlines()]


def _listing(root: Path) -> str:
    return ", ".join(versions(root)) or "none yet"


def _check_releasable(root: Path, paths: Paths, tag: str) -> Verdict:
    verdict = read_record(paths.done, Verdict)
    if verdict.verdict != "done":
        raise ThriftyError(
            f"release: the verdict in reports/done.json is {verdict.verdict}, not done "
            f"({verdict.metric} {verdict.score:.4f}, target {verdict.target}); only a model "
            f"that passes `done --check` is released. Next: {verdict.actions[0]}"
        )
    if not _git(root, "rev-parse", "--git-dir", check=False):
        raise ThriftyError("release: not a git repository; a version is a git tag (git init)")
    if tag.split("@", 1)[1] in versions(root):
        commit = _git(root, "rev-list", "-n", "1", tag)[:12]
        raise ThriftyError(
            f"release: {tag} exists already (commit {commit}); released: {_listing(root)}"
        )
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        stale = repo.status()
    if stale:
        raise ThriftyError(
            f"release: the pipeline is not up to date ({', '.join(sorted(stale))} changed); "
            "run dvc repro, commit, then release"
        )
    # The tag's commit must hold what fetching it needs: dvc.lock (where the bundle is) and
    # the registry (what it must match), as they are now.
    needed = [path.relative_to(root).as_posix() for path in (root / "dvc.lock", paths.registry)]
    untracked = [name for name in needed if not _git(root, "ls-files", name, check=False)]
    changed = _git(root, "status", "--porcelain", "--untracked-files=no")
    if changed or untracked:
        files = ", ".join([*untracked, *(line[3:] for line in changed.splitlines())][:5])
        raise ThriftyError(
            f"release: uncommitted changes ({files}); a version tags a commit, so commit first: "
            "git add -A && git commit"
        )
    return verdict


def _push(root: Path, bundle: Path) -> str | None:
    """Push the bundle to the default DVC remote; its name, or None when there is none."""
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        remote = repo.config["core"].get("remote")
        if remote:
            try:
                repo.push(targets=[str(bundle.relative_to(root))])
            except DvcException as error:
                raise ThriftyError(
                    f"release: dvc push of {bundle.name} to remote {remote!r} failed, so "
                    f"nothing was tagged: {error}"
                ) from None
    return remote


def release(root: Path, version: str) -> str:
    """Tag the current bundle as `model@vVERSION`; return the tag."""
    paths = Paths(root)
    version = tag_version(version)
    tag = f"{ARTIFACT}@{version}"
    verdict = _check_releasable(root, paths, tag)
    try:
        digest = sha256(paths.bundle / "manifest.json")
        verify_bundle(paths.bundle, paths.registry)
    except (BundleError, OSError) as error:
        raise ThriftyError(f"release: {error}") from None
    remote = _push(root, paths.bundle)
    if remote is None:
        log.warning(
            "no default DVC remote: the bundle stays in this machine's cache, and only this "
            "clone can fetch %s (dvc remote add -d NAME URL to share releases)",
            tag,
        )
    message = (
        f"verdict done: test {verdict.metric} {verdict.score:.4f} (target {verdict.target}), "
        f"model {verdict.model}, manifest sha256 {digest}"
    )
    from gto.api import register

    register(str(root), ARTIFACT, "HEAD", version=version, message=message)
    where = f"; the bundle is on DVC remote {remote}" if remote else ""
    print(f"released {tag}: {message}")
    print(f"share it: git push origin {tag}{where}")
    print(f"get it back: python -m {__package__} fetch {version} --out DIR")
    return tag


def fetch(root: Path, version: str, out: Path) -> Path:
    """Download released `version` into `out` (model/ and registry.json) and verify it."""
    version = tag_version(version)
    tag = f"{ARTIFACT}@{version}"
    if version not in versions(root):
        raise ThriftyError(f"fetch: no release {tag}; released: {_listing(root)}")
    if out.exists() and any(out.iterdir()):
        raise ThriftyError(f"fetch: --out {out} is not empty; give a new or empty folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    registry = _git(root, "show", f"{tag}:artifacts/{REGISTRY}")
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.fetch-"))
    try:
        from dvc.exceptions import DvcException
        from dvc.repo.artifacts import Artifacts

        try:
            Artifacts.get(str(root), ARTIFACT, version=version, out=str(tmp / ARTIFACT))
        except DvcException as error:
            raise ThriftyError(f"fetch: dvc artifacts get of {tag} failed: {error}") from None
        (tmp / REGISTRY).write_text(registry + "\n")
        try:
            verify_bundle(tmp / ARTIFACT, tmp / REGISTRY)
        except BundleError as error:
            raise ThriftyError(f"fetch: {tag} does not verify: {error}") from None
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"fetched {tag} into {out / ARTIFACT}, verified against its {REGISTRY}")
    print(f"python -m {__package__} predict --bundle {out / ARTIFACT} --input FILE --output FILE")
    return out / ARTIFACT
