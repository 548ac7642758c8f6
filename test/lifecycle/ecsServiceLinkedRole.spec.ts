import * as assert from "assert";
import {
    CreateServiceLinkedRoleCommand,
    GetRoleCommand,
    IAMClient,
    IAMServiceException,
    InvalidInputException,
    NoSuchEntityException,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import slr = require("../../components/lifecycle/handlers/ecsServiceLinkedRole");
import { assertShippable, handlerSource } from "./shipping";

const ROLE_ARN = "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS";
const PREFIX = "OneHub ECS service-linked role:";
const MANUAL = "aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com";

const role = () => ({
    $metadata: {},
    Role: {
        Path: "/aws-service-role/ecs.amazonaws.com/",
        RoleName: "AWSServiceRoleForECS",
        RoleId: "AROAEXAMPLE",
        Arn: ROLE_ARN,
        CreateDate: new Date(0),
    },
});
const noSuchEntity = () =>
    new NoSuchEntityException({ message: "The role with name AWSServiceRoleForECS cannot be found.", $metadata: {} });
const accessDenied = (action: string) =>
    new IAMServiceException({
        name: "AccessDenied",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
        message: `User: arn:aws:sts::123456789012:assumed-role/onehub-lifecycle/fn is not authorized to perform: ${action} on resource: role AWSServiceRoleForECS`,
    });

/** A clock whose sleeps only advance its time. */
function fakeClock() {
    let t = 0;
    const sleeps: number[] = [];
    const clock = {
        now: () => t,
        sleep: async (ms: number) => {
            sleeps.push(ms);
            t += ms;
        },
    };
    return { clock, sleeps };
}

async function roleError(run: Promise<unknown>): Promise<string> {
    const err = await run.then(
        (result) => assert.fail(`expected a failure, got ${JSON.stringify(result)}`),
        (e: unknown) => e,
    );
    assert.ok(err instanceof Error);
    assert.ok(err.message.startsWith(`${PREFIX} `), err.message);
    assert.doesNotMatch(err.message, /\n/, "one paragraph");
    return err.message;
}

describe("lifecycle: ECS service-linked role", () => {
    const iam = mockClient(IAMClient);
    const commands = () => iam.calls().map((c) => (c.args[0] as object).constructor.name);
    const logged: string[] = [];
    const consoleLog = console.log;
    beforeEach(() => {
        iam.reset();
        logged.length = 0;
        console.log = (...args: unknown[]) => void logged.push(args.join(" "));
    });
    afterEach(() => {
        console.log = consoleLog;
    });
    after(() => iam.restore());

    it("ships as one CommonJS file that requires only the runtime's AWS SDK client", () => {
        assertShippable("ecsServiceLinkedRole.js", ["ensureRole", "handler"]);
    });

    it("can only read and create the role, never modify or delete it", () => {
        const source = handlerSource("ecsServiceLinkedRole.js");
        const used = [...new Set(source.match(/\b[A-Z][A-Za-z]+Command\b/g))].sort();
        assert.deepStrictEqual(used, ["CreateServiceLinkedRoleCommand", "GetRoleCommand"]);
    });

    it("an existing role is left alone", async () => {
        iam.on(GetRoleCommand).resolves(role());
        const result = await slr.handler({});
        assert.deepStrictEqual(result, { created: false, roleArn: ROLE_ARN });
        assert.deepStrictEqual(commands(), ["GetRoleCommand"]);
        assert.strictEqual(iam.commandCalls(CreateServiceLinkedRoleCommand).length, 0);
        assert.deepStrictEqual(iam.commandCalls(GetRoleCommand)[0].args[0].input, { RoleName: "AWSServiceRoleForECS" });
    });

    it("an existing role costs no wait", async () => {
        iam.on(GetRoleCommand).resolves(role());
        const { clock, sleeps } = fakeClock();
        await slr.ensureRole(new IAMClient({}), { propagationSeconds: 10 }, clock);
        assert.deepStrictEqual(sleeps, []);
    });

    it("a missing role is created, awaited until IAM shows it, then given time to propagate", async () => {
        iam.on(GetRoleCommand)
            .rejectsOnce(noSuchEntity()) // missing
            .rejectsOnce(noSuchEntity()) // created, not visible yet
            .rejectsOnce(noSuchEntity())
            .resolves(role());
        iam.on(CreateServiceLinkedRoleCommand).resolves(role());
        const { clock, sleeps } = fakeClock();
        const result = await slr.ensureRole(new IAMClient({}), {}, clock);
        assert.deepStrictEqual(result, { created: true, roleArn: ROLE_ARN });
        assert.deepStrictEqual(commands(), [
            "GetRoleCommand",
            "CreateServiceLinkedRoleCommand",
            "GetRoleCommand",
            "GetRoleCommand",
            "GetRoleCommand",
        ]);
        assert.deepStrictEqual(iam.commandCalls(CreateServiceLinkedRoleCommand)[0].args[0].input, { AWSServiceName: "ecs.amazonaws.com" });
        // Two polls for visibility, then the default 10 s propagation wait, last.
        assert.deepStrictEqual(sleeps, [2000, 2000, 10000]);
    });

    it("the propagation wait is the event's propagationSeconds", async () => {
        iam.on(GetRoleCommand).rejectsOnce(noSuchEntity()).resolves(role());
        iam.on(CreateServiceLinkedRoleCommand).resolves(role());
        const { clock, sleeps } = fakeClock();
        await slr.ensureRole(new IAMClient({}), { propagationSeconds: 25 }, clock);
        assert.deepStrictEqual(sleeps, [25000]);

        iam.reset();
        iam.on(GetRoleCommand).rejectsOnce(noSuchEntity()).resolves(role());
        iam.on(CreateServiceLinkedRoleCommand).resolves(role());
        const zero = fakeClock();
        assert.deepStrictEqual(await slr.ensureRole(new IAMClient({}), { propagationSeconds: 0 }, zero.clock), {
            created: true,
            roleArn: ROLE_ARN,
        });
        assert.deepStrictEqual(zero.sleeps, []);
    });

    it("a role created concurrently counts as present, and is still awaited", async () => {
        iam.on(GetRoleCommand).rejectsOnce(noSuchEntity()).rejectsOnce(noSuchEntity()).resolves(role());
        iam.on(CreateServiceLinkedRoleCommand).rejects(
            new InvalidInputException({
                message: "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.",
                $metadata: {},
            }),
        );
        const { clock, sleeps } = fakeClock();
        const result = await slr.ensureRole(new IAMClient({}), {}, clock);
        assert.deepStrictEqual(result, { created: false, roleArn: ROLE_ARN });
        assert.deepStrictEqual(sleeps, [2000, 10000]);
    });

    it("another invalid input on create is an error, not a concurrent creation", async () => {
        iam.on(GetRoleCommand).rejects(noSuchEntity());
        iam.on(CreateServiceLinkedRoleCommand).rejects(new InvalidInputException({ message: "Invalid service name.", $metadata: {} }));
        const message = await roleError(slr.ensureRole(new IAMClient({}), {}, fakeClock().clock));
        assert.ok(
            message.includes("iam:CreateServiceLinkedRole") && message.includes("InvalidInputException: Invalid service name."),
            message,
        );
    });

    it("a role that may not be read stops the update with the manual fix", async () => {
        iam.on(GetRoleCommand).rejects(accessDenied("iam:GetRole"));
        const message = await roleError(slr.handler({}));
        assert.ok(message.includes("iam:GetRole") && message.includes("AccessDenied: User:"), message);
        assert.ok(message.includes(MANUAL), message);
        assert.strictEqual(iam.commandCalls(CreateServiceLinkedRoleCommand).length, 0);
    });

    it("a role that may not be created stops the update with the manual fix", async () => {
        iam.on(GetRoleCommand).rejects(noSuchEntity());
        iam.on(CreateServiceLinkedRoleCommand).rejects(accessDenied("iam:CreateServiceLinkedRole"));
        const message = await roleError(slr.handler({}));
        assert.ok(message.includes("does not exist and iam:CreateServiceLinkedRole for ecs.amazonaws.com failed"), message);
        assert.ok(message.includes(MANUAL) && message.includes("iam:AWSServiceName"), message);
    });

    it("a created role that never shows up stops the update after 30 s", async () => {
        iam.on(GetRoleCommand).rejects(noSuchEntity());
        iam.on(CreateServiceLinkedRoleCommand).resolves(role());
        const { clock, sleeps } = fakeClock();
        const message = await roleError(slr.ensureRole(new IAMClient({}), {}, clock));
        assert.match(message, /still does not find it after 30 s/);
        assert.strictEqual(
            sleeps.reduce((a, b) => a + b, 0),
            30000,
        );
        assert.strictEqual(iam.commandCalls(CreateServiceLinkedRoleCommand).length, 1, "created once, not retried");
    });

    it("rejects a negative propagationSeconds before calling AWS", async () => {
        const message = await roleError(slr.handler({ propagationSeconds: -1 }));
        assert.match(message, /propagationSeconds must be a number of seconds >= 0/);
        assert.strictEqual(iam.calls().length, 0);
    });
});
