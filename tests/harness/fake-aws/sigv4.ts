import * as crypto from "crypto";
import { SignatureV4 } from "@smithy/signature-v4";

/** The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header. */
export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH_RE =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (!header) return undefined;
  const m = AUTH_RE.exec(header);
  if (!m) return undefined;
  return {
    accessKeyId: m[1],
    date: m[2],
    region: m[3],
    service: m[4],
    signedHeaders: m[5].split(";"),
    signature: m[6],
  };
}

/** Node crypto in the shape `@smithy/signature-v4` expects (`new Sha256(secret?)`). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: SourceData): Buffer | string {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

class NodeSha256 {
  private readonly hash: crypto.Hash | crypto.Hmac;
  constructor(secret?: SourceData) {
    this.hash =
      secret === undefined
        ? crypto.createHash("sha256")
        : crypto.createHmac("sha256", toBuffer(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

export interface IncomingSignedRequest {
  method: string;
  /** Raw path as received (still percent-encoded), without the query string. */
  rawPath: string;
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type VerifyResult =
  { ok: true } | { ok: false; reason: "signature" | "payload-hash" | "date" | "clock-skew" };

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(",") : v;
}

/**
 * Recomputes the SigV4 signature with the caller's secret (via `@smithy/signature-v4`, the signer the
 * SDK itself uses) and compares it with the one sent. Also checks the payload hash and clock skew.
 */
export async function verifySignature(
  req: IncomingSignedRequest,
  auth: ParsedAuthorization,
  secretAccessKey: string,
  maxClockSkewMs: number,
): Promise<VerifyResult> {
  const amzDate = headerValue(req.headers["x-amz-date"]);
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!signingDate || !amzDate!.startsWith(auth.date)) return { ok: false, reason: "date" };
  if (Math.abs(Date.now() - signingDate.getTime()) > maxClockSkewMs) {
    return { ok: false, reason: "clock-skew" };
  }
  const bodyHash = crypto.createHash("sha256").update(req.body).digest("hex");
  const declared = headerValue(req.headers["x-amz-content-sha256"]);
  if (declared !== undefined && declared !== "UNSIGNED-PAYLOAD" && declared !== bodyHash) {
    return { ok: false, reason: "payload-hash" };
  }

  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const v = headerValue(req.headers[name]);
    if (v === undefined) return { ok: false, reason: "signature" };
    headers[name] = v;
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(req.rawQuery)) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
    region: auth.region,
    service: auth.service,
    sha256: NodeSha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: "http:",
      hostname: "localhost",
      path: req.rawPath,
      query,
      headers,
      body: req.body.length > 0 ? req.body.toString("utf8") : undefined,
    },
    { signingDate, signableHeaders: new Set(auth.signedHeaders) },
  );
  const expected = parseAuthorization(String(signed.headers["authorization"]))?.signature ?? "";
  const a = Buffer.from(expected, "hex");
  const b = Buffer.from(auth.signature, "hex");
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b))
    return { ok: false, reason: "signature" };
  return { ok: true };
}
