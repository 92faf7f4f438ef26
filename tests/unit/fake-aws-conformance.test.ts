/**
 * fake-aws against AWS's own service models (botocore JSON in tests/harness/fake-aws/models): every
 * operation it serves exists in the model with the same HTTP binding, enforces the model's required
 * input members, answers with every required output member in the model's types, and sends only
 * error codes the model lists for the operation (or the protocol's common errors).
 *
 * EC2 has no model in the repository: DescribeRegions is checked against the SDK's own output type
 * (the members the SDK deserialised), not a botocore model.
 */
import * as assert from "assert";
import * as AA from "@aws-sdk/client-accessanalyzer";
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import * as STS from "@aws-sdk/client-sts";
import { startFakeAws, type FakeAws } from "../harness/fake-aws";
import { modelPattern, serviceModel, type ServiceModel } from "../harness/fake-aws/model";
import {
  AA_ROUTES,
  EC2_OPERATIONS,
  STS_OPERATIONS,
  routeAccessAnalyzer,
} from "../harness/fake-aws/services";

const ACCOUNT = "555555555555";
const TRUSTED = "666666666666";
const KEY = {
  accessKeyId: "AKIATESTCONFORMANCE1",
  secretAccessKey: "conformance-secret-00000000000",
};
const ROLE_ARN = `arn:aws:iam::${TRUSTED}:role/Deployer`;
const REGION = "eu-west-1";
const EXT_ARN = `arn:aws:access-analyzer:${REGION}:${ACCOUNT}:analyzer/ext`;
const UNUSED_ARN = `arn:aws:access-analyzer:${REGION}:${ACCOUNT}:analyzer/unused`;
const BUCKET = "arn:aws:s3:::conformance-bucket";

/** Errors any operation of the protocol may answer (authentication, throttling, transport). */
const COMMON_ERRORS: Record<"access-analyzer" | "sts", readonly string[]> = {
  "access-analyzer": [
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "MissingAuthenticationTokenException",
    "IncompleteSignatureException",
    "SerializationException",
    "UnknownOperationException",
    "InternalFailure",
  ],
  sts: [
    "ValidationError",
    "AccessDenied",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "MissingAuthenticationToken",
    "IncompleteSignature",
    "InvalidAction",
    "Throttling",
    "InternalFailure",
  ],
};

/**
 * Errors fake-aws sends that the model does not list for the operation, each with its reason.
 * ListArchiveRules: the model lists no ResourceNotFoundException, but an unknown analyzer has to
 * be answered somehow and AWS's other per-analyzer reads answer it so.
 */
const KNOWN_EXTRA_ERRORS: Record<string, readonly string[]> = {
  ListArchiveRules: ["ResourceNotFoundException"],
};

// ---- a validator over botocore's shape language ----------------------------------------------

function validateShape(
  model: ServiceModel,
  shapeName: string,
  value: unknown,
  at: string,
  problems: string[],
): void {
  const shape = model.shapes[shapeName];
  if (!shape) {
    problems.push(`${at}: shape ${shapeName} not in the model`);
    return;
  }
  const fail = (what: string): void => {
    problems.push(`${at}: ${what} (shape ${shapeName})`);
  };
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return fail(`expected a structure, got ${JSON.stringify(value)}`);
      }
      const obj = value as Record<string, unknown>;
      for (const req of shape.required ?? []) {
        if (obj[req] === undefined) fail(`required member ${req} missing`);
      }
      const set = Object.keys(obj).filter((k) => obj[k] !== undefined && k !== "$metadata");
      for (const k of set) {
        const ref = shape.members?.[k];
        if (!ref) fail(`member ${k} is not in the model`);
        else validateShape(model, ref.shape, obj[k], `${at}.${k}`, problems);
      }
      if (shape.union && set.length !== 1)
        fail(`a union must set exactly one member, got ${set.join(", ")}`);
      return;
    }
    case "list":
      if (!Array.isArray(value)) return fail("expected a list");
      if (shape.min !== undefined && value.length < shape.min) fail(`fewer than ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) fail(`more than ${shape.max}`);
      value.forEach((v, i) =>
        validateShape(model, shape.member!.shape, v, `${at}[${i}]`, problems),
      );
      return;
    case "map":
      if (typeof value !== "object" || value === null) return fail("expected a map");
      for (const [k, v] of Object.entries(value)) {
        validateShape(model, shape.key!.shape, k, `${at}{key}`, problems);
        validateShape(model, shape.value!.shape, v, `${at}.${k}`, problems);
      }
      return;
    case "string": {
      if (typeof value !== "string") return fail(`expected a string, got ${typeof value}`);
      if (shape.enum && !shape.enum.includes(value)) fail(`${value} not in enum`);
      if (shape.min !== undefined && value.length < shape.min) fail(`shorter than ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) fail(`longer than ${shape.max}`);
      const re = shape.pattern === undefined ? undefined : modelPattern(shape.pattern);
      if (re && !re.test(value)) fail(`${value} does not match ${shape.pattern}`);
      return;
    }
    case "timestamp":
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) fail("expected a timestamp");
      return;
    case "integer":
    case "long":
      if (!Number.isInteger(value)) fail("expected an integer");
      return;
    case "boolean":
      if (typeof value !== "boolean") fail("expected a boolean");
      return;
    default:
      return fail(`shape type ${shape.type} not handled by this validator`);
  }
}

