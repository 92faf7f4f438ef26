/**
 * AWS's own service models (botocore JSON, in `models/`), read at run time. fake-aws takes the
 * input constraints of its operations from here, so it answers a malformed call the way the model
 * says AWS does, instead of from validators of its own.
 */
import * as fs from "fs";
import * as path from "path";
import { aaValidation } from "./errors";

export interface ShapeRef {
  shape: string;
  location?: "uri" | "querystring" | "header" | "headers" | "statusCode";
  locationName?: string;
}

export interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  enum?: string[];
  pattern?: string;
  min?: number;
  max?: number;
  union?: boolean;
  error?: { code?: string; httpStatusCode?: number };
  exception?: boolean;
}

export interface OperationModel {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: { shape: string };
  output?: { shape: string; resultWrapper?: string };
  errors?: { shape: string }[];
}

export interface ServiceModel {
  metadata: { protocol: string; endpointPrefix: string; signingName?: string; apiVersion: string };
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

const FILES = {
  "access-analyzer": "accessanalyzer-2019-11-01.service-2.json",
  sts: "sts-2011-06-15.service-2.json",
} as const;
export type ModelledService = keyof typeof FILES;

const cache = new Map<ModelledService, ServiceModel>();

export function serviceModel(service: ModelledService): ServiceModel {
  let model = cache.get(service);
  if (!model) {
    const file = path.join(__dirname, "models", FILES[service]);
    model = JSON.parse(fs.readFileSync(file, "utf8")) as ServiceModel;
    cache.set(service, model);
  }
  return model;
}

/** A model pattern as a whole-string RegExp (AWS validates the whole value); undefined if JS cannot compile it. */
export function modelPattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`, "u");
  } catch {
    return undefined;
  }
}

/** An Access Analyzer call's input members as the SDK sent them, by member name. */
export type CallInput = Record<string, unknown>;

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/**
 * Checks the top-level members of an Access Analyzer operation's input against the model: required
 * members, string enums, patterns and lengths. Throws ValidationException (fieldValidationFailed,
 * `fieldList` naming the member) as AWS does; nested members are left to the handlers.
 */
export function validateAaInput(operation: string, input: CallInput): void {
  const model = serviceModel("access-analyzer");
  const op = model.operations[operation];
  if (!op?.input) return;
  const shape = model.shapes[op.input.shape];
  for (const name of shape.required ?? []) {
    if (!present(input[name])) throw aaValidation(name, "Member must not be null");
  }
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const value = input[name];
    if (!present(value)) continue;
    const member = model.shapes[ref.shape];
    if (member.type === "list" && ref.location === "querystring" && Array.isArray(value)) {
      if (member.min !== undefined && value.length < member.min) {
        throw aaValidation(name, `Member must have length greater than or equal to ${member.min}`);
      }
      continue;
    }
    if (member.type !== "string") continue;
    if (typeof value !== "string") throw aaValidation(name, "Member must be a string", value);
    if (member.enum && !member.enum.includes(value)) {
      throw aaValidation(
        name,
        `Member must satisfy enum value set: [${member.enum.join(", ")}]`,
        value,
      );
    }
    if (member.min !== undefined && value.length < member.min) {
      throw aaValidation(
        name,
        `Member must have length greater than or equal to ${member.min}`,
        value,
      );
    }
    if (member.max !== undefined && value.length > member.max) {
      throw aaValidation(
        name,
        `Member must have length less than or equal to ${member.max}`,
        value,
      );
    }
    const re = member.pattern === undefined ? undefined : modelPattern(member.pattern);
    if (re && !re.test(value)) {
      throw aaValidation(
        name,
        `Member must satisfy regular expression pattern: ${member.pattern}`,
        value,
      );
    }
  }
}

/** The values of a string enum shape of the Access Analyzer model (e.g. `ResourceType`). */
export function aaEnum(shapeName: string): readonly string[] {
  return serviceModel("access-analyzer").shapes[shapeName]?.enum ?? [];
}

/**
 * The input members of a restJson1 call, gathered from where the model puts them: URI labels,
 * the query string, or the JSON body.
 */
export function aaCallInput(
  operation: string,
  labels: string[],
  query: URLSearchParams,
  json: Record<string, unknown>,
): CallInput {
  const model = serviceModel("access-analyzer");
  const op = model.operations[operation];
  if (!op?.input) return {};
  const labelNames = [...op.http.requestUri.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]);
  const out: CallInput = {};
  for (const [name, ref] of Object.entries(model.shapes[op.input.shape].members ?? {})) {
    const wire = ref.locationName ?? name;
    if (ref.location === "uri") {
      const i = labelNames.indexOf(wire);
      if (i >= 0) out[name] = labels[i];
    } else if (ref.location === "querystring") {
      const all = query.getAll(wire);
      if (all.length > 0) out[name] = model.shapes[ref.shape].type === "list" ? all : all[0];
    } else if (ref.location === undefined) {
      out[name] = json[name];
    }
  }
  return out;
}
