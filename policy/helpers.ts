// Pure helpers of the OneHub guardrails: parsing container definitions, IAM documents, image
// references, security-group ingress and URNs. No Pulumi runtime and no policy SDK here, so the
// rules they encode can be tested on plain values.

/** The three values every OneHub task must read from Secrets Manager (DESIGN.md, invariants). */
export const REQUIRED_SECRETS = ["SQL_DSN", "SESSION_SECRET", "USER_TOKEN_SECRET"] as const;

/**
 * Words of an environment variable name (split on "_") that mark a credential: the components'
 * list (components/services/serviceBase.ts), so nothing they refuse passes here.
 */
export const CREDENTIAL_WORDS = ["SECRET", "PASSWORD", "PASSWD", "TOKEN", "DSN", "CREDENTIAL", "CREDENTIALS", "KEY", "APIKEY", "ACCESSKEY"];
/** Phrases that mark a credential, also inside a word (OPENAPI_KEYS) or as an ending (SMTP_PASS, BASIC_AUTH). */
const CREDENTIAL_PHRASES = /API_KEY|ACCESS_KEY|PRIVATE_KEY|CONN_STRING|_KEY$|_PASS$|_AUTH$/;

/**
 * True for an environment variable name that holds a credential: a plain `environment` entry
 * is visible to anyone who can read the task definition, so these belong in `secrets`. Words,
 * not substrings, so OneHub's TIKTOKEN_CACHE_DIR is not mistaken for a token.
 */
export function isCredentialName(name: string): boolean {
    const upper = name.toUpperCase();
    return upper.split("_").some((word) => CREDENTIAL_WORDS.includes(word)) || CREDENTIAL_PHRASES.test(upper);
}

/**
 * What makes an environment *value* a credential whatever its name, or undefined: a PEM private
 * key, a URL with a password (`scheme://user:pass@host`) or a MySQL DSN with one. Describes the
 * kind only; the value is never part of the answer.
 */