// ---- the sample calls ------------------------------------------------------------------------

interface Sample {
  service: "access-analyzer" | "sts";
  operation: string;
  input: Record<string, unknown>;
}

const aa = (operation: string, input: Record<string, unknown>): Sample => ({
  service: "access-analyzer",
  operation,
  input,
});

/** In order: each call may rely on the ones before it. */
function samples(findingId: () => string, unusedFindingId: () => string): Sample[] {
  return [
    aa("CreateAnalyzer", { analyzerName: "ext", type: "ACCOUNT", tags: { team: "sec" } }),
    aa("CreateAnalyzer", { analyzerName: "unused", type: "ACCOUNT_UNUSED_ACCESS" }),
    aa("GetAnalyzer", { analyzerName: "ext" }),
    aa("ListAnalyzers", { type: "ACCOUNT" }),
    aa("UpdateAnalyzer", {
      analyzerName: "unused",
      configuration: { unusedAccess: { unusedAccessAge: 30 } },
    }),
    aa("CreateArchiveRule", {
      analyzerName: "ext",
      ruleName: "trusted",
      filter: { "principal.AWS": { eq: [TRUSTED] } },
    }),
    aa("GetArchiveRule", { analyzerName: "ext", ruleName: "trusted" }),
    aa("ListArchiveRules", { analyzerName: "ext", maxResults: 1 }),
    aa("UpdateArchiveRule", {
      analyzerName: "ext",
      ruleName: "trusted",
      filter: { isPublic: { eq: ["false"] } },
    }),
    aa("ApplyArchiveRule", { analyzerArn: EXT_ARN, ruleName: "trusted" }),
    aa("ListFindings", { analyzerArn: EXT_ARN, filter: { status: { eq: ["ACTIVE"] } } }),
    aa("ListFindingsV2", { analyzerArn: UNUSED_ARN, maxResults: 5 }),
    {
      ...aa("GetFinding", { analyzerArn: EXT_ARN }),
      input: {
        analyzerArn: EXT_ARN,
        get id() {
          return findingId();
        },
      },
    },
    {
      ...aa("GetFindingV2", {}),
      input: {
        analyzerArn: EXT_ARN,
        get id() {
          return findingId();
        },
      },
    },
    {
      ...aa("GetFindingV2", {}),
      input: {
        analyzerArn: UNUSED_ARN,
        get id() {
          return unusedFindingId();
        },
      },
    },
    aa("ListAnalyzedResources", { analyzerArn: EXT_ARN, resourceType: "AWS::S3::Bucket" }),
    aa("GetAnalyzedResource", { analyzerArn: EXT_ARN, resourceArn: BUCKET }),
    aa("TagResource", { resourceArn: EXT_ARN, tags: { owner: "me" } }),
    aa("ListTagsForResource", { resourceArn: EXT_ARN }),
    aa("UntagResource", { resourceArn: EXT_ARN, tagKeys: ["owner"] }),
    aa("DeleteArchiveRule", { analyzerName: "ext", ruleName: "trusted" }),
    aa("DeleteAnalyzer", { analyzerName: "unused" }),
    { service: "sts", operation: "GetCallerIdentity", input: {} },
    {
      service: "sts",
      operation: "AssumeRole",
      input: { RoleArn: ROLE_ARN, RoleSessionName: "conf" },
    },
  ];
}

