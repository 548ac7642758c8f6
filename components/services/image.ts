// The OneHub image a task runs: which repositories count as OneHub's own, what a pinned
// reference looks like, and the reference the task definition gets. The policy pack restates the
// tag rule (policy/helpers.ts); test/policyConstants.spec.ts checks that both sides agree.
import { checkMatches, fail } from "../common/validation";

/** OneHub's published image: GitHub's registry (no anonymous pull limits) and Docker Hub. */
export const ONEHUB_IMAGE_REPOSITORIES = ["ghcr.io/martialbe/one-api", "docker.io/martialbe/one-api", "martialbe/one-api"];
export const DEFAULT_IMAGE_REPOSITORY = "ghcr.io/martialbe/one-api";
export const DEFAULT_IMAGE_TAG = "v0.14.27";
/**
 * A release tag as OneHub's workflow publishes them (`v*` git tags, pushed raw): vX.Y.Z, optionally
 * with a suffix such as -rc.1. Anything else (latest, dev, main, 0.14.27, v1, sha-…) may move or
 * is not a release.
 */
export const RELEASE_TAG_RE = /^v\d+\.\d+\.\d+(-[A-Za-z0-9][A-Za-z0-9._-]*)?$/;
/** An OCI content digest: what the registry stores, immutable. */
export const IMAGE_DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
/** Docker's tag grammar, for a tag that documents where a digest came from (e.g. "dev"). */
const TAG_SYNTAX_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPOSITORY_RE = /^[a-z0-9]+([._/:-][a-z0-9]+)*$/;

export interface ImageKeys {
    repository: string;
    tag: string;
    digest: string;
    allowCustomRepository: string;
}

export interface ImageChoice {
    repository: string;
    /** "" = no tag (the digest alone). */
    tag: string;
    /** "" = no digest. */
    digest: string;
    allowCustomRepository: boolean;
}

/**
 * The image is pinned: a digest (`sha256:` + 64 hex), or a release tag (vX.Y.Z[-suffix]). With a
 * digest the tag is only a label (ECS pulls the digest), so it may name where the digest came
 * from, such as OneHub's `dev` image; without one it must be a release, because every other tag
 * moves and a slave that scales out later would run code newer than the schema the master
 * migrated. A repository other than OneHub's own needs `allowCustomRepository`.
 */
export function checkImage(keys: ImageKeys, image: ImageChoice): void {
    checkMatches(keys.repository, image.repository, REPOSITORY_RE, "must be an image repository such as ghcr.io/martialbe/one-api");
    if (!image.allowCustomRepository && !ONEHUB_IMAGE_REPOSITORIES.includes(image.repository)) {
        fail(
            keys.repository,
            image.repository,
            `is not OneHub's image (${ONEHUB_IMAGE_REPOSITORIES.join(", ")}); a mirror or a derived image (e.g. one with \`script\` for ECS Exec transcripts) needs ${keys.allowCustomRepository} = true, which says the registry and what it serves are yours to trust`,
        );
    }
    if (image.digest !== "") {
        checkMatches(keys.digest, image.digest, IMAGE_DIGEST_RE, "must be an image digest: sha256: followed by 64 lower-case hex digits");
        if (image.tag !== "") {
            checkMatches(
                keys.tag,
                image.tag,
                TAG_SYNTAX_RE,
                'must be an image tag such as v0.14.27 or dev (a label next to the digest), or "" for the digest alone',
            );
        }
        return;
    }
    if (image.tag === "") {
        fail(keys.tag, image.tag, `must be a release such as v0.14.27 unless ${keys.digest} pins the image`);
    }
    if (!RELEASE_TAG_RE.test(image.tag)) {
        fail(
            keys.tag,
            image.tag,
            `must be a pinned release such as v0.14.27 (vX.Y.Z, optionally -suffix), or pin ${keys.digest}: any other tag (latest, dev, main, …) moves, and a slave that scales out later would run code newer than the schema the master migrated`,
        );
    }
}

/** The reference ECS pulls: repo:tag, repo@sha256:… or repo:tag@sha256:… (the digest wins). */
export function imageReference(image: Pick<ImageChoice, "repository" | "tag" | "digest">): string {
    return `${image.repository}${image.tag ? `:${image.tag}` : ""}${image.digest ? `@${image.digest}` : ""}`;
}