export function credentialValueKind(value: string): string | undefined {
    if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(value)) {
        return "a PEM private key";
    }
    if (/[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:[^\s/?#@]+@/i.test(value)) {
        return "a URL with a password";
    }
    if (/^[^\s:@]+:[^\s@]+@tcp\(/.test(value)) {
        return "a database DSN with a password";
    }
    return undefined;
}

/** Image tags that move; a slave scaling out later would run code newer than the schema the master migrated. */
export const FLOATING_TAGS = ["latest", "dev", "main", "master", "nightly", "edge", "beta", "alpha", "stable", "next", "canary"];
/**
 * OneHub's release tags (vX.Y.Z, optionally -suffix): without a digest, a OneHub container runs
 * nothing else. Restates components/services/image.ts RELEASE_TAG_RE.
 */
export const RELEASE_TAG_RE = /^v\d+\.\d+\.\d+(-[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

/** Stack names treated as production unless the `onehub:production` stack tag says otherwise. */
export const PRODUCTION_STACK_NAMES = ["prod", "production"];
/** Stack tag that marks (`"true"`) or unmarks (`"false"`) a stack as production. */
export const PRODUCTION_TAG = "onehub:production";

/** A container definition as ECS reads it from `containerDefinitions` (only the fields we check). */
export interface ContainerDefinition {
    name?: string;
    image?: string;
    environment?: { name?: string; value?: string }[];
    secrets?: { name?: string; valueFrom?: string }[];
    [key: string]: unknown;
}

/**
 * Parses a task definition's `containerDefinitions` (a JSON string in @pulumi/aws; an array is
 * accepted too). Returns undefined when it is not a JSON array of objects, which ECS rejects.
 */
export function parseContainers(containerDefinitions: unknown): ContainerDefinition[] | undefined {
    let parsed: unknown = containerDefinitions;
    if (typeof containerDefinitions === "string") {
        try {
            parsed = JSON.parse(containerDefinitions);
        } catch {
            return undefined;
        }
    }
    if (!Array.isArray(parsed) || !parsed.every((c) => c !== null && typeof c === "object" && !Array.isArray(c))) {
        return undefined;
    }
    return parsed as ContainerDefinition[];
}

/** `[{name, <field>}]` entries as a name → value map (later duplicates win, as in ECS). */
function byName(entries: { name?: unknown }[] | undefined, field: "value" | "valueFrom"): Record<string, string> {
    const map: Record<string, string> = {};
    for (const entry of entries ?? []) {
        if (typeof entry?.name === "string") {
            map[entry.name] = String((entry as Record<string, unknown>)[field] ?? "");
        }
    }
    return map;
}

/** The plain environment of a container as a name → value map. */
export function envOf(container: ContainerDefinition): Record<string, string> {
    return byName(container.environment, "value");
}

/** The `secrets` of a container as a name → valueFrom map. */
export function secretsOf(container: ContainerDefinition): Record<string, string> {
    return byName(container.secrets, "valueFrom");
}

/**
 * True for a OneHub container: the image is one-api/one-hub (MartialBE's image on Docker Hub or
 * GHCR, or a mirror with the same name), or the container sets OneHub's NODE_TYPE. Sidecars are
 * left alone by the OneHub-specific policies.
 */
export function isOneHubContainer(container: ContainerDefinition): boolean {
    const repository = parseImage(container.image ?? "").repository;
    return /(^|\/)one-(api|hub)$/.test(repository) || "NODE_TYPE" in envOf(container);
}

/**
 * OneHub's node role as the binary decides it: only NODE_TYPE exactly "slave" makes a slave;
 * anything else, including "Slave" or no NODE_TYPE at all, makes a master.
 */
export function nodeRole(container: ContainerDefinition): "master" | "slave" {
    return envOf(container).NODE_TYPE === "slave" ? "slave" : "master";
}

export interface ImageReference {
    repository: string;
    tag?: string;
    digest?: string;
}

/**
 * Splits "registry[:port]/repo[:tag][@sha256:…]" into its parts. A colon followed by a slash
 * belongs to a registry port, not a tag.
 */
export function parseImage(image: string): ImageReference {
    let rest = image.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    const colon = rest.lastIndexOf(":");
    if (colon > rest.lastIndexOf("/")) {
        return { repository: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
    }
    return { repository: rest, digest };
}

/**
 * Why an image reference is not pinned, or undefined when it is: a digest always pins; a tag
 * pins unless it is missing (Docker's implicit "latest") or one of the floating tags. OneHub's own
 * images (`oneHub`) must carry a release tag (vX.Y.Z[-suffix]) when they have no digest: its
 * workflow publishes releases under exactly those tags, and everything else (dev, main, sha-…)
 * moves or is not a release.
 */
export function floatingImageReason(image: string, oneHub = false): string | undefined {
    const ref = parseImage(image);
    if (ref.digest && /^sha256:[0-9a-f]{64}$/.test(ref.digest)) {
        return undefined;
    }
    if (!ref.tag) {
        return 'has no tag, which means the floating "latest"';
    }
    if (FLOATING_TAGS.includes(ref.tag.toLowerCase())) {
        return `uses the floating tag "${ref.tag}"`;
    }
    if (oneHub && !RELEASE_TAG_RE.test(ref.tag)) {
        return `uses the tag "${ref.tag}", which is not a OneHub release (vX.Y.Z, optionally -suffix)`;
    }
    return undefined;
}

/** The stack name inside a URN ("urn:pulumi:<stack>::<project>::<type>::<name>"), or "". */
export function stackOfUrn(urn: string): string {
    return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1] ?? "";
}

/**
 * Whether a stack gets the production rules: the `onehub:production` stack tag decides when it
 * is set ("true"/"false"); otherwise stacks named "prod" or "production" are production.
 * Policies see no stack name of their own, so it comes from the resources' URNs.
 */
export function isProductionStack(stack: string, stackTags: ReadonlyMap<string, string>): boolean {
    const tag = stackTags.get(PRODUCTION_TAG);
    if (tag !== undefined) {
        return tag.trim().toLowerCase() === "true";
    }
    return PRODUCTION_STACK_NAMES.includes(stack);
}

/** One principal of a statement: `{ kind: "Service", id: "ecs-tasks.amazonaws.com" }`; `Principal: "*"` is kind "*". */
export interface IamPrincipal {
    kind: string;
    id: string;
}

/** One condition key of a statement, e.g. `{ operator: "StringEquals", key: "aws:SourceAccount", values: ["123…"] }`. */
export interface IamCondition {
    operator: string;
    key: string;
    values: string[];
}

/** One statement of an IAM policy document, normalised to arrays. */
export interface IamStatement {
    effect: string;
    actions: string[];
    notActions: string[];
    resources: string[];
    notResources: string[];
    principals: IamPrincipal[];
    /** The statement names its principals with NotPrincipal (everyone but them). */
    notPrincipal: boolean;
    conditions: IamCondition[];
}

const asList = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function principalsOf(principal: unknown): IamPrincipal[] {
    if (principal === undefined || principal === null) {
        return [];
    }
    if (typeof principal !== "object" || Array.isArray(principal)) {
        return asList(principal).map((id) => ({ kind: id === "*" ? "*" : "AWS", id }));
    }
    return Object.entries(principal as Record<string, unknown>).flatMap(([kind, ids]) => asList(ids).map((id) => ({ kind, id })));
}

function conditionsOf(condition: unknown): IamCondition[] {
    if (condition === null || typeof condition !== "object") {
        return [];
    }
    return Object.entries(condition as Record<string, unknown>).flatMap(([operator, block]) =>
        block !== null && typeof block === "object"
            ? Object.entries(block as Record<string, unknown>).map(([key, values]) => ({ operator, key, values: asList(values) }))
            : [],
    );
}

/** The statements of a policy document given as JSON text or an object; undefined if unreadable. */
export function iamStatements(document: unknown): IamStatement[] | undefined {
    let doc: any = document;
    if (typeof document === "string") {
        try {
            doc = JSON.parse(document);
        } catch {
            return undefined;
        }
    }
    if (doc === null || typeof doc !== "object") {
        return undefined;
    }
    const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
    return statements.map((s: any) => ({
        effect: String(s?.Effect ?? ""),
        actions: asList(s?.Action),
        notActions: asList(s?.NotAction),
        resources: asList(s?.Resource),
        notResources: asList(s?.NotResource),
        principals: principalsOf(s?.Principal ?? s?.NotPrincipal),
        notPrincipal: s?.NotPrincipal !== undefined,
        conditions: conditionsOf(s?.Condition),
    }));
}

/** IAM action matching: case-insensitive, `*` any run of characters, `?` one character. */
export function iamActionMatches(pattern: string, action: string): boolean {
    const re = new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        "i",
    );
    return re.test(action);
}

/** True if an Allow statement allows `action` (through Action, or through a NotAction that leaves it out). */
export function allowsAction(statement: IamStatement, action: string): boolean {
    return (
        statement.effect === "Allow" &&
        (statement.actions.some((a) => iamActionMatches(a, action)) ||
            (statement.notActions.length > 0 && !statement.notActions.some((a) => iamActionMatches(a, action))))
    );
}

/** Secrets Manager actions AWS grants only on Resource "*" (they name no secret). */
export const RESOURCELESS_SECRET_ACTIONS = [
    "secretsmanager:ListSecrets",
    "secretsmanager:GetRandomPassword",
    "secretsmanager:BatchGetSecretValue",
];

/**
 * The actions of an Allow statement that belong to `service` ("secretsmanager:Get*", "*", …),
 * leaving out `except`; "NotAction" when a NotAction leaves `probe` allowed.
 */
export function serviceActionsOf(statement: IamStatement, service: string, probe: string, except: readonly string[] = []): string[] {
    if (statement.effect !== "Allow") {
        return [];
    }
    const excluded = except.map((a) => a.toLowerCase());
    const actions = statement.actions.filter((a) => {
        const colon = a.indexOf(":");
        const [prefix, name] = colon < 0 ? [a, "*"] : [a.slice(0, colon), a.slice(colon + 1)];
        return iamActionMatches(prefix, service) && !excluded.includes(`${service}:${name}`.toLowerCase());
    });
    if (statement.notActions.length > 0 && !statement.notActions.some((a) => iamActionMatches(a, probe))) {
        actions.push("NotAction");
    }
    return actions;
}

/**
 * The actions of an Allow statement that reach secrets: every Secrets Manager action but the
 * resourceless ones (and "*").
 */
export function secretActionsOf(statement: IamStatement): string[] {
    return serviceActionsOf(statement, "secretsmanager", "secretsmanager:GetSecretValue", RESOURCELESS_SECRET_ACTIONS);
}

/** The parts of an ARN "arn:partition:service:region:account:resource"; undefined for anything else. */
export function parseArn(
    arn: unknown,
): { partition: string; service: string; region: string; account: string; resource: string } | undefined {
    if (typeof arn !== "string") {
        return undefined;
    }
    const parts = arn.split(":");
    if (parts.length < 6 || parts[0] !== "arn") {
        return undefined;
    }
    return { partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(":") };
}

/**
 * True for a Resource that matches every secret: "*", or a Secrets Manager ARN whose secret part
 * is only wildcards ("arn:aws:secretsmanager:*:*:secret:*", "…:123456789012:secret:*"). A prefix
 * such as "secret:onehub/*" names secrets and is not a wildcard here.
 */
export function isWildcardSecretResource(resource: string): boolean {
    if (resource === "*") {
        return true;
    }
    if (!resource.startsWith("arn:")) {
        return false;
    }
    const arn = parseArn(resource);
    if (!arn) {
        // "arn:aws:secretsmanager:*" and the like: a wildcard swallows the rest.
        return (
            /^arn:[^:]*(:[^:]*)?(:[^:]*)?$/.test(resource) &&
            resource.endsWith("*") &&
            iamActionMatches(resource.split(":")[2] ?? "*", "secretsmanager")
        );
    }
    return iamActionMatches(arn.service, "secretsmanager") && /^(secret:)?[*?]+$/.test(arn.resource);
}

/** The service principal ECS tasks assume their roles as. */
export const ECS_TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com";

/**
 * What is wrong with the trust policy of an ECS task's role: anything but the ecs-tasks service,
 * NotPrincipal, a source condition naming another account or negated, and no source condition
 * at all. Every Allow statement must carry aws:SourceAccount or aws:SourceArn naming `account`
 * (any 12-digit account when unknown): ECS documents both keys for task roles, so there they
 * must be enforced (StringEquals, ArnLike, …); for execution roles ECS documents neither, so the
 * …IfExists form, which never stops a task from starting, counts too.
 * See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 */
export function ecsTaskTrustProblems(document: unknown, account: string | undefined, role: "task" | "execution" = "task"): string[] {
    const statements = iamStatements(document);
    if (!statements) {
        return ["its trust policy is not a readable IAM policy document"];
    }
    const problems: string[] = [];
    const namedAccount = (key: string, value: string) => (key === "aws:sourceaccount" ? value : (parseArn(value)?.account ?? ""));
    const isOurs = (named: string) => (account !== undefined ? named === account : /^\d{12}$/.test(named));
    for (const s of statements.filter((st) => st.effect === "Allow")) {
        if (s.notPrincipal) {
            problems.push("its trust policy uses NotPrincipal, which trusts everyone it does not name");
            continue;
        }
        if (s.principals.length === 0) {
            problems.push("its trust policy has an Allow statement without a Principal");
        }
        for (const p of s.principals) {
            if (p.kind === "*" || p.id === "*") {
                problems.push(`its trust policy lets anyone assume it (Principal ${p.kind === "*" ? '"*"' : `${p.kind} "*"`})`);
            } else if (p.kind !== "Service" || p.id !== ECS_TASKS_PRINCIPAL) {
                problems.push(`its trust policy trusts ${p.kind} ${p.id}; only the ${ECS_TASKS_PRINCIPAL} service may assume a task role`);
            }
        }
        let bound = false;
        for (const c of s.conditions) {
            const key = c.key.toLowerCase();
            if (key !== "aws:sourceaccount" && key !== "aws:sourcearn") {
                continue;
            }
            if (/not/i.test(c.operator)) {
                problems.push(`its trust policy negates ${c.key} (${c.operator}), which admits every other account`);
                continue;
            }
            const wrong = c.values.filter((value) => !isOurs(namedAccount(key, value)));
            for (const value of wrong) {
                problems.push(
                    `its trust policy's ${c.key} ${JSON.stringify(value)} is not this account${account !== undefined ? ` (${account})` : ""}`,
                );
            }
            const enforced = role === "execution" || !/IfExists$/i.test(c.operator);
            bound ||= enforced && c.values.length > 0 && wrong.length === 0;
        }
        if (!bound) {
            const example = `StringEquals aws:SourceAccount ${account ?? "<account>"}`;
            problems.push(
                role === "task"
                    ? `its trust policy has no enforced aws:SourceAccount or aws:SourceArn condition naming this account, so ECS could be made to assume it for another account's task (confused deputy); add ${example} and ArnLike aws:SourceArn arn:aws:ecs:<region>:${account ?? "<account>"}:*`
                    : `its trust policy has no aws:SourceAccount or aws:SourceArn condition naming this account (confused deputy); add ${example} (or StringEqualsIfExists, as ECS documents the key only for task roles)`,
            );
        }
    }
    return problems;
}

/** True for a CIDR that covers every address: "0.0.0.0/0", "::/0" and the like. */
export function isWorldCidr(cidr: unknown): boolean {
    return typeof cidr === "string" && /\/0$/.test(cidr.trim());
}

/** Where one ingress permission comes from, whatever resource shape declared it. */
export interface IngressSource {
    cidrs: string[];
    prefixListIds: string[];
    securityGroupIds: string[];
    self: boolean;
}

/** The source of an `aws.vpc.SecurityGroupIngressRule`. */
export function vpcIngressSource(rule: Record<string, any>): IngressSource {
    return {
        cidrs: [rule.cidrIpv4, rule.cidrIpv6].filter((c): c is string => typeof c === "string" && c !== ""),
        prefixListIds: rule.prefixListId ? [String(rule.prefixListId)] : [],
        securityGroupIds: rule.referencedSecurityGroupId ? [String(rule.referencedSecurityGroupId)] : [],
        self: false,
    };
}

/** The source of an `aws.ec2.SecurityGroupRule` or of one inline `ingress` block of a security group. */
export function legacyIngressSource(rule: Record<string, any>): IngressSource {
    return {
        cidrs: [...asList(rule.cidrBlocks), ...asList(rule.ipv6CidrBlocks)],
        prefixListIds: asList(rule.prefixListIds),
        securityGroupIds: [...asList(rule.securityGroups), ...asList(rule.sourceSecurityGroupId)],
        self: rule.self === true,
    };
}

/** A listener rule condition as @pulumi/aws declares it. */
export interface RuleCondition {
    hostHeader?: { values?: string[]; regexValues?: string[] };
    httpHeader?: { values?: string[]; regexValues?: string[] };
    httpRequestMethod?: { values?: string[] };
    pathPattern?: { values?: string[]; regexValues?: string[] };
    queryStrings?: { key?: string; value?: string }[];
    sourceIp?: { values?: string[] };
}

/** Every value a rule's conditions compare against; ALB allows 5 per rule. */
export function conditionValues(conditions: RuleCondition[] | undefined): string[] {
    const values: string[] = [];
    for (const c of conditions ?? []) {
        for (const block of [c.hostHeader, c.httpHeader, c.pathPattern]) {
            values.push(...(block?.values ?? []), ...(block?.regexValues ?? []));
        }
        values.push(...(c.httpRequestMethod?.values ?? []), ...(c.sourceIp?.values ?? []));
        for (const q of c.queryStrings ?? []) {
            values.push(`${q.key ?? ""}=${q.value ?? ""}`);
        }
    }
    return values;
}

/** Wildcards (`*`, `?`) in the host, header, path and query values of a rule; ALB allows 5 per rule. */
export function conditionWildcards(conditions: RuleCondition[] | undefined): number {
    let count = 0;
    for (const c of conditions ?? []) {
        const values = [
            ...(c.hostHeader?.values ?? []),
            ...(c.httpHeader?.values ?? []),
            ...(c.pathPattern?.values ?? []),
            ...(c.queryStrings ?? []).flatMap((q) => [q.key ?? "", q.value ?? ""]),
        ];
        for (const v of values) {
            count += (v.match(/[*?]/g) ?? []).length;
        }
    }
    return count;
}

/** The only Bedrock actions OneHub's Bedrock channel calls (components/bedrock/bedrockSettings.ts). */
export const BEDROCK_INVOKE_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"] as const;

/** True if an Allow statement reaches some Bedrock action ("bedrock:…", "*", "bedrock:*", a NotAction that leaves one). */
export function grantsBedrock(statement: IamStatement): boolean {
    return (
        statement.effect === "Allow" &&
        (statement.actions.some((a) => iamActionMatches(a.split(":")[0], "bedrock")) ||
            (statement.notActions.length > 0 &&
                !BEDROCK_INVOKE_ACTIONS.every((b) => statement.notActions.some((n) => iamActionMatches(n, b)))))
    );
}

/**
 * What an Allow statement grants beyond invoking models: every action that is not exactly one of
 * BEDROCK_INVOKE_ACTIONS (wildcards included, "bedrock:InvokeModel*" too: a wildcard also grants what
 * Bedrock adds later), and "NotAction" for a NotAction (it grants everything it does not list).
 */
export function beyondBedrockInvoke(statement: IamStatement): string[] {
    if (statement.effect !== "Allow") {
        return [];
    }
    const exact = BEDROCK_INVOKE_ACTIONS.map((a) => a.toLowerCase());
    return [
        ...statement.actions.filter((a) => !exact.includes(a.toLowerCase()) || /[*?]/.test(a)),
        ...(statement.notActions.length > 0 ? ["NotAction"] : []),
    ];
}