/** Calls that must fail, to exercise the error paths; their codes are checked with the rest. */
const FAILING: Sample[] = [
  aa("CreateAnalyzer", { analyzerName: "ext", type: "ACCOUNT" }), // ConflictException
  aa("CreateAnalyzer", { analyzerName: "second", type: "ACCOUNT" }), // quota
  aa("GetAnalyzer", { analyzerName: "nothing" }),
  aa("ListAnalyzers", { type: "NOPE" }),
  aa("ListArchiveRules", { analyzerName: "nothing" }),
  aa("UpdateAnalyzer", { analyzerName: "ext" }), // not supported for ACCOUNT
  aa("GetArchiveRule", { analyzerName: "ext", ruleName: "nothing" }),
  aa("ListFindings", { analyzerArn: UNUSED_ARN }), // V1 is external-access only
  aa("ListFindingsV2", { analyzerArn: "malformed" }),
  aa("GetFinding", { analyzerArn: EXT_ARN, id: "nothing" }),
  aa("GetFindingV2", { analyzerArn: EXT_ARN, id: "nothing" }),
  aa("ListAnalyzedResources", { analyzerArn: UNUSED_ARN }),
  aa("GetAnalyzedResource", { analyzerArn: EXT_ARN, resourceArn: "arn:aws:s3:::nothing" }),
  aa("TagResource", { resourceArn: "nope", tags: { a: "b" } }),
  aa("ListFindingsV2", { analyzerArn: EXT_ARN, nextToken: "garbage" }),
  {
    service: "sts",
    operation: "AssumeRole",
    input: { RoleArn: `arn:aws:iam::${TRUSTED}:role/Nobody`, RoleSessionName: "conf" },
  },
];

describe("fake-aws conforms to AWS's service models", function () {
  this.timeout(30000);
  const aaModel = serviceModel("access-analyzer");
  const stsModel = serviceModel("sts");
  let fake: FakeAws;
  let aaClient: AA.AccessAnalyzerClient;
  let stsClient: STS.STSClient;
  let findingId = "";
  let unusedFindingId = "";

  function send(s: Sample): Promise<unknown> {
    if (s.service === "sts") {
      const Ctor = (STS as unknown as Record<string, new (i: unknown) => never>)[
        `${s.operation}Command`
      ];
      return stsClient.send(new Ctor(s.input));
    }
    const Ctor = (AA as unknown as Record<string, new (i: unknown) => never>)[
      `${s.operation}Command`
    ];
    assert.ok(Ctor, `the SDK has no ${s.operation}Command`);
    return aaClient.send(new Ctor(s.input));
  }

  before(async () => {
    fake = await startFakeAws({
      config: {
        accounts: [
          { id: ACCOUNT, accessKeys: [KEY] },
          { id: TRUSTED, roles: [{ name: "Deployer", trustedAccountIds: [ACCOUNT] }] },
        ],
      },
    });
    const base = { endpoint: fake.url, credentials: KEY, maxAttempts: 1 };
    aaClient = new AA.AccessAnalyzerClient({ ...base, region: REGION });
    stsClient = new STS.STSClient({ ...base, region: "us-east-1" });
  });
  after(async () => {
    aaClient.destroy();
    stsClient.destroy();
    await fake.close();
  });

  const plant = () => {
    findingId = fake.state.addFinding(ACCOUNT, REGION, "ext", {
      resourceType: "AWS::S3::Bucket",
      resource: BUCKET,
      principal: { AWS: "*" },
      action: ["s3:GetObject"],
      isPublic: true,
    }).id;
    unusedFindingId = fake.state.addFinding(ACCOUNT, REGION, "unused", {
      resourceType: "AWS::IAM::Role",
      resource: `arn:aws:iam::${ACCOUNT}:role/idle`,
      findingType: "UnusedIAMRole",
      unusedAccess: { lastAccessed: "2025-01-01T00:00:00.000Z" },
    }).id;
  };

  it("serves only operations the models define, with the model's HTTP method and URI", () => {
    for (const route of AA_ROUTES) {
      const op = aaModel.operations[route.operation];
      assert.ok(op, `${route.operation} is not in the Access Analyzer model`);
      assert.strictEqual(route.method, op.http.method, `${route.operation} method`);
      const uri = op.http.requestUri.split("?")[0].replace(/\{[^}]+\}/g, "label-1");
      assert.strictEqual(
        routeAccessAnalyzer(op.http.method, uri)?.operation,
        route.operation,
        `${uri}`,
      );
      // An empty URI label never reaches the operation (the SDK refuses it too).
      if (op.http.requestUri.includes("{")) {
        const empty = op.http.requestUri.split("?")[0].replace(/\{[^}]+\}/g, "");
        assert.notStrictEqual(
          routeAccessAnalyzer(op.http.method, empty)?.operation,
          route.operation,
        );
      }
    }
    for (const name of STS_OPERATIONS) {
      assert.deepStrictEqual(
        stsModel.operations[name]?.http,
        { method: "POST", requestUri: "/" },
        name,
      );
    }
  });

  it("answers every served operation with the model's output shape (through the real SDK)", async () => {
    const table = samples(
      () => findingId,
      () => unusedFindingId,
    );
    const covered = new Set(table.map((s) => s.operation));
    for (const op of [...AA_ROUTES.map((r) => r.operation), ...STS_OPERATIONS]) {
      assert.ok(covered.has(op), `no sample call for ${op}`);
    }
    const problems: string[] = [];
    for (const s of table) {
      if (s.operation === "ListFindings") plant(); // after ApplyArchiveRule, before the reads
      const model = s.service === "sts" ? stsModel : aaModel;
      const out = await send(s).catch((e: Error) => {
        throw new Error(`${s.operation} failed: ${e.name}: ${e.message}`);
      });
      const op = model.operations[s.operation];
      if (op.output) validateShape(model, op.output.shape, out, s.operation, problems);
    }
    assert.deepStrictEqual(problems, []);
  });

  it("enforces every required input member the SDK lets a caller leave out", async () => {
    const checked: string[] = [];
    for (const s of samples(
      () => findingId,
      () => unusedFindingId,
    )) {
      const model = s.service === "sts" ? stsModel : aaModel;
      const op = model.operations[s.operation];
      const shape = model.shapes[op.input!.shape];
      for (const member of shape.required ?? []) {
        if (shape.members![member].location === "uri") continue; // checked with the routes
        const input = Object.fromEntries(
          Object.entries(Object.getOwnPropertyDescriptors(s.input))
            .filter(([k]) => k !== member)
            .map(([k, d]) => [k, d.get ? d.get.call(s.input) : d.value]),
        );
        const err = await send({ ...s, input }).then(
          () => assert.fail(`${s.operation} without ${member} succeeded`),
          (e: Error & { fieldList?: { name: string }[] }) => e,
        );
        if (s.service === "sts") {
          assert.strictEqual(err.name, "ValidationError", `${s.operation} without ${member}`);
        } else {
          assert.strictEqual(err.name, "ValidationException", `${s.operation} without ${member}`);
          assert.deepStrictEqual(
            err.fieldList?.map((f) => f.name),
            [member],
          );
        }
        checked.push(`${s.operation}.${member}`);
      }
    }
    assert.ok(
      checked.includes("ApplyArchiveRule.ruleName") && checked.includes("AssumeRole.RoleArn"),
    );
  });

  it("sends only error codes the model lists for the operation (or common ones)", async () => {
    for (const s of FAILING) {
      await send(s).then(
        () => assert.fail(`${s.operation} ${JSON.stringify(s.input)} should fail`),
        () => undefined,
      );
    }
    const seen = new Map<string, Set<string>>();
    for (const c of fake.state.calls) {
      if (!c.errorCode || c.service === "ec2" || c.service === "unknown") continue;
      const key = `${c.service} ${c.operation}`;
      seen.set(key, (seen.get(key) ?? new Set()).add(c.errorCode));
    }
    const wrong: string[] = [];
    for (const [key, codes] of seen) {
      const [service, operation] = key.split(" ") as ["access-analyzer" | "sts", string];
      const model = service === "sts" ? stsModel : aaModel;
      const allowed = new Set([
        ...(model.operations[operation]?.errors ?? []).map(
          (e) => model.shapes[e.shape].error?.code ?? e.shape,
        ),
        ...COMMON_ERRORS[service],
        ...(KNOWN_EXTRA_ERRORS[operation] ?? []),
      ]);
      for (const code of codes) if (!allowed.has(code)) wrong.push(`${operation}: ${code}`);
    }
    assert.ok(seen.size >= 10, `only ${seen.size} operations answered with an error`);
    assert.deepStrictEqual(wrong, []);
  });

  it("answers every ValidationException with a reason from the model's enum and a well-formed fieldList", async () => {
    const problems: string[] = [];
    for (const s of FAILING.filter((f) => f.service === "access-analyzer")) {
      const err = (await send(s).catch((e: unknown) => e)) as AA.ValidationException;
      if (err.name !== "ValidationException") continue;
      const { reason, fieldList, message } = err;
      validateShape(
        aaModel,
        "ValidationException",
        { message, reason, fieldList },
        s.operation,
        problems,
      );
    }
    assert.deepStrictEqual(problems, []);
  });

  it("answers EC2 DescribeRegions as the SDK's types say (EC2's model is not in the repository)", async () => {
    assert.deepStrictEqual([...EC2_OPERATIONS], ["DescribeRegions"]);
    const ec2 = new EC2Client({
      endpoint: fake.url,
      credentials: KEY,
      maxAttempts: 1,
      region: "us-east-1",
    });
    try {
      const out = await ec2.send(new DescribeRegionsCommand({}));
      assert.ok((out.Regions ?? []).length >= 17);
      for (const r of out.Regions ?? []) {
        assert.deepStrictEqual(Object.keys(r).sort(), ["Endpoint", "OptInStatus", "RegionName"]);
        assert.match(r.RegionName!, /^[a-z]{2}(-[a-z]+)+-\d$/);
        assert.ok(["opt-in-not-required", "opted-in", "not-opted-in"].includes(r.OptInStatus!));
      }
    } finally {
      ec2.destroy();
    }
  });
});
